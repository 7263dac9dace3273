// The message a user sees when no native addon loads: it names the host, what
// the package carries and the ways out, and never the loader's stack.
import { describe, expect, it } from 'vitest';
import { describeBigEndianHost, describeMissingAddon, NativeAddonError, type HostFacts } from '../../lib/addon-error';

const glibcX64: HostFacts = {
  platform: 'linux',
  arch: 'x64',
  libc: 'glibc 2.36',
  napiVersion: '9',
  abi: '115',
  nodeVersion: 'v20.20.2',
};
const muslX64: HostFacts = { ...glibcX64, libc: 'musl' };
const carried = ['linux-arm64/netns-native.glibc.node', 'linux-x64/netns-native.glibc.node'];

// node-gyp-build's own error, stack and all, as a loader would throw it.
const loaderError = new Error(
  'No native build was found for platform=linux arch=riscv64 runtime=node abi=115 uv=1 libc=glibc node=20.20.2\n' +
    '    loaded from: /app/node_modules/netns-native\n',
);

describe('describeMissingAddon', () => {
  it('names the host, the prebuilds carried and both ways out when none matches', () => {
    const message = describeMissingAddon(muslX64, carried, { kind: 'none-matched' });
    expect(message.split('\n')[0]).toBe(
      'netns-native: no native addon for linux-x64, musl, Node v20.20.2 (Node-API 9, abi 115).',
    );
    expect(message).toContain('prebuilds for linux-arm64 (glibc), linux-x64 (glibc), built for glibc >= 2.28');
    expect(message).toContain('`pnpm approve-builds`');
    expect(message).toContain('`npm rebuild netns-native`');
    expect(message).toContain('python3, make and a C++ compiler');
    expect(message).toContain('apk add python3 make g++');
  });

  it('says so when the package carries no prebuilds (a checkout, or a package packed without them)', () => {
    const message = describeMissingAddon({ ...glibcX64, arch: 'riscv64' }, [], { kind: 'none-matched' });
    expect(message).toContain('no native addon for linux-riscv64, glibc 2.36');
    expect(message).toContain('The package carries no prebuilds');
    expect(message).not.toContain('prebuilds for');
  });

  it('lists each prebuild directory once, with its libc tag when it has one', () => {
    const files = ['linux-x64/netns-native.glibc.node', 'linux-x64/netns-native.musl.node', 'linux-x64/node.napi.node'];
    const message = describeMissingAddon({ ...glibcX64, arch: 'ia32' }, files, { kind: 'none-matched' });
    expect(message).toContain('prebuilds for linux-x64 (glibc), linux-x64 (musl), linux-x64, built for');
  });

  it("keeps only the first line of the loader's reason when a found addon does not load", () => {
    const dlopen =
      'Error relocating /app/node_modules/netns-native/prebuilds/linux-x64/netns-native.glibc.node: __sprintf_chk: symbol not found\n    at Module._extensions..node (node:internal/modules/cjs/loader:1460:18)';
    const message = describeMissingAddon(muslX64, carried, {
      kind: 'load-failed',
      file: 'prebuilds/linux-x64/netns-native.glibc.node',
      loaderMessage: dlopen,
    });
    expect(message.split('\n')[0]).toBe(
      'netns-native: the native addon prebuilds/linux-x64/netns-native.glibc.node does not load on linux-x64, musl, ' +
        'Node v20.20.2 (Node-API 9, abi 115): Error relocating /app/node_modules/netns-native/prebuilds/linux-x64/' +
        'netns-native.glibc.node: __sprintf_chk: symbol not found',
    );
    expect(message).toContain('`pnpm approve-builds`');
  });

  it("never carries a stack frame or node-gyp-build's search details", () => {
    for (const failure of [
      { kind: 'none-matched' } as const,
      {
        kind: 'load-failed',
        file: 'build/Release/netns_native.node',
        loaderMessage: String(loaderError.stack),
      } as const,
      { kind: 'override-failed', file: '/tmp/x.node', loaderMessage: String(loaderError.stack) } as const,
    ]) {
      const message = describeMissingAddon(glibcX64, carried, failure);
      expect(message).not.toMatch(/^\s+at /m);
      expect(message).not.toContain('loaded from:');
    }
  });

  it('tells a Node without Node-API 8 to upgrade, not to build', () => {
    const message = describeMissingAddon({ ...glibcX64, napiVersion: '7' }, carried, { kind: 'none-matched' });
    expect(message).toContain(
      'This Node offers Node-API 7; netns-native needs Node-API 8 (Node >= 20.4): upgrade Node.',
    );
    expect(message).not.toContain('approve-builds');
    const none = describeMissingAddon({ ...glibcX64, napiVersion: '' }, carried, { kind: 'none-matched' });
    expect(none).toContain('This Node offers Node-API none;');
  });

  it('names the NETNS_NATIVE_ADDON file that failed and how to go back', () => {
    const message = describeMissingAddon(glibcX64, carried, {
      kind: 'override-failed',
      file: 'relative.node',
      loaderMessage: 'not an absolute path',
    });
    expect(message).toBe(
      'netns-native: NETNS_NATIVE_ADDON=relative.node could not be loaded on linux-x64, glibc 2.36, Node v20.20.2 ' +
        '(Node-API 9, abi 115): not an absolute path\n' +
        'Unset NETNS_NATIVE_ADDON to use the addon the package ships or builds.',
    );
  });
});

describe('describeBigEndianHost', () => {
  it('refuses with its own reason, not a build hint', () => {
    const message = describeBigEndianHost({ ...glibcX64, arch: 's390x' });
    expect(message).toBe(
      'netns-native: big-endian hosts are not supported (linux-s390x): ' +
        "its rtnetlink codec reads and writes the kernel's messages as little-endian.",
    );
  });
});

describe('NativeAddonError', () => {
  it('carries a code to test for', () => {
    const error = new NativeAddonError('ERR_NETNS_NATIVE_NO_ADDON', 'text');
    expect([error.name, error.code, error.message, error instanceof Error]).toEqual([
      'NativeAddonError',
      'ERR_NETNS_NATIVE_NO_ADDON',
      'text',
      true,
    ]);
  });
});
