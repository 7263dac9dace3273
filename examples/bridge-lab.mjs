// The classic lab: three namespaces on one bridge, with a default route
// through the bridge's address. The bridge lives in a fourth, "router"
// namespace, so the host is left untouched; each lab namespace's eth0 is
// peered to a bridge port there.
//
//   lab-red   eth0 10.10.0.11 ─┐
//   lab-green eth0 10.10.0.12 ─┼─ port-* ── br0 10.10.0.1 (lab-router; lo 192.0.2.1)
//   lab-blue  eth0 10.10.0.13 ─┘
//
// usage: sudo node examples/bridge-lab.mjs [--keep]
//   --keep: leave the lab up to look at (ip netns exec lab-red ...) until Ctrl-C.
// Leaves nothing behind, on exit and on Ctrl-C.
import os from 'node:os';
import { NetNamespace, createVeth } from 'netns-native';

const made = [];
const running = new Set(); // the pings under way, to end on the way out

function cleanUp() {
  // A SIGTERM reaches this process only: end what runs inside before its namespace goes.
  for (const child of running) child.kill('SIGKILL');
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

function ping(ns, address) {
  const child = ns.spawn('ping', ['-c', '1', '-W', '2', address], { stdio: ['ignore', 'pipe', 'ignore'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ ok: code === 0, rtt: /time=([\d.]+ ms)/.exec(output)?.[1] }));
  });
}

const router = namespace('lab-router');
router.createBridge('br0');
router.addAddress('br0', '10.10.0.1/24');
router.setLink('br0', { up: true });
router.addAddress('lo', '192.0.2.1/32'); // reached only through the default route

const hosts = [
  ['lab-red', 11],
  ['lab-green', 12],
  ['lab-blue', 13],
].map(([name, last]) => {
  const ns = namespace(name);
  const port = `port-${name.slice(4)}`;
  createVeth({ name: 'eth0', ns }, { name: port, ns: router });
  router.setLink(port, { master: 'br0', up: true });
  ns.addAddress('eth0', `10.10.0.${last}/24`);
  ns.setLink('eth0', { up: true });
  ns.addRoute({ to: 'default', via: '10.10.0.1' });
  return { name, ns, address: `10.10.0.${last}` };
});

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
  ...hosts.map((host) => [host.name, host.address]),
  ['the bridge', '10.10.0.1'],
  ['router lo, via the default route', '192.0.2.1'],
];
for (const from of hosts) {
  for (const [label, address] of targets) {
    if (address === from.address) continue;
    const { ok, rtt } = await ping(from.ns, address);
    if (!ok) failures++;
    console.log(`  ${from.name} -> ${address} (${label}): ${ok ? `ok, ${rtt}` : 'FAILED'}`);
  }
}
console.log(failures === 0 ? 'every ping answered' : `${failures} ping(s) failed`);
process.exitCode = failures === 0 ? 0 : 1;

if (process.argv.includes('--keep')) {
  console.log('the lab is up: try  sudo ip netns exec lab-red ping 10.10.0.13   (Ctrl-C tears it down)');
  setInterval(() => {}, 1 << 30); // something to keep the event loop alive until a signal
}
