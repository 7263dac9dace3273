// Two namespaces joined by a veth pair, addressed, up, and a round trip
// across: what `ip netns add`, `ip link add ... type veth peer ... netns ...`,
// `ip addr add` and `ip link set up` do, in-process. The round trip is a TCP
// connection made with the library's own sockets, over IPv4 and IPv6, so no
// `ping` is needed; with --keep, the namespaces stay up for you to ping.
// usage: sudo node examples/two-namespaces.mjs [--keep]   (as root, leave out sudo)
//   --keep: leave them up to look at (ip netns exec demo-left ...) until Ctrl-C.
// Leaves nothing behind, on exit and on Ctrl-C.
import os from 'node:os';
import { NetNamespace } from 'netns-native';
import { tcpRoundTrip, untilUp } from './round-trip.mjs';

const made = []; // the namespaces this run created, to delete on the way out

function cleanUp() {
  // Deleting a namespace's name and closing its handle destroys it, and the veth pair with it.
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
  // No duplicate address detection on this private link: IPv6 addresses are usable at once.
  ns.setSysctl('net.ipv6.conf.default.accept_dad', '0');
  return ns;
}

const left = namespace('demo-left');
const right = namespace('demo-right');

// One batch: pipelined, and all or nothing.
left.batch((steps) => {
  steps
    .createVeth('veth-left', { name: 'veth-right', ns: right })
    .addAddress('veth-left', '10.200.0.1/24')
    .addAddress('veth-left', 'fd00:200::1/64')
    .setLink('veth-left', { up: true });
  steps
    .in(right)
    .addAddress('veth-right', '10.200.0.2/24')
    .addAddress('veth-right', 'fd00:200::2/64')
    .setLink('veth-right', { up: true });
});
const [a, b] = [
  [left, 'veth-left'],
  [right, 'veth-right'],
].map(([ns, name]) => ({ ns: ns.id, ...ns.links().find((link) => link.name === name) }));
console.log(`veth pair: ${a.name} (ifindex ${a.ifindex}) in ${a.ns} <-> ${b.name} (ifindex ${b.ifindex}) in ${b.ns}`);
await untilUp(left, 'veth-left');
await untilUp(right, 'veth-right');

for (const line of left.addresses().filter((address) => address.name === 'veth-left')) {
  console.log(`demo-left ${line.name}: ${line.address}/${line.prefixLength} (${line.scope})`);
}

let failures = 0;
for (const address of ['10.200.0.2', 'fd00:200::2']) {
  const trip = await tcpRoundTrip(left, right, address);
  if (!trip.ok) failures++;
  const outcome = trip.ok ? `answered in ${trip.ms.toFixed(2)} ms` : `FAILED (${trip.reason})`;
  console.log(`TCP from demo-left to demo-right at ${address}: ${outcome}`);
}
console.log(failures === 0 ? 'demo-right answered over IPv4 and IPv6' : `${failures} round trip(s) failed`);
process.exitCode = failures === 0 ? 0 : 1;

if (process.argv.includes('--keep')) {
  console.log('the namespaces are up: try  sudo ip netns exec demo-left ping 10.200.0.2   (Ctrl-C tears them down)');
  setInterval(() => {}, 1 << 30); // something to keep the event loop alive until a signal
}
