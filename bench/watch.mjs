// watch(): latency from a change to its event, and throughput under churn,
// each beside `ip monitor all-nsid` reading the same changes in the same run.
// usage: sudo node bench/watch.mjs   (needs dist/: npm run build:ts)
import { spawn, execFileSync } from 'node:child_process';

import { NetNamespace, watch } from '../dist/index.js';
import { median } from './harness.mjs';

const tag = `bw${process.pid % 10000}`;
const ip = (args, input) => execFileSync('ip', args, { input, stdio: ['pipe', 'pipe', 'inherit'] }).toString();
/** `ip -n NS -batch -` without blocking this loop (the watch reads meanwhile). */
function ipBatch(ns, lines) {
  const child = spawn('ip', ['-n', ns, '-batch', '-'], { stdio: ['pipe', 'ignore', 'inherit'] });
  child.stdin.end(`${lines.join('\n')}\n`);
  return new Promise((resolve, reject) =>
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`ip -batch exited ${code}`)))),
  );
}
const p99 = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.99)];
const ms = (ns) => (Number(ns) / 1e6).toFixed(3);

/** `ip monitor all-nsid` in the observer; calls back with each line and when it came. */
function ipMonitor(onLine) {
  const child = spawn('ip', ['monitor', 'all-nsid', 'link'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let buffer = '';
  child.stdout.on('data', (chunk) => {
    const at = process.hrtime.bigint();
    buffer += chunk;
    const lines = buffer.split('\n');
    buffer = lines.pop();
    for (const line of lines) onLine(line, at);
  });
  return child;
}

async function latency() {
  const name = `${tag}-lat`;
  ip(['netns', 'add', name]);
  try {
    ip(['-n', name, 'link', 'add', 'b0', 'type', 'bridge']);
    const ns = NetNamespace.fromName(name);
    const watcher = watch({ namespaces: [name], kinds: ['link'] });
    await watcher.ready;
    const ours = { library: [], ip: [] };
    const theirs = { library: [], ip: [] };
    let pending;
    watcher.on('event', (event) => {
      if (pending && event.link?.mtu === pending.mtu) pending.ours = process.hrtime.bigint();
      pending?.check();
    });
    const monitor = ipMonitor((line, at) => {
      if (pending && line.includes(` mtu ${pending.mtu} `)) pending.theirs = at;
      pending?.check();
    });
    await new Promise((resolve) => setTimeout(resolve, 300)); // ip monitor has no ready signal
    for (let i = 0; i < 400; i++) {
      const via = i % 2 === 0 ? 'library' : 'ip';
      const mtu = 1000 + i;
      const done = new Promise((resolve) => {
        pending = { mtu, check: () => pending.ours && pending.theirs && resolve() };
      });
      const t0 = process.hrtime.bigint();
      if (via === 'library') ns.setLink('b0', { mtu });
      else ip(['-n', name, 'link', 'set', 'b0', 'mtu', String(mtu)]);
      pending.t0 = t0;
      await done;
      ours[via].push(Number(pending.ours - t0));
      theirs[via].push(Number(pending.theirs - t0));
    }
    monitor.kill();
    await watcher.close();
    ns.close();
    for (const via of ['library', 'ip']) {
      console.log(
        `change made with ${via.padEnd(7)}: watch() median ${ms(median(ours[via]))} ms, p99 ${ms(p99(ours[via]))} ms;` +
          ` ip monitor all-nsid median ${ms(median(theirs[via]))} ms, p99 ${ms(p99(theirs[via]))} ms` +
          ` (n=${ours[via].length}, from the call to the event)`,
      );
    }
  } finally {
    ip(['netns', 'delete', name]);
  }
}

async function churn() {
  const names = Array.from({ length: 20 }, (_, i) => `${tag}-c${i}`);
  for (const name of names) ip(['netns', 'add', name]);
  try {
    const watcher = watch({ namespaces: names, kinds: ['link'] });
    await watcher.ready;
    let ipLines = 0;
    const monitor = ipMonitor(() => ipLines++);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const before = watcher.stats.events;
    const start = process.hrtime.bigint();
    // 1,000 pairs, 50 from each namespace into the next, all namespaces at
    // once, then deleted the same way; the watch reads while ip works.
    await Promise.all(
      names.map((name, index) =>
        ipBatch(
          name,
          Array.from(
            { length: 50 },
            (_, i) => `link add x${i} type veth peer name y${index}x${i} netns ${names[(index + 1) % names.length]}`,
          ),
        ),
      ),
    );
    await Promise.all(
      names.map((name) =>
        ipBatch(
          name,
          Array.from({ length: 50 }, (_, i) => `link del x${i}`),
        ),
      ),
    );
    const made = process.hrtime.bigint();
    // Settled: no event for 500 ms (and any resync over).
    for (let quiet = false; !quiet;) {
      const seen = watcher.stats.events;
      await new Promise((resolve) => setTimeout(resolve, 500));
      quiet = watcher.stats.events === seen;
    }
    monitor.kill();
    const seconds = Number(made - start) / 1e9;
    const events = watcher.stats.events - before;
    let equal = true;
    for (const { netns, links } of watcher.snapshot()) {
      const name = netns.name;
      const theirs = JSON.parse(ip(['-n', name, '-j', 'link']))
        .map((l) => `${l.ifindex} ${l.ifname}`)
        .sort();
      const mine = links.map((l) => `${l.ifindex} ${l.name}`).sort();
      if (JSON.stringify(theirs) !== JSON.stringify(mine)) equal = false;
    }
    console.log(
      `churn: 1000 veth pairs made and deleted across 20 namespaces in ${seconds.toFixed(2)} s; ` +
        `watch(): ${events} events (${Math.round(events / seconds)}/s), overruns ${watcher.stats.overruns}, ` +
        `resyncs ${watcher.stats.resyncs}, final model equals ip -j link: ${equal}; ` +
        `ip monitor all-nsid printed ${ipLines} lines`,
    );
    await watcher.close();
    if (!equal) process.exitCode = 1;
  } finally {
    for (const name of names) ip(['netns', 'delete', name]);
  }
}

await latency();
await churn();
