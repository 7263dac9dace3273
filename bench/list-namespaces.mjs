// listNamespaces() against `lsns -J -t net` (util-linux, one process that
// reads the same /proc files) as the host gets busier: the host as it is,
// then about 270 and 1,070 processes (extra processes held 20 to a namespace);
// then 1,070 and 270 again with every one of those namespaces numbered (an
// nsid assigned, as a container host's veth peers get them), where each
// namespace must be asked for its nsid. Interleaved rounds of the same run,
// ratios paired per round. Every process started here is killed at the end,
// also on failure (and its nsid goes with its namespace).
// usage: sudo node bench/list-namespaces.mjs
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { listNamespaces, setNsid } from 'netns-native';
import { report, reportWarmUp, rounds, warmUp } from './harness.mjs';

const PER_NAMESPACE = 20;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const processCount = () => fs.readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).length;

const holders = [];
/** Adds namespaces of 20 sleeping processes each until the host runs about `total` processes. */
async function growTo(total) {
  const before = listNamespaces({ nsid: false }).length;
  const needed = Math.max(0, Math.ceil((total - processCount()) / PER_NAMESPACE));
  for (let added = 0; added < needed; added++) {
    const sleepers = Array(PER_NAMESPACE - 1)
      .fill('sleep 600 &')
      .join(' ');
    // unshare execs sh, which starts 19 sleepers and becomes the 20th.
    holders.push(
      spawn('unshare', ['--net', 'sh', '-c', `${sleepers} exec sleep 600`], { stdio: 'ignore', detached: true }),
    );
  }
  const ours = () =>
    holders.length === 0
      ? 0
      : Number(spawnSync('pgrep', ['-c', '-g', holders.map((h) => h.pid).join(',')], { encoding: 'utf8' }).stdout);
  for (
    let i = 0;
    ours() < holders.length * PER_NAMESPACE || listNamespaces({ nsid: false }).length < before + needed;
    i++
  ) {
    if (i === 1000) throw new Error(`the ${holders.length * PER_NAMESPACE} holder processes never all started`);
    await sleep(10);
  }
}

/** Ends the newest holders (20 processes each) until the host runs about `total` processes. */
async function shrinkTo(total) {
  while (holders.length > 0 && processCount() - PER_NAMESPACE >= total) {
    const holder = holders.pop();
    process.kill(-holder.pid, 'SIGKILL');
    for (let i = 0; spawnSync('pgrep', ['-g', String(holder.pid)]).status === 0; i++) {
      if (i === 1000) throw new Error(`holder group ${holder.pid} never ended`);
      await sleep(10);
    }
  }
}

const repeat = (action) => (n) => {
  for (let i = 0; i < n; i++) action();
};
const reference = 'lsns -J -t net';

async function measure(what) {
  const found = listNamespaces();
  const lsnsRows = JSON.parse(execFileSync('lsns', ['-J', '-t', 'net'], { encoding: 'utf8' })).namespaces;
  if (found.length < lsnsRows.length) throw new Error(`listNamespaces found ${found.length}, lsns ${lsnsRows.length}`);
  // At steady state: a fresh process's first listings also pay for V8 compiling them.
  reportWarmUp('listNamespaces()', await warmUp(() => listNamespaces()));
  reportWarmUp('listNamespaces({ nsid: false })', await warmUp(() => listNamespaces({ nsid: false })));
  const results = await rounds(
    [
      { name: reference, run: repeat(() => execFileSync('lsns', ['-J', '-t', 'net'])) },
      { name: 'listNamespaces()', run: repeat(() => listNamespaces()) },
      { name: 'listNamespaces({ nsid: false })', run: repeat(() => listNamespaces({ nsid: false })) },
    ],
    { reference, iterations: 10 },
  );
  const numbered = found.filter((info) => info.nsid !== undefined).length;
  report(
    `every network namespace on a host of ${processCount()} processes ` +
      `(${found.length} namespaces, ${numbered} numbered${what}; lsns lists ${lsnsRows.length})`,
    results,
    reference,
  );
}

try {
  console.log('command: sudo node bench/list-namespaces.mjs');
  for (const total of [0, 270, 1070]) {
    await growTo(total);
    await measure('');
  }
  for (const holder of holders) setNsid({ pid: holder.pid }, 'auto');
  await measure(': every namespace made here numbered');
  await shrinkTo(270);
  await measure(': every namespace made here numbered');
} finally {
  for (const holder of holders) process.kill(-holder.pid, 'SIGKILL'); // the whole group
}
