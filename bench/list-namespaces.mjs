// listNamespaces() against `lsns -J -t net` on a busy host: 200 extra
// processes spread over 50 namespaces, in interleaved rounds of the same run.
// Ratios are paired per round.
// usage: sudo node bench/list-namespaces.mjs
import { execFileSync, spawn } from 'node:child_process';
import { listNamespaces } from 'netns-native';
import { report, rounds } from './harness.mjs';

const NAMESPACES = 50;
const PER_NAMESPACE = 4;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Each namespace: one `unshare --net sh` holding 4 sleeping processes.
const holders = [];
const baseline = listNamespaces({ nsid: false }).length;
try {
  for (let i = 0; i < NAMESPACES; i++) {
    const sleepers = Array(PER_NAMESPACE - 1)
      .fill('sleep 300 &')
      .join(' ');
    holders.push(
      spawn('unshare', ['--net', 'sh', '-c', `${sleepers} exec sleep 300`], { stdio: 'ignore', detached: true }),
    );
  }
  for (let i = 0; listNamespaces({ nsid: false }).length < baseline + NAMESPACES; i++) {
    if (i === 500) throw new Error('the holder namespaces never all appeared');
    await sleep(10);
  }
  const found = listNamespaces();
  const lsnsRows = JSON.parse(execFileSync('lsns', ['-J', '-t', 'net'], { encoding: 'utf8' })).namespaces;
  console.log(
    `namespaces: listNamespaces ${found.length}, lsns ${lsnsRows.length}; ` +
      `processes: ${found.reduce((n, ns) => n + ns.nprocs, 0)}`,
  );
  const repeat = (action) => (n) => {
    for (let i = 0; i < n; i++) action();
  };
  const results = await rounds(
    [
      { name: 'lsns -J -t net (spawned)', run: repeat(() => execFileSync('lsns', ['-J', '-t', 'net'])) },
      { name: 'listNamespaces()', run: repeat(() => listNamespaces()) },
      { name: 'listNamespaces({ nsid: false })', run: repeat(() => listNamespaces({ nsid: false })) },
      { name: 'listNamespaces({ fdHolders: true })', run: repeat(() => listNamespaces({ fdHolders: true })) },
    ],
    { reference: 'lsns -J -t net (spawned)', iterations: 10 },
  );
  report('bench/list-namespaces.mjs: every network namespace on the host', results, 'lsns -J -t net (spawned)');
} finally {
  for (const holder of holders) process.kill(-holder.pid, 'SIGKILL'); // the whole group
}
