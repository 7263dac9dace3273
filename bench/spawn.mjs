// Starting `true` inside a namespace and waiting for its exit: ns.spawn
// (shared and isolated) against `ip netns exec NAME true` and `nsenter
// --net=PATH true`, with a plain spawn('true') as the floor, in interleaved
// rounds of the same run, pinned to one CPU. Ratios are paired per round.
// usage: sudo node bench/spawn.mjs
import { spawn } from 'node:child_process';
import { NetNamespace } from 'netns-native';
import { keepRunDirAsFound, pinToCpu, report, rounds } from './harness.mjs';

pinToCpu();
const restoreRunDir = keepRunDirAsFound();

async function runAll(n, start) {
  for (let i = 0; i < n; i++) {
    const child = start();
    const code = await new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', resolve);
    });
    if (code !== 0) throw new Error(`child exited with ${code}`);
  }
}

const name = `nn-bench-spawn-${process.pid}`;
const ns = NetNamespace.createNamed(name);
try {
  const path = `/run/netns/${name}`;
  const results = await rounds(
    [
      { name: 'ip netns exec NAME true', run: (n) => runAll(n, () => spawn('ip', ['netns', 'exec', name, 'true'])) },
      { name: 'nsenter --net=PATH true', run: (n) => runAll(n, () => spawn('nsenter', [`--net=${path}`, 'true'])) },
      { name: "ns.spawn('true')", run: (n) => runAll(n, () => ns.spawn('true')) },
      {
        name: "ns.spawn('true'), isolated",
        run: (n) => runAll(n, () => ns.spawn('true', [], { mountNamespace: 'isolated' })),
      },
      { name: "spawn('true'), no namespace (floor)", run: (n) => runAll(n, () => spawn('true')) },
    ],
    { reference: 'ip netns exec NAME true', iterations: 20 },
  );
  report('bench/spawn.mjs: start `true` inside and wait for its exit', results, 'ip netns exec NAME true');
} finally {
  ns.close();
  NetNamespace.delete(name);
  restoreRunDir();
}
