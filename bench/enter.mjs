// enterNetns round trip against a raw C setns pair and against `ip netns exec`,
// all measured in this run. Ratios are what to read; absolute times are noisy.
// usage: sudo node bench/enter.mjs
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NetNamespace, enterNetns, sys } from 'netns-native';

const ITERATIONS = 100_000;
const ROUNDS = 9;
const here = path.dirname(fileURLToPath(import.meta.url));

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function timePerCall(iterations, body) {
  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) body();
    rounds.push(Number(process.hrtime.bigint() - start) / iterations);
  }
  return median(rounds);
}

function rawCPair(nsPath) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nn-bench-'));
  try {
    const binary = path.join(dir, 'raw-setns');
    execFileSync('cc', ['-O2', '-o', binary, path.join(here, 'raw-setns.c')]);
    return Number(execFileSync(binary, [nsPath, String(ITERATIONS), String(ROUNDS)], { encoding: 'utf8' }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const name = `nn-bench-${process.pid}`;
execFileSync('ip', ['netns', 'add', name]);
const ns = NetNamespace.fromName(name);
const home = NetNamespace.current();
try {
  const noop = () => undefined;
  timePerCall(ITERATIONS, () => enterNetns(ns, noop)); // warm up the JIT

  const enterNs = timePerCall(ITERATIONS, () => enterNetns(ns, noop));
  const sysPairNs = timePerCall(ITERATIONS, () => {
    sys.setns(ns.fd, sys.constants.CLONE_NEWNET);
    sys.setns(home.fd, sys.constants.CLONE_NEWNET);
  });
  const rawNs = rawCPair(`/run/netns/${name}`);
  const execRuns = 50;
  const ipStart = process.hrtime.bigint();
  for (let i = 0; i < execRuns; i++) spawnSync('ip', ['netns', 'exec', name, 'true']);
  const ipExecNs = Number(process.hrtime.bigint() - ipStart) / execRuns;

  const rows = [
    ['raw C setns pair (reference)', rawNs, 1],
    ['sys.setns pair from JS', sysPairNs, sysPairNs / rawNs],
    ['enterNetns(ns, () => {})', enterNs, enterNs / rawNs],
    ['ip netns exec NAME true', ipExecNs, ipExecNs / rawNs],
  ];
  console.log(`${os.cpus().length} cpus, ${os.release()}, node ${process.version}`);
  for (const [label, ns_, ratio] of rows) {
    console.log(`${label.padEnd(32)} ${(ns_ / 1000).toFixed(2).padStart(10)} µs  ${ratio.toFixed(2).padStart(8)}x raw`);
  }
  console.log(`enterNetns / raw C pair: ${(enterNs / rawNs).toFixed(2)}x (target <= 1.3x)`);
  console.log(`ip netns exec / enterNetns: ${(ipExecNs / enterNs).toFixed(0)}x slower`);
} finally {
  ns.close();
  home.close();
  execFileSync('ip', ['netns', 'del', name]);
}
