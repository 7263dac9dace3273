// The published types: what dist/*.d.ts shows is the public surface, whole
// (a consumer compiles against it with every check on) and nothing more
// (no internal fd owners, tokens, native binding or helpers).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { onCleanup, repoRoot } from './helpers';

const declarations = (dir: string): string[] =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory()
        ? declarations(path.join(dir, entry.name))
        : entry.name.endsWith('.d.ts')
          ? [path.join(dir, entry.name)]
          : [],
    );

describe('published types', () => {
  it('hold no internals', () => {
    const text = declarations(path.join(repoRoot, 'dist'))
      .map((file) => fs.readFileSync(file, 'utf8'))
      .join('\n');
    for (const internal of [
      'adopt',
      'NsfsFile',
      'constructing',
      'declare const native',
      'abortStuckThread',
      'ownFd',
      'closeOnThreadEnd',
      'watchPidfd',
      'NativePidfdWatch',
      'defaultSockets',
      'RtnlSocket',
      'runSwitched',
      'withTarget',
      'prepareRunDir',
      'check<T>',
      'toNetnsError',
    ]) {
      expect(text, internal).not.toContain(internal);
    }
  });

  it('are enough for a strict consumer, with library checking on', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nn-types-'));
    onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.symlinkSync(repoRoot, path.join(dir, 'node_modules', 'netns-native'));
    fs.writeFileSync(
      path.join(dir, 'use.ts'),
      `
      import { NetNamespace, NetnsError, enterNetns, sys, topology, createVeth, type Link, type Topology } from 'netns-native';
      const ns: NetNamespace = NetNamespace.create();
      const links: Link[] = ns.links();
      const fd: number = sys.pidfdOpen(1);
      enterNetns(ns, () => links.length + fd);
      const map: Promise<Topology> = topology({ onlyVeths: true });
      createVeth({ name: 'a' }, { name: 'b', ns });
      // @ts-expect-error the constructor is private
      new NetNamespace();
      const e: unknown = null; if (e instanceof NetnsError) console.log(e.code, e.kernelMessage);
      void map;`,
    );
    fs.writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          skipLibCheck: false,
          noEmit: true,
          target: 'ES2022',
          module: 'node16',
          moduleResolution: 'node16',
          lib: ['ES2022', 'esnext.disposable'],
          types: ['node'],
          typeRoots: [path.join(repoRoot, 'node_modules', '@types')],
        },
        files: ['use.ts'],
      }),
    );
    const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    expect(() => execFileSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8', stdio: 'pipe' })).not.toThrow();
  });
});
