// Every wrong kind of value offered to every argument of the public API, in a
// process run with --abort-on-uncaught-exception, where any exception thrown
// from native code would abort even inside try/catch. Prints one JSON line:
// how many inputs were tried, how each ended, whether any namespace fd was
// left open and whether the thread is still at home.
// Instance methods run on a throwaway namespace and named namespaces go to a
// temporary run dir, so that an accepted value changes nothing of the host.
// usage: node --abort-on-uncaught-exception scripts/bad-input-corpus.mjs
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import lib from 'netns-native';
// Internal (not exported by the package), yet reachable by the library's own paths.
import { bindMount } from '../dist/named/bind-mount.js';

const values = [
  undefined,
  null,
  NaN,
  -1,
  0.5,
  Infinity,
  2 ** 32 + 3,
  -(2 ** 31) - 1,
  '',
  'a\0b',
  '../x',
  'x'.repeat(300),
  '3',
  {},
  [],
  [1, 2],
  () => 1,
  Symbol('s'),
  10n,
  new Proxy(
    {},
    {
      get() {
        throw new Error('trap');
      },
    },
  ),
  new DataView(new ArrayBuffer(4)),
  Buffer.alloc(0),
  { pid: -5 },
  { pid: 'x' },
  '/etc/passwd',
  '/proc/self/ns/mnt',
];

const here = lib.NetNamespace.create();
const runDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nn-corpus-')), 'netns');
const named = { runDir };
const calls = {
  fromPid: (v) => lib.NetNamespace.fromPid(v),
  fromPath: (v) => lib.NetNamespace.fromPath(v),
  fromName: (v) => lib.NetNamespace.fromName(v, named),
  enterNetnsTarget: (v) => lib.enterNetns(v, () => 1),
  enterNetnsFn: (v) => lib.enterNetns(here, v),
  createNamed: (v) => lib.NetNamespace.createNamed(v, named),
  attach: (v) => lib.NetNamespace.attach('nn-corpus-attach', v, named),
  deleteNamed: (v) => lib.NetNamespace.delete(v, named),
  identify: (v) => lib.identify(v, named),
  pidsOf: (v) => lib.pidsOf(v, named),
  bindMount: (v) => bindMount(v, v),
  setns: (v) => lib.sys.setns(v, v),
  mount: (v) => lib.sys.mount(v, v, v, v),
  umount2: (v) => lib.sys.umount2(v, v),
  pidfdOpen: (v) => lib.sys.pidfdOpen(v),
  socket: (v) => lib.sys.socket(v, v, v),
  bind: (v) => lib.sys.bind(v, v),
  send: (v) => lib.sys.send(v, v, v),
  recv: (v) => lib.sys.recv(v, v, v),
  waitPidfd: (v) => lib.sys.waitPidfd(v, v),
  clone: (v) => lib.sys.clone(v),
  cloneFile: (v) => lib.sys.clone({ file: v, argv: ['x'], envp: [] }),
  cloneStep: (v) =>
    lib.sys.clone({ file: '/bin/true', argv: ['true'], envp: [], steps: [{ op: 'setns', fd: v, flags: 0 }] }),
  cloneStdio: (v) => lib.sys.clone({ file: '/bin/true', argv: ['true'], envp: [], stdio: [v, v, v] }),
  cloneFlags: (v) => lib.sys.clone({ file: '/bin/true', argv: ['true'], envp: [], cloneFlags: v }),
  spawnIsolated: (v) => here.spawn(v, [v], { mountNamespace: 'isolated', env: v, cwd: v, stdio: v }),
  listen: (v) => here.listen({ host: v, port: v }, v),
  connect: (v) => here.connect({ host: v, port: v }),
  sysctl: (v) => here.sysctl(v),
  setSysctl: (v) => here.setSysctl('net.ipv4.ip_forward', v),
  links: (v) => here.routes(v),
  setLink: (v) => here.setLink(v, { mtu: v }),
  addAddress: (v) => here.addAddress('lo', v),
  addRoute: (v) => here.addRoute(v),
  createVeth: (v) => lib.createVeth({ name: v, ns: here }, { name: v, ns: here }),
  findPeer: (v) => lib.findPeer(v, v),
};

const nsfsFds = () =>
  fs.readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return /^net:\[/.test(fs.readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      return false;
    }
  }).length;
const home = fs.readlinkSync('/proc/thread-self/ns/net');
lib.enterNetns(here, () => 0); // the thread's own home fd, kept for its lifetime, is not a leak
const before = nsfsFds();
const endings = {};
let tried = 0;
for (const [name, call] of Object.entries(calls)) {
  for (const value of values) {
    tried++;
    let ending;
    try {
      const result = call(value);
      // Whatever was accepted is given back: handles, servers and sockets, children.
      if (result instanceof lib.NetNamespace) result.close();
      if (typeof result?.then === 'function')
        result.then(
          (made) => made?.close?.(),
          () => {},
        );
      if (typeof result?.pidfd === 'number') lib.sys.waitPidfd(result.pidfd, () => lib.sys.close(result.pidfd));
      if (typeof result?.destroy === 'function') result.destroy();
      ending = 'accepted';
      if (process.env.SHOW) console.error('accepted', name, String(value));
    } catch (error) {
      ending =
        error instanceof lib.NetnsError ? `NetnsError ${error.code}` : (error?.constructor?.name ?? typeof error);
    }
    endings[ending] = (endings[ending] ?? 0) + 1;
  }
}
setTimeout(() => {
  here.close();
  for (const name of fs.readdirSync(runDir)) lib.NetNamespace.delete(name, named);
  spawnSync('umount', ['-l', runDir]);
  fs.rmSync(path.dirname(runDir), { recursive: true, force: true });
  console.log(
    JSON.stringify({
      tried,
      calls: Object.keys(calls).length,
      values: values.length,
      endings,
      nsfsFdsLeft: nsfsFds() - (before - 1),
      home: fs.readlinkSync('/proc/thread-self/ns/net') === home,
    }),
  );
}, 300);
