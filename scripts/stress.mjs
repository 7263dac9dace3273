// A stress and fault run for the figures in docs/reliability.md: racing
// creators, create/delete cycles, workers switching at once, and a corpus of
// bad input under --abort-on-uncaught-exception. Everything it makes is
// removed; it exits 1 if any check fails.
// usage: sudo node scripts/stress.mjs [--quick]
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.join(root, 'dist', 'index.js');
const quick = process.argv.includes('--quick');
const scale = (n) => (quick ? Math.max(1, Math.round(n / 20)) : n);
const lib = (await import(entry)).default;

const failures = [];
const check = (ok, what) => {
  if (!ok) failures.push(what);
};
const mountPoints = () =>
  fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' ')[4]);
const home = fs.readlinkSync('/proc/thread-self/ns/net');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nn-stress-'));
const report = [];

async function racingCreators(count) {
  const runDir = path.join(dir, 'race');
  const go = path.join(dir, 'go');
  const script = `const lib = require(${JSON.stringify(entry)}); const fs = require('node:fs');
    console.log('ready'); while (!fs.existsSync(process.argv[3])) {}
    const name = process.argv[1];
    for (let i = 0; i < 20; i++) {
      lib.NetNamespace.createNamed(name + '-' + i, { runDir: process.argv[2] }).close();
      lib.NetNamespace.delete(name + '-' + i, { runDir: process.argv[2] });
    }`;
  const children = Array.from({ length: count }, (_, i) =>
    spawn(process.execPath, ['-e', script, '--', `r${i}`, runDir, go], { stdio: ['ignore', 'pipe', 'inherit'] }),
  );
  await Promise.all(children.map((child) => new Promise((resolve) => child.stdout.once('data', resolve))));
  fs.writeFileSync(go, '');
  const codes = await Promise.all(children.map((child) => new Promise((resolve) => child.once('exit', resolve))));
  check(
    codes.every((code) => code === 0),
    `racing creators: exit codes ${codes}`,
  );
  check(mountPoints().filter((point) => point === runDir).length === 1, 'racing creators: one run-dir mount');
  check(fs.readdirSync(runDir).length === 0, 'racing creators: every name deleted');
  spawnSync('umount', ['-l', runDir]);
  report.push(
    `${count} processes racing, 20 create+delete each, on one fresh run dir: one run-dir mount, nothing left`,
  );
}

function cycles(count) {
  const runDir = path.join(dir, 'cycles');
  const fdsBefore = fs.readdirSync('/proc/self/fd').length;
  for (let i = 0; i < count; i++) {
    lib.NetNamespace.createNamed(`c${i}`, { runDir }).close();
    lib.NetNamespace.delete(`c${i}`, { runDir });
  }
  check(fs.readdirSync(runDir).length === 0, 'cycles: names left');
  check(!mountPoints().some((point) => point.startsWith(`${runDir}/`)), 'cycles: mounts left');
  check(fs.readdirSync('/proc/self/fd').length <= fdsBefore + 1, 'cycles: fds leaked');
  spawnSync('umount', ['-l', runDir]);
  report.push(`${count} createNamed+delete cycles in one process: no fd, name or mount left`);
}

async function switchingWorkers(workers, switches) {
  const ns = lib.NetNamespace.create();
  const body = `const lib = require(${JSON.stringify(entry)}); const fs = require('node:fs');
    const { workerData, parentPort } = require('node:worker_threads');
    const ns = lib.NetNamespace.fromPath('/proc/${process.pid}/fd/' + workerData.fd);
    const home = fs.readlinkSync('/proc/thread-self/ns/net');
    let wrong = 0;
    for (let i = 0; i < workerData.switches; i++) {
      const inside = lib.enterNetns(ns, () => (i % 1000 === 0 ? fs.readlinkSync('/proc/thread-self/ns/net') : ns.id));
      if (inside !== ns.id) wrong++;
      if (i % 1000 === 0 && fs.readlinkSync('/proc/thread-self/ns/net') !== home) wrong++;
    }
    ns.close();
    parentPort.postMessage({ wrong, home: fs.readlinkSync('/proc/thread-self/ns/net') === home });`;
  const results = await Promise.all(
    Array.from(
      { length: workers },
      () =>
        new Promise((resolve, reject) => {
          const worker = new Worker(body, { eval: true, workerData: { fd: ns.fd, switches } });
          worker.once('message', resolve);
          worker.once('error', reject);
        }),
    ),
  );
  ns.close();
  check(
    results.every((r) => r.wrong === 0 && r.home),
    `switching workers: ${JSON.stringify(results)}`,
  );
  check(fs.readlinkSync('/proc/thread-self/ns/net') === home, 'switching workers: main thread moved');
  report.push(`${workers} workers x ${switches} enterNetns switches at once: every check inside and after in place`);
}

function corpusUnderAbortFlag() {
  const result = spawnSync(
    process.execPath,
    ['--abort-on-uncaught-exception', path.join(root, 'scripts', 'bad-input-corpus.mjs')],
    { encoding: 'utf8', cwd: dir, timeout: 120_000 },
  );
  check(
    result.status === 0 && result.signal === null,
    `corpus: exit ${result.status} ${result.signal}\n${result.stderr}`,
  );
  const last = JSON.parse(result.stdout.trim().split('\n').pop() || '{}');
  check(last.nsfsFdsLeft === 0 && last.home === true, `corpus: ${result.stdout}`);
  report.push(
    `${last.tried} bad inputs (${last.values} wrong values into ${last.calls} calls) under ` +
      '--abort-on-uncaught-exception: no abort, no namespace fd left, thread at home',
  );
}

try {
  await racingCreators(32);
  cycles(scale(10_000));
  await switchingWorkers(4, scale(20_000));
  corpusUnderAbortFlag();
  check(fs.readlinkSync('/proc/thread-self/ns/net') === home, 'main thread moved');
} finally {
  for (const point of mountPoints().reverse()) if (point.startsWith(dir)) spawnSync('umount', ['-l', point]);
  fs.rmSync(dir, { recursive: true, force: true });
  spawnSync('ip', ['link', 'del', 'nn-stress']); // in case a bad input made one
}
console.log(
  `scripts/stress.mjs${quick ? ' --quick' : ''} (${os.cpus().length} cpus, ${os.release()}, node ${process.version})`,
);
for (const line of report) console.log(`  ${line}`);
if (failures.length > 0) {
  console.log(`FAILED:\n  ${failures.join('\n  ')}`);
  process.exitCode = 1;
} else {
  console.log('all checks passed');
}
