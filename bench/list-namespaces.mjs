// listNamespaces() against `lsns -J -t net` on a busy host: 200 extra
// processes spread over 50 namespaces. Both are timed in this run.
// usage: sudo node bench/list-namespaces.mjs
import { execFileSync, spawn } from 'node:child_process';
import { listNamespaces } from 'netns-native';

const NAMESPACES = 50;
const PER_NAMESPACE = 4;
const RUNS = 30;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function timeMs(action) {
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    action();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(samples);
}

// Each namespace: one `unshare --net sh` holding 4 sleeping processes.
const holders = [];
try {
  for (let i = 0; i < NAMESPACES; i++) {
    const sleepers = Array(PER_NAMESPACE - 1).fill('sleep 300 &').join(' ');
    holders.push(spawn('unshare', ['--net', 'sh', '-c', `${sleepers} exec sleep 300`],
      { stdio: 'ignore', detached: true }));
  }
  const expected = NAMESPACES + 1;
  for (let i = 0; i < 500 && listNamespaces({ nsid: false }).length < expected; i++) await sleep(10);

  const found = listNamespaces();
  const lsnsRows = JSON.parse(execFileSync('lsns', ['-J', '-t', 'net'], { encoding: 'utf8' })).namespaces;
  console.log(`namespaces: listNamespaces ${found.length}, lsns ${lsnsRows.length}; ` +
    `processes: ${found.reduce((n, ns) => n + ns.nprocs, 0)}`);

  const lsnsMs = timeMs(() => execFileSync('lsns', ['-J', '-t', 'net']));
  const oursMs = timeMs(() => listNamespaces());
  const oursNoNsidMs = timeMs(() => listNamespaces({ nsid: false }));
  const oursFdsMs = timeMs(() => listNamespaces({ fdHolders: true }));
  console.log(`lsns -J -t net (spawned)       ${lsnsMs.toFixed(2).padStart(8)} ms  1.00x`);
  console.log(`listNamespaces()               ${oursMs.toFixed(2).padStart(8)} ms  ${(oursMs / lsnsMs).toFixed(2)}x`);
  console.log(`listNamespaces({ nsid: false }) ${oursNoNsidMs.toFixed(2).padStart(7)} ms  ${(oursNoNsidMs / lsnsMs).toFixed(2)}x`);
  console.log(`listNamespaces({ fdHolders: true }) ${oursFdsMs.toFixed(2).padStart(5)} ms  ${(oursFdsMs / lsnsMs).toFixed(2)}x`);
  console.log(`listNamespaces is ${(lsnsMs / oursMs).toFixed(1)}x faster than lsns (target >= 2x)`);
} finally {
  for (const holder of holders) process.kill(-holder.pid, 'SIGKILL'); // the whole group
}
