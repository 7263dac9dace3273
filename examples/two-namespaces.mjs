// Two namespaces joined by a veth pair, addressed, up, and a ping across:
// what `ip netns add`, `ip link add ... type veth peer ... netns ...`,
// `ip addr add` and `ip link set up` do, in-process.
// usage: sudo node examples/two-namespaces.mjs   (leaves nothing behind, also on Ctrl-C)
import os from 'node:os';
import { NetNamespace, createVeth } from 'netns-native';

const made = []; // the namespaces this run created, to delete on the way out
const running = new Set(); // the commands started inside, to end on the way out

function cleanUp() {
  // A SIGTERM reaches this process only: end what runs inside before its namespace goes.
  for (const child of running) child.kill('SIGKILL');
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
  return ns;
}

function run(ns, command, args) {
  const child = ns.spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

const left = namespace('demo-left');
const right = namespace('demo-right');

const { a, b } = createVeth({ name: 'veth-left', ns: left }, { name: 'veth-right', ns: right });
console.log(`veth pair: ${a.name} (ifindex ${a.ifindex}) in ${a.ns} <-> ${b.name} (ifindex ${b.ifindex}) in ${b.ns}`);
left.addAddress('veth-left', '10.200.0.1/24');
right.addAddress('veth-right', '10.200.0.2/24');
left.addAddress('veth-left', 'fd00:200::1/64');
right.addAddress('veth-right', 'fd00:200::2/64');
left.setLink('veth-left', { up: true });
right.setLink('veth-right', { up: true });

for (const line of left.addresses().filter((address) => address.name === 'veth-left')) {
  console.log(`demo-left ${line.name}: ${line.address}/${line.prefixLength} (${line.scope})`);
}

const { code, output } = await run(left, 'ping', ['-c', '3', '-i', '0.2', '-W', '2', '10.200.0.2']);
console.log(output.trim().split('\n').slice(-2).join('\n'));
console.log(code === 0 ? 'ping from demo-left to demo-right: ok' : `ping failed (exit ${code})`);
process.exitCode = code === 0 ? 0 : 1;
