// ns.spawn('true') against `ip netns exec NAME true` and `nsenter --net=PATH
// true`, each timed from spawn to exit in this run.
// usage: sudo node bench/spawn.mjs
import { spawn } from 'node:child_process';
import { NetNamespace } from 'netns-native';

const RUNS = 60;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function timeMs(start) {
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    const begin = process.hrtime.bigint();
    const child = start();
    const code = await new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', resolve);
    });
    if (code !== 0) throw new Error(`child exited with ${code}`);
    samples.push(Number(process.hrtime.bigint() - begin) / 1e6);
  }
  return median(samples);
}

const name = `nn-bench-spawn-${process.pid}`;
const ns = NetNamespace.createNamed(name);
try {
  const path = `/run/netns/${name}`;
  const results = [
    ['ip netns exec NAME true', await timeMs(() => spawn('ip', ['netns', 'exec', name, 'true']))],
    ['nsenter --net=PATH true', await timeMs(() => spawn('nsenter', [`--net=${path}`, 'true']))],
    ['ns.spawn(true)', await timeMs(() => ns.spawn('true'))],
    ["ns.spawn(true, isolated)", await timeMs(() => ns.spawn('true', [], { mountNamespace: 'isolated' }))],
    ['spawn(true), no namespace (floor)', await timeMs(() => spawn('true'))],
  ];
  const [ipExec, nsenter] = [results[0][1], results[1][1]];
  for (const [label, ms] of results) {
    console.log(`${label.padEnd(34)} ${ms.toFixed(2).padStart(7)} ms  ` +
      `${(ms / ipExec).toFixed(2)}x ip netns exec  ${(ms / nsenter).toFixed(2)}x nsenter`);
  }
} finally {
  ns.close();
  NetNamespace.delete(name);
}
