// The error thrown when the native addon cannot be loaded, and its message:
// what this host is, what the package carries, and the ways out. Pure (facts
// in, text out), so every case can be tested on any host; lib/binding.ts
// gathers the facts.

/** What decides which addon can load here. */
export interface HostFacts {
  platform: string;
  arch: string;
  /** 'glibc 2.36', 'musl', or 'unknown libc'. */
  libc: string;
  /** process.versions.napi: the highest Node-API version this Node offers. */
  napiVersion: string;
  /** process.versions.modules. */
  abi: string;
  nodeVersion: string;
}

/** Why no addon could be loaded. */
export type AddonLoadFailure =
  /** No file in build/ or prebuilds/ matches this host. */
  | { kind: 'none-matched' }
  /** A matching file was found, and the dynamic loader refused it. */
  | { kind: 'load-failed'; file: string; loaderMessage: string }
  /** NETNS_NATIVE_ADDON named a file that could not be loaded (or a relative path). */
  | { kind: 'override-failed'; file: string; loaderMessage: string };

/** The Node-API version the addon is built for (binding.gyp's NAPI_VERSION). */
export const REQUIRED_NAPI_VERSION = 8;

export type AddonErrorCode = 'ERR_NETNS_NATIVE_NO_ADDON' | 'ERR_NETNS_NATIVE_BIG_ENDIAN';

/** The native addon cannot be loaded in this process; `code` says why. */
export class NativeAddonError extends Error {
  readonly code: AddonErrorCode;

  constructor(code: AddonErrorCode, message: string) {
    super(message);
    this.name = 'NativeAddonError';
    this.code = code;
  }
}

function describeHost(facts: HostFacts): string {
  return (
    `${facts.platform}-${facts.arch}, ${facts.libc}, Node ${facts.nodeVersion} ` +
    `(Node-API ${facts.napiVersion}, abi ${facts.abi})`
  );
}

// The loader's first line: dlopen's reason without node-gyp-build's stack or search details.
function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}

// 'linux-x64/netns-native.glibc.node' -> 'linux-x64 (glibc)'.
function describePrebuild(file: string): string {
  const [dir, name = ''] = file.split('/');
  const libc = /\.(glibc|musl)\.node$/.exec(name)?.[1];
  return libc ? `${dir} (${libc})` : dir!;
}

/**
 * The message for a host where no addon loads. `prebuilds` lists the files the
 * package carries, relative to its prebuilds/ ('linux-x64/netns-native.glibc.node').
 */
export function describeMissingAddon(
  facts: HostFacts,
  prebuilds: readonly string[],
  failure: AddonLoadFailure,
): string {
  const lines: string[] = [];
  if (failure.kind === 'override-failed') {
    lines.push(
      `netns-native: NETNS_NATIVE_ADDON=${failure.file} could not be loaded on ${describeHost(facts)}: ` +
        `${firstLine(failure.loaderMessage)}`,
      'Unset NETNS_NATIVE_ADDON to use the addon the package ships or builds.',
    );
    return lines.join('\n');
  }
  if (failure.kind === 'load-failed') {
    lines.push(
      `netns-native: the native addon ${failure.file} does not load on ${describeHost(facts)}: ` +
        `${firstLine(failure.loaderMessage)}`,
    );
  } else {
    lines.push(`netns-native: no native addon for ${describeHost(facts)}.`);
  }
  const napi = Number(facts.napiVersion);
  if (!(napi >= REQUIRED_NAPI_VERSION)) {
    lines.push(
      `This Node offers Node-API ${facts.napiVersion || 'none'}; netns-native needs Node-API ` +
        `${REQUIRED_NAPI_VERSION} (Node >= 20.4): upgrade Node.`,
    );
    return lines.join('\n');
  }
  const carried = [...new Set(prebuilds.map(describePrebuild))];
  lines.push(
    carried.length
      ? `The package carries prebuilds for ${carried.join(', ')}, built for glibc >= 2.28; none fits this host, ` +
          'and no addon was built from source when it was installed.'
      : 'The package carries no prebuilds, and no addon was built from source when it was installed.',
    'Build one from source, either way:',
    "  - allow the package's install script, which builds it: `pnpm approve-builds` (pnpm 10 skips build " +
      'scripts) or `npm rebuild netns-native` (after an install with --ignore-scripts);',
    '  - install what the build needs, python3, make and a C++ compiler (Debian/Ubuntu: apt-get install ' +
      'python3 make g++; Alpine: apk add python3 make g++), then install netns-native again.',
  );
  return lines.join('\n');
}

/** The message for a big-endian host, refused before any addon is loaded. */
export function describeBigEndianHost(facts: HostFacts): string {
  return (
    `netns-native: big-endian hosts are not supported (${facts.platform}-${facts.arch}): its rtnetlink ` +
    "codec reads and writes the kernel's messages as little-endian."
  );
}
