// enterNetns round trip against a raw C setns pair and a sys.setns pair from
// JS, in interleaved rounds of the same run, everything pinned to one CPU
// (which CPU runs the loop changes setns's cost by up to 40%); `ip netns exec
// NAME true` for scale. Ratios are paired per round.
// usage: sudo node bench/enter.mjs
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NetNamespace, enterNetns, sys } from 'netns-native';
import { keepRunDirAsFound, pinToCpu, report, rounds } from './harness.mjs';

pinToCpu();
const restoreRunDir = keepRunDirAsFound();
const ITERATIONS = 100_000;
const here = path.dirname(fileURLToPath(import.meta.url));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nn-bench-'));
const name = `nn-bench-enter-${process.pid}`;
execFileSync('ip', ['netns', 'add', name]);
const ns = NetNamespace.fromName(name);
const home = NetNamespace.current();
try {
  const rawSetns = path.join(dir, 'raw-setns');
  execFileSync('cc', ['-O2', '-o', rawSetns, path.join(here, 'raw-setns.c')]);
  const noop = () => undefined;
  const { CLONE_NEWNET } = sys.constants;
  const results = await rounds(
    [
      {
        name: 'raw C setns pair',
        run: (n) => Number(execFileSync(rawSetns, [ns.path, String(n), '1'], { encoding: 'utf8' })),
      },
      {
        name: 'sys.setns pair from JS',
        run: (n) => {
          for (let i = 0; i < n; i++) {
            sys.setns(ns.fd, CLONE_NEWNET);
            sys.setns(home.fd, CLONE_NEWNET);
          }
        },
      },
      {
        name: 'enterNetns(ns, () => {})',
        run: (n) => {
          for (let i = 0; i < n; i++) enterNetns(ns, noop);
        },
      },
      {
        name: 'ip netns exec NAME true',
        iterations: 20,
        run: (n) => {
          for (let i = 0; i < n; i++) spawnSync('ip', ['netns', 'exec', name, 'true']);
        },
      },
    ],
    { reference: 'raw C setns pair', iterations: ITERATIONS },
  );
  report('bench/enter.mjs: one switch there and back', results, 'raw C setns pair');
} finally {
  ns.close();
  home.close();
  execFileSync('ip', ['netns', 'del', name]);
  fs.rmSync(dir, { recursive: true, force: true });
  restoreRunDir();
}
