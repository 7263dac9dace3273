// createNamed + delete against `ip netns add` + `ip netns del`, same run.
// usage: sudo node bench/named.mjs
import { execFileSync } from 'node:child_process';
import { NetNamespace } from 'netns-native';

const RUNS = 100;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function timeUs(action) {
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    action(i);
    samples.push(Number(process.hrtime.bigint() - start) / 1e3);
  }
  return median(samples);
}

const prefix = `nn-bench-${process.pid}`;
const ipUs = timeUs((i) => {
  execFileSync('ip', ['netns', 'add', `${prefix}-ip-${i}`]);
  execFileSync('ip', ['netns', 'del', `${prefix}-ip-${i}`]);
});
const oursUs = timeUs((i) => {
  NetNamespace.createNamed(`${prefix}-ours-${i}`).close();
  NetNamespace.delete(`${prefix}-ours-${i}`);
});
console.log(`ip netns add + del (2 spawns)   ${(ipUs / 1000).toFixed(2).padStart(8)} ms  1.00x`);
console.log(`createNamed + delete            ${(oursUs / 1000).toFixed(2).padStart(8)} ms  ${(oursUs / ipUs).toFixed(3)}x`);
console.log(`createNamed + delete is ${(ipUs / oursUs).toFixed(1)}x faster`);
