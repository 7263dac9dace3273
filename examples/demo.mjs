// The main demo: two new namespaces wired with a veth pair, a visit inside
// one, a TCP round trip across, and the picture of what was made. Nothing is
// left behind: the namespaces live only as long as their handles.
// usage: sudo npm run demo
import { execFileSync } from 'node:child_process';
import { NetNamespace, createVeth, enterNetns, renderText, sys, topology } from 'netns-native';

/** This thread's namespace as another process reads it from /proc. */
const threadNetns = () =>
  execFileSync('readlink', [`/proc/${process.pid}/task/${sys.gettid()}/ns/net`], { encoding: 'utf8' }).trim();

const home = NetNamespace.current();
console.log(`1. this thread is in ${home.id}`);

const red = NetNamespace.create();
const blue = NetNamespace.create();
console.log(`2. two new namespaces, held only by their handles: red ${red.id}, blue ${blue.id}`);

const pair = createVeth({ name: 'eth0', ns: red }, { name: 'eth0', ns: blue });
red.addAddress('eth0', '10.99.0.1/24');
blue.addAddress('eth0', '10.99.0.2/24');
for (const ns of [red, blue]) {
  ns.setLink('eth0', { up: true });
  ns.setLink('lo', { up: true });
}
// The kernel reports the carrier a moment later (its link watch is deferred).
for (const ns of [red, blue]) {
  while (ns.links().find((link) => link.name === 'eth0')?.operstate !== 'UP') {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
console.log(
  `3. a veth pair between them (ifindex ${pair.a.ifindex} in red, ${pair.b.ifindex} in blue), addressed and up`,
);

enterNetns(red, () => {
  console.log(`4. inside enterNetns: this thread is in ${threadNetns()}; ip -brief addr run from here:`);
  for (const line of execFileSync('ip', ['-brief', 'addr'], { encoding: 'utf8' }).trim().split('\n')) {
    console.log(`     ${line}`);
  }
});
console.log(`   and back in ${threadNetns()} ${threadNetns() === home.id ? '(where it started)' : '(WRONG!)'}`);

// Sockets are made inside by construction: a server in blue, a client in red.
const server = await blue.listen({ host: '10.99.0.2' }, (socket) => socket.end(`hello from blue ${blue.id}\n`));
const { port } = server.address();
const reply = await new Promise((resolve, reject) => {
  let text = '';
  red
    .connect({ host: '10.99.0.2', port })
    .on('data', (chunk) => {
      text += chunk;
    })
    .on('error', reject)
    .on('close', () => resolve(text.trim()));
});
server.close();
console.log(`5. red connected to 10.99.0.2:${port} across the veth and got: "${reply}"`);

console.log('6. what topology() sees of the two (the veth pair confirmed from both ends):');
const map = await topology({ namespaces: [red, blue], containers: false });
console.log(renderText(map, { color: process.stdout.isTTY }).trimEnd().replace(/^/gm, '     '));

red.close();
blue.close();
home.close();
console.log('7. closed the handles: nothing else held the namespaces, so the kernel freed them and the veth pair');
