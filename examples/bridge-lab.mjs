// The classic lab: three namespaces on one bridge, with a default route
// through the bridge's address. The bridge lives in a fourth, "router"
// namespace, so the host is left untouched; each lab namespace's eth0 is
// peered to a bridge port there.
//
//   lab-red   eth0 10.10.0.11 ─┐
//   lab-green eth0 10.10.0.12 ─┼─ port-* ── br0 10.10.0.1 (lab-router; lo 192.0.2.1)
//   lab-blue  eth0 10.10.0.13 ─┘
//
// Reachability is shown with the library's own sockets, a TCP round trip
// from each lab namespace to every other address (no `ping` needed); with
// --keep, the lab stays up for you to ping.
//
// usage: sudo node examples/bridge-lab.mjs [--keep]   (as root, leave out sudo)
//   --keep: leave the lab up to look at (ip netns exec lab-red ...) until Ctrl-C.
// Leaves nothing behind, on exit and on Ctrl-C.
import os from 'node:os';
import { NetNamespace } from 'netns-native';
import { tcpRoundTrip, untilUp } from './round-trip.mjs';

const made = [];

function cleanUp() {
  for (const ns of made.splice(0)) {
    ns.close();
    try {
      NetNamespace.delete(ns.name);
    } catch (error) {
      console.error(`could not delete ${ns.name}: ${error.message}`); // and go on with the rest
    }
  }
}
process.on('exit', cleanUp);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    cleanUp();
    process.exit(128 + os.constants.signals[signal]); // as a shell reports a death by that signal
  });
}

function namespace(name) {
  const ns = NetNamespace.createNamed(name);
  made.push(ns);
  ns.setLink('lo', { up: true });
  return ns;
}

const router = namespace('lab-router');
const hosts = [
  ['lab-red', 11],
  ['lab-green', 12],
  ['lab-blue', 13],
].map(([name, last]) => ({ name, ns: namespace(name), port: `port-${name.slice(4)}`, address: `10.10.0.${last}` }));

// The wiring, in one batch: sent without waiting for each answer, and all or
// nothing (a refused step undoes the ones before it).
router.batch((steps) => {
  steps.createBridge('br0').addAddress('br0', '10.10.0.1/24').setLink('br0', { up: true });
  steps.addAddress('lo', '192.0.2.1/32'); // reached only through the default route
  for (const host of hosts) {
    steps.createVeth(host.port, { name: 'eth0', ns: host.ns });
    steps.setLink(host.port, { master: 'br0', up: true });
    steps
      .in(host.ns)
      .addAddress('eth0', `${host.address}/24`)
      .setLink('eth0', { up: true })
      .addRoute({ to: 'default', via: '10.10.0.1' });
  }
});
for (const host of hosts) {
  await untilUp(host.ns, 'eth0');
  await untilUp(router, host.port);
}

const ports = router
  .links()
  .filter((link) => link.master === 'br0')
  .map((link) => link.name);
console.log(`lab-router: br0 10.10.0.1/24 with ports ${ports.join(', ')}`);
for (const host of hosts) {
  const route = host.ns.routes().find((r) => r.dst === 'default');
  console.log(`${host.name}: eth0 ${host.address}/24, default via ${route?.gateway} dev ${route?.dev}`);
}

let failures = 0;
const targets = [
  ...hosts.map((host) => [host.name, host.ns, host.address]),
  ['the bridge', router, '10.10.0.1'],
  ['router lo, via the default route', router, '192.0.2.1'],
];
for (const from of hosts) {
  for (const [label, to, address] of targets) {
    if (address === from.address) continue;
    const trip = await tcpRoundTrip(from.ns, to, address);
    if (!trip.ok) failures++;
    const outcome = trip.ok ? `ok, ${trip.ms.toFixed(2)} ms` : `FAILED (${trip.reason})`;
    console.log(`  ${from.name} -> ${address} (${label}): ${outcome}`);
  }
}
console.log(failures === 0 ? 'every address answered' : `${failures} round trip(s) failed`);
process.exitCode = failures === 0 ? 0 : 1;

if (process.argv.includes('--keep')) {
  console.log('the lab is up: try  sudo ip netns exec lab-red ping 10.10.0.13   (Ctrl-C tears it down)');
  setInterval(() => {}, 1 << 30); // something to keep the event loop alive until a signal
}
