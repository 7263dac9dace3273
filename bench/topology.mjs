// topology() against the shell loop users run today to see every namespace's
// links and addresses, on 50 named namespaces each with a veth to the host
// and addresses; then how topology() scales to 200 namespaces. Interleaved
// rounds, ratios paired per round (bench/harness.mjs).
// Everything made here is removed at the end, on failure and on Ctrl-C.
// usage: sudo node bench/topology.mjs
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { topology } from 'netns-native';
import { median, pinToCpu, report, rounds } from './harness.mjs';

// Unpinned: both sides are whole workloads (the loop spawns 100 processes),
// which a machine runs on all its CPUs; pinned to one, the loop's processes
// queue behind each other. NETNS_BENCH_CPU=N pins both to CPU N anyway.
const cpu = process.env.NETNS_BENCH_CPU;
if (cpu !== undefined && cpu !== 'none') pinToCpu(Number(cpu));

const PREFIX = 'nnbench-';
const HOST_END = 'nnbh';
const nsName = (i) => `${PREFIX}${i}`;

/** Runs `ip -batch -` with -force (a failed line does not stop the others); returns what failed, if anything. */
function ipBatch(lines, where = []) {
  const result = spawnSync('ip', [...where, '-force', '-batch', '-'], {
    input: `${lines.join('\n')}\n`,
    encoding: 'utf8',
  });
  return result.status === 0 ? '' : result.stderr.trim() || `ip exited with ${result.status ?? result.signal}`;
}

/** Removes every namespace and host link a run of this script made (also one that was killed). */
function cleanUp() {
  const hostEnds = fs.readdirSync('/sys/class/net').filter((name) => name.startsWith(HOST_END));
  if (hostEnds.length > 0) ipBatch(hostEnds.map((name) => `link delete ${name}`));
  const names = fs.existsSync('/run/netns')
    ? fs.readdirSync('/run/netns').filter((name) => name.startsWith(PREFIX))
    : [];
  if (names.length > 0) ipBatch(names.map((name) => `netns delete ${name}`));
}

const interrupted = () => {
  cleanUp();
  process.exit(130);
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, interrupted);

/** Namespaces from..to-1, each with a veth to the host, up, with an IPv4 and an IPv6 address at both ends. */
function addNamespaces(from, to) {
  const host = [];
  for (let i = from; i < to; i++) {
    const name = nsName(i);
    host.push(
      `netns add ${name}`,
      `link add ${HOST_END}${i} type veth peer name eth0 netns ${name}`,
      `link set ${HOST_END}${i} up`,
      `address add 10.${200 + (i >> 8)}.${i & 255}.1/30 dev ${HOST_END}${i}`,
    );
  }
  const failed = ipBatch(host);
  if (failed) throw new Error(`setting up the host side failed: ${failed}`);
  for (let i = from; i < to; i++) {
    const inside = ipBatch(
      [
        'link set lo up',
        'link set eth0 up',
        `address add 10.${200 + (i >> 8)}.${i & 255}.2/30 dev eth0`,
        `address add fd00:b:${i.toString(16)}::2/64 dev eth0`,
      ],
      ['-n', nsName(i)],
    );
    if (inside) throw new Error(`setting up ${nsName(i)} failed: ${inside}`);
  }
}

/** The premise: the map really holds the namespaces made and their veth pairs. */
async function checkMap(count) {
  const map = await topology();
  const ours = map.namespaces.filter((ns) => ns.names.some((name) => name.startsWith(PREFIX)));
  const pairs = map.vethPairs.filter(({ a, b }) => [a.name, b.name].some((name) => name.startsWith(HOST_END)));
  const addressed = ours.filter(
    (ns) =>
      ns.addresses.some((address) => address.family === 4) &&
      ns.addresses.some((address) => address.address.startsWith('fd00:')),
  );
  if (ours.length !== count || pairs.length !== count || addressed.length !== count) {
    throw new Error(
      `the map holds ${ours.length} of our namespaces, ${pairs.length} pairs, ` +
        `${addressed.length} with addresses; expected ${count}`,
    );
  }
  return map.namespaces.length;
}

const sh = (script) => () => {
  const result = spawnSync('sh', ['-c', script], { stdio: 'ignore' });
  // Ctrl-C reaches the shell first, while this process waits for it.
  if (result.signal === 'SIGINT' || result.signal === 'SIGTERM') interrupted();
  if (result.status === null) throw new Error(`sh -c '${script}' was killed by ${result.signal}`);
};
// As users write it. `ip netns list` prints "NAME (id: N)" once the namespace
// has an nsid (every one with a veth to the host has), so this loop also runs
// ip on "(id:" and "N)", which fail at once: the loop as written, warts and all.
const shellLoop = sh('for n in $(ip netns list); do ip -n $n -j -d link; ip -n $n -j addr; done >/dev/null 2>&1');
// The same loop over names only: what it was meant to do (the reference).
const shellLoopNames = sh(
  'for n in $(ip netns list | cut -d" " -f1); do ip -n $n -j -d link; ip -n $n -j addr; done >/dev/null 2>&1',
);

const repeat = (body) => async (iterations) => {
  for (let i = 0; i < iterations; i++) await body();
};

try {
  cleanUp();
  addNamespaces(0, 50);
  const total50 = await checkMap(50);
  const fifty = await rounds(
    [
      { name: 'shell loop over names (reference)', run: repeat(shellLoopNames) },
      { name: 'shell loop as written (for n in $(ip netns list))', run: repeat(shellLoop) },
      // A long-lived tool maps more than once: three maps a round, timed per map.
      { name: 'topology()', iterations: 3, run: repeat(() => topology()) },
      { name: 'topology({ fdHolders: false })', iterations: 3, run: repeat(() => topology({ fdHolders: false })) },
    ],
    { reference: 'shell loop over names (reference)', rounds: 7, warmup: 1 },
  );
  report(
    `50 named namespaces with a veth to the host (${total50} namespaces on the host in all)`,
    fifty,
    'shell loop over names (reference)',
  );

  addNamespaces(50, 200);
  const total200 = await checkMap(200);
  const twoHundred = await rounds(
    [
      { name: 'topology()', iterations: 3, run: repeat(() => topology()) },
      { name: 'topology({ fdHolders: false })', iterations: 3, run: repeat(() => topology({ fdHolders: false })) },
    ],
    { reference: 'topology()', rounds: 7, warmup: 1 },
  );
  report(`200 named namespaces with a veth to the host (${total200} namespaces in all)`, twoHundred, 'topology()');

  const perNamespace = (result, name, count) => `${(median(result.perIteration[name]) / count / 1e3).toFixed(0)} µs`;
  console.log('time per namespace (median round / namespaces on the host):');
  for (const name of ['topology()', 'topology({ fdHolders: false })']) {
    console.log(
      `  ${name.padEnd(44)} ${perNamespace(fifty, name, total50).padStart(8)} at ${total50}, ` +
        `${perNamespace(twoHundred, name, total200).padStart(8)} at ${total200}`,
    );
  }
  console.log(
    `  ${'shell loop over names'.padEnd(44)} ${perNamespace(fifty, 'shell loop over names (reference)', 50).padStart(8)} at 50`,
  );
  const ratio = median(fifty.ratios['topology()']);
  console.log(
    `topology() is ${ratio.toFixed(3)}x the shell loop over names (target <= 0.05x): ${ratio <= 0.05 ? 'met' : 'NOT met'}`,
  );
} finally {
  cleanUp();
}
