// createNamed + delete against iproute2 doing the same in one process
// (`ip -batch -` of N `netns add` + `netns del` lines), in interleaved rounds
// of the same run. Ratios are paired per round. Nothing is left behind.
// The kernel frees a deleted namespace later, in a worker of its own, and
// that work holds locks a new namespace needs: each candidate starts after an
// untimed pause, so that neither pays for freeing the other's namespaces.
// usage: sudo node bench/named.mjs [namespaces per round, default 50]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { NetNamespace } from 'netns-native';
import { keepRunDirAsFound, report, rounds } from './harness.mjs';

const COUNT = Number(process.argv[2] ?? 50);
if (!Number.isInteger(COUNT) || COUNT < 1 || COUNT > 1000) throw new RangeError('namespaces per round: 1 to 1000');
const restoreRunDir = keepRunDirAsFound();
const prefix = `nn-bench-${process.pid}`;
let serial = 0;

const batch = (n) => {
  const names = Array.from({ length: n }, () => `${prefix}-${serial++}`);
  return [...names.map((name) => `netns add ${name}`), ...names.map((name) => `netns del ${name}`)];
};

function cleanUp() {
  if (!fs.existsSync('/run/netns')) return;
  for (const name of fs.readdirSync('/run/netns').filter((entry) => entry.startsWith(prefix))) {
    NetNamespace.delete(name);
  }
}

const SETTLE_MS = 300;
const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
const reference = 'ip -batch: netns add + netns del';
try {
  const results = await rounds(
    [
      {
        name: reference,
        before: settle,
        run: (n) => {
          const result = spawnSync('ip', ['-batch', '-'], { input: `${batch(n).join('\n')}\n`, encoding: 'utf8' });
          if (result.status !== 0) throw new Error(`ip -batch failed: ${result.stderr}`);
        },
      },
      {
        name: 'createNamed + delete (all made, then all deleted)',
        before: settle,
        run: (n) => {
          const names = Array.from({ length: n }, () => `${prefix}-${serial++}`);
          for (const name of names) NetNamespace.createNamed(name).close();
          for (const name of names) NetNamespace.delete(name);
        },
      },
    ],
    { reference, iterations: COUNT, rounds: 13 },
  );
  console.log(`command: sudo node bench/named.mjs ${COUNT}   (time per namespace)`);
  report(`name a new namespace and delete it, ${COUNT} a round`, results, reference);
} finally {
  cleanUp();
  restoreRunDir();
}
