// The main demo: where this thread is, a new namespace, a visit, and back.
// usage: sudo npm run demo
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { NetNamespace, enterNetns, sys } from 'netns-native';

/** This thread's namespace as another process reads it from /proc. */
const threadNetns = () =>
  execFileSync('readlink', [`/proc/${process.pid}/task/${sys.gettid()}/ns/net`], { encoding: 'utf8' }).trim();

const interfaceNames = () => Object.keys(os.networkInterfaces()).join(', ') || '(none with an address)';

const home = NetNamespace.current();
console.log(`1. this thread is in ${home.id}; interfaces: ${interfaceNames()}`);

const ns = NetNamespace.create();
console.log(`2. created an anonymous namespace ${ns.id}, held by fd ${ns.fd}; still in ${threadNetns()}`);

enterNetns(ns, () => {
  console.log(`3. inside enterNetns: /proc/${process.pid}/task/${sys.gettid()}/ns/net -> ${threadNetns()}`);
  console.log('   ip -brief link, run from inside:');
  const links = execFileSync('ip', ['-brief', 'link'], { encoding: 'utf8' });
  for (const line of links.trim().split('\n')) console.log(`     ${line}`);
  execFileSync('ip', ['link', 'set', 'lo', 'up']);
  console.log(`   after 'ip link set lo up' there: interfaces: ${interfaceNames()}`);
});

const back = threadNetns();
console.log(`4. after enterNetns: back in ${back} ${back === home.id ? '(where it started)' : '(WRONG!)'}`);

// Async work goes through tools that create it inside by construction.
const server = await ns.listen({ host: '127.0.0.1' }, (socket) => socket.end(`hello from ${ns.id}\n`));
const { port } = server.address();
const reply = await new Promise((resolve, reject) => {
  // A node child started inside: its connect happens there too.
  const client = ns.spawn(process.execPath, ['-e',
    `require('node:net').connect(${port}, '127.0.0.1').pipe(process.stdout)`]);
  let out = '';
  client.stdout.on('data', (chunk) => { out += chunk; });
  client.on('error', reject);
  client.on('close', () => resolve(out.trim()));
});
console.log(`5. ns.listen() server on 127.0.0.1:${port} inside; a child spawned inside got: "${reply}"`);
server.close();

ns.close();
home.close();
console.log('6. closed the handle: nothing else held the namespace, so the kernel freed it');
