// Wiring a namespace: a veth pair from here into a namespace, both ends
// brought up and addressed, N times, by the library (in-process rtnetlink)
// against the same done by iproute2 in one process per side: `ip -batch -` on
// the host and `ip -n NS -batch -` for the far ends (two processes in all), in
// interleaved rounds of the same run, pinned to one CPU. Each run's result is
// checked with `ip -j` and torn down untimed; nothing is left on the host.
//
// A second reference has ip make each pair's first end up at its creation
// (`link add A up type veth peer name B netns NS`), so that ip too sends 4
// requests a pair (create, the far end up, two addresses) instead of 5. Both
// library batches send 4: the batch folds a setLink(up) that follows a
// creation into it, so "the same steps" and "ends created up" differ only in
// how they are written (and where the far ends' ups are sent). The far end cannot
// be created up by either: the kernel refuses a veth peer created up
// (ENOTCONN, 6.18; `... peer name B netns NS up` fails in ip too).
// usage: sudo node bench/wire.mjs [pairs per round, default 20]
import { spawnSync } from 'node:child_process';
import { NetNamespace, createVeth } from 'netns-native';
import { keepRunDirAsFound, pinToCpu, report, rounds, sh, withRatiosTo } from './harness.mjs';

pinToCpu();
const restoreRunDir = keepRunDirAsFound();
const PAIRS = Number(process.argv[2] ?? 20);
if (!Number.isInteger(PAIRS) || PAIRS < 1 || PAIRS > 250) throw new RangeError('pairs per round: 1 to 250');

const here = NetNamespace.current();
const tag = `nw${process.pid % 1000}`; // host link names: nw123o4-17 (at most 15 bytes)
let round = 0;
let target; // the namespace of the current run: { ns, name }

const ends = (prefix, i) => ({
  near: `${tag}${prefix}${round}-${i}`,
  far: `far${i}`,
  near4: `10.123.${i}.1/30`,
  far4: `10.123.${i}.2/30`,
});

function newTarget() {
  const name = `${tag}-target-${round}`;
  target = { ns: NetNamespace.createNamed(name), name };
}

function dropTarget() {
  if (target === undefined) return;
  target.ns.close();
  NetNamespace.delete(target.name); // its far ends die with it, and with them the near ends
  target = undefined;
}

/** Tears down what the run made: the near ends on the host (each takes its far end along). */
function tearDown(prefix) {
  const present = new Set(here.links().map((link) => link.name));
  for (let i = 0; i < PAIRS; i++) {
    const { near } = ends(prefix, i);
    if (present.has(near)) here.deleteLink(near);
  }
  dropTarget();
  round++;
}

/** Every candidate must leave the same thing: every pair up and addressed on both sides. */
function verify(prefix) {
  const hostAddresses = JSON.parse(sh('ip', ['-j', 'addr', 'show']));
  const farAddresses = JSON.parse(sh('ip', ['-n', target.name, '-j', 'addr', 'show']));
  for (let i = 0; i < PAIRS; i++) {
    const { near, far, near4, far4 } = ends(prefix, i);
    for (const [list, ifname, cidr] of [
      [hostAddresses, near, near4],
      [farAddresses, far, far4],
    ]) {
      const link = list.find((entry) => entry.ifname === ifname);
      const addresses = (link?.addr_info ?? []).map((info) => `${info.local}/${info.prefixlen}`);
      if (!link?.flags.includes('UP') || !addresses.includes(cidr)) {
        throw new Error(`${prefix}: ${ifname} is not up with ${cidr}: ${JSON.stringify(link)}`);
      }
    }
  }
}

/** Runs `ip [where] -batch -` on the given lines; any failure is the run's failure. */
function ipBatch(lines, where) {
  const result = spawnSync('ip', [...where, '-batch', '-'], { input: `${lines.join('\n')}\n`, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ip ${where.join(' ')} -batch failed: ${result.stderr}`);
}

/**
 * A candidate: `run(pairs)` wires that many pairs, named by `prefix`, into
 * a new target; afterwards every pair is checked, then removed.
 */
function candidate(name, prefix, run) {
  return {
    name,
    before: newTarget,
    run,
    after() {
      verify(prefix);
      tearDown(prefix);
    },
  };
}

/**
 * An `ip -batch` reference: `hostLines(e)` makes each pair and sets up its
 * near end on the host; the far ends are set up by `ip -n NS -batch`.
 */
function ipReference(name, prefix, hostLines) {
  return candidate(name, prefix, (pairs) => {
    const host = [];
    const far = [];
    for (let i = 0; i < pairs; i++) {
      const e = ends(prefix, i);
      host.push(...hostLines(e));
      far.push(`link set ${e.far} up`, `address add ${e.far4} dev ${e.far}`);
    }
    ipBatch(host, []);
    ipBatch(far, ['-n', target.name]);
  });
}

const candidates = [
  ipReference('ip -batch (host) + ip -n NS -batch (far ends)', 'p', (e) => [
    `link add ${e.near} type veth peer name ${e.far} netns ${target.name}`,
    `link set ${e.near} up`,
    `address add ${e.near4} dev ${e.near}`,
  ]),
  ipReference('ip -batch, first ends created up (4 commands a pair)', 'u', (e) => [
    `link add ${e.near} up type veth peer name ${e.far} netns ${target.name}`,
    `address add ${e.near4} dev ${e.near}`,
  ]),
  candidate('netns-native: createVeth, 2x setLink, 2x addAddress', 'o', (pairs) => {
    for (let i = 0; i < pairs; i++) {
      const { near, far, near4, far4 } = ends('o', i);
      createVeth({ name: near }, { name: far, ns: target.ns });
      here.setLink(near, { up: true });
      target.ns.setLink(far, { up: true });
      here.addAddress(near, near4);
      target.ns.addAddress(far, far4);
    }
  }),
  candidate('netns-native batch: one here.batch of the same steps, pipelined', 'b', (pairs) => {
    here.batch((steps) => {
      const there = steps.in(target.ns);
      const all = Array.from({ length: pairs }, (_, i) => ends('b', i));
      for (const { near, far } of all) steps.createVeth(near, { name: far, ns: target.ns });
      // Steps on one socket next to each other: they go out in one datagram.
      for (const { near } of all) steps.setLink(near, { up: true });
      for (const { far } of all) there.setLink(far, { up: true });
      for (const { near, near4 } of all) steps.addAddress(near, near4);
      for (const { far, far4 } of all) there.addAddress(far, far4);
    });
  }),
  candidate('netns-native batch: ends created up (createVeth up, 2x addAddress)', 'c', (pairs) => {
    here.batch((steps) => {
      const there = steps.in(target.ns);
      const all = Array.from({ length: pairs }, (_, i) => ends('c', i));
      for (const { near, far } of all) steps.createVeth(near, { name: far, ns: target.ns, up: true }, { up: true });
      for (const { near, near4 } of all) steps.addAddress(near, near4);
      for (const { far, far4 } of all) there.addAddress(far, far4);
    });
  }),
];

function cleanUpAfterFailure() {
  for (const link of here.links()) if (link.name.startsWith(tag)) here.deleteLink(link.name);
  dropTarget();
}
process.on('SIGINT', () => {
  cleanUpAfterFailure();
  process.exit(130);
});

try {
  const reference = candidates[0].name;
  const result = await rounds(candidates, { reference, rounds: 9, warmup: 2, iterations: PAIRS });
  console.log(`command: sudo node bench/wire.mjs ${PAIRS}   (pinned to CPU 1; time per pair)`);
  report(`veth pair into a namespace, both ends up and addressed, ${PAIRS} pairs a round`, result, reference);
  // The same rounds, against ip doing the 4 requests a pair the up-at-creation batch does.
  const upReference = candidates[1].name;
  report(
    'the same rounds, against ip making the first ends up at creation',
    withRatiosTo(result, upReference),
    upReference,
  );
} finally {
  cleanUpAfterFailure();
  here.close();
  restoreRunDir();
}
