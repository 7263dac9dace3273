// createNamed + delete against `ip netns add` + `ip netns del`, in
// interleaved rounds of the same run. Ratios are paired per round.
// usage: sudo node bench/named.mjs
import { execFileSync } from 'node:child_process';
import { NetNamespace } from 'netns-native';
import { keepRunDirAsFound, report, rounds } from './harness.mjs';

const restoreRunDir = keepRunDirAsFound();
const prefix = `nn-bench-${process.pid}`;
let serial = 0;
const results = await rounds(
  [
    {
      name: 'ip netns add + ip netns del',
      run: (n) => {
        for (let i = 0; i < n; i++, serial++) {
          execFileSync('ip', ['netns', 'add', `${prefix}-${serial}`]);
          execFileSync('ip', ['netns', 'del', `${prefix}-${serial}`]);
        }
      },
    },
    {
      name: 'createNamed + delete',
      run: (n) => {
        for (let i = 0; i < n; i++, serial++) {
          NetNamespace.createNamed(`${prefix}-${serial}`).close();
          NetNamespace.delete(`${prefix}-${serial}`);
        }
      },
    },
  ],
  { reference: 'ip netns add + ip netns del', iterations: 20 },
);
report('bench/named.mjs: name a new namespace and delete it', results, 'ip netns add + ip netns del');
restoreRunDir();
