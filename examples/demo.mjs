// The main demo: two new namespaces wired with a veth pair, a visit inside
// one, a TCP round trip across, and the picture of what was made. Nothing is
// left behind: the namespaces live only as long as their handles.
// Every wait is bounded: a run that is not done within DEMO_DEADLINE_MS
// (30 s) says where it was stuck and exits 1.
// usage: sudo npm run demo   (as root, leave out sudo)
import { execFileSync } from 'node:child_process';
import { NetNamespace, enterNetns, renderText, sys, topology } from 'netns-native';
import { tcpRoundTrip, untilUp } from './round-trip.mjs';

const deadlineMs = Number(process.env.DEMO_DEADLINE_MS ?? 30_000);
if (!(deadlineMs > 0)) throw new RangeError(`DEMO_DEADLINE_MS must be a positive number of ms, got ${deadlineMs}`);
let step = 'starting';
const watchdog = setTimeout(() => {
  console.error(`demo: not done within ${deadlineMs} ms, stuck at: ${step}`);
  process.exit(1); // the namespaces are held only by this process's handles: they go with it
}, deadlineMs);

/** A command's output, or a throw if it takes more than 5 s. */
const output = (command, args) => execFileSync(command, args, { encoding: 'utf8', timeout: 5000 });

/** This thread's namespace as another process reads it from /proc. */
const threadNetns = () => output('readlink', [`/proc/${process.pid}/task/${sys.gettid()}/ns/net`]).trim();

const home = NetNamespace.current();
console.log(`1. this thread is in ${home.id}`);

const red = NetNamespace.create();
const blue = NetNamespace.create();
console.log(`2. two new namespaces, held only by their handles: red ${red.id}, blue ${blue.id}`);

// The wiring as one batch: every request sent before any answer is read,
// and all or nothing (a refused step undoes the ones before it).
red.batch((steps) => {
  steps.createVeth('eth0', { name: 'eth0', ns: blue });
  for (const [ns, address] of [
    [red, '10.99.0.1/24'],
    [blue, '10.99.0.2/24'],
  ]) {
    steps.in(ns).addAddress('eth0', address).setLink('eth0', { up: true }).setLink('lo', { up: true });
  }
});
step = 'waiting for both ends of the veth pair to be UP';
for (const ns of [red, blue]) await untilUp(ns, 'eth0');
const [redEnd, blueEnd] = [red, blue].map((ns) => ns.links().find((link) => link.name === 'eth0'));
console.log(
  `3. a veth pair between them (ifindex ${redEnd.ifindex} in red, ${blueEnd.ifindex} in blue), addressed and up`,
);

step = 'a visit inside red with enterNetns';
enterNetns(red, () => {
  console.log(`4. inside enterNetns: this thread is in ${threadNetns()}; ip -brief addr run from here:`);
  for (const line of output('ip', ['-brief', 'addr']).trim().split('\n')) {
    console.log(`     ${line}`);
  }
});
console.log(`   and back in ${threadNetns()} ${threadNetns() === home.id ? '(where it started)' : '(WRONG!)'}`);

// Sockets are made inside by construction: a server in blue, a client in red.
step = 'a TCP round trip from red to blue';
const trip = await tcpRoundTrip(red, blue, '10.99.0.2');
if (!trip.ok) {
  console.error(`demo: red could not reach blue at 10.99.0.2: ${trip.reason}`);
  process.exit(1);
}
console.log(`5. red connected to 10.99.0.2 across the veth; blue ${blue.id} answered in ${trip.ms.toFixed(2)} ms`);

step = 'topology()';
console.log('6. what topology() sees of the two (the veth pair confirmed from both ends):');
const map = await topology({ namespaces: [red, blue], containers: false });
console.log(renderText(map, { color: process.stdout.isTTY }).trimEnd().replace(/^/gm, '     '));

red.close();
blue.close();
home.close();
clearTimeout(watchdog);
console.log('7. closed the handles: nothing else held the namespaces, so the kernel freed them and the veth pair');
