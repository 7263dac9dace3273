// A handle keeps one rtnetlink socket, made inside its namespace on first
// use: every later read and change on the handle goes through it, and it
// closes with the handle. A target given by name is opened for the call, and
// so is its socket. Where the socket lives is proven from outside, with `ss`
// run inside the namespace.
import fs from 'node:fs';
import { expect, it } from 'vitest';
import { NetNamespace, createVeth } from '../lib/index';
import { run } from './helpers';
import { addNamedNetns, runTag } from './net-helpers';

/** This process's socket fds, by number. */
function socketFds(): Set<number> {
  const fds = new Set<number>();
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      if (fs.readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:')) fds.add(Number(fd));
    } catch {
      // closed meanwhile (readdir's own fd)
    }
  }
  return fds;
}

const added = (before: Set<number>) => [...socketFds()].filter((fd) => !before.has(fd));

/** Whether the netlink socket at `fd` belongs to the named namespace (undefined: the host's), per /proc/net/netlink read there. */
function seenInside(name: string | undefined, fd: number): boolean {
  const inode = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/self/fd/${fd}`))?.[1];
  const args = name === undefined ? ['/proc/net/netlink'] : ['netns', 'exec', name, 'cat', '/proc/net/netlink'];
  const table = run(name === undefined ? 'cat' : 'ip', args)
    .split('\n')
    .slice(1);
  return inode !== undefined && table.some((line) => line.trim().split(/\s+/).at(-1) === inode);
}

it('a handle makes one rtnetlink socket inside, reuses it for every call, and closes it with itself', () => {
  const name = addNamedNetns(`${runTag}-kept`);
  const before = socketFds();
  const ns = NetNamespace.fromName(name);
  try {
    expect(ns.links().map((link) => link.name)).toEqual(['lo']);
    const [kept, ...more] = added(before);
    expect(more).toEqual([]);
    expect(kept).toBeDefined();
    expect(seenInside(name, kept)).toBe(true);
    expect(seenInside(undefined, kept)).toBe(false); // the premise: the table tells namespaces apart

    ns.createBridge('br-kept');
    ns.setLink('br-kept', { up: true, mtu: 1400 });
    ns.addAddress('br-kept', '10.9.8.1/24');
    expect(ns.addresses().some((address) => address.address === '10.9.8.1')).toBe(true);
    ns.deleteLink('br-kept');
    expect(added(before)).toEqual([kept]); // the same socket, every time
  } finally {
    ns.close();
  }
  expect(added(before)).toEqual([]);
});

it('a target given by name has its socket for the call only; a closed handle refuses', () => {
  const name = addNamedNetns(`${runTag}-once`);
  const before = socketFds();
  const pair = createVeth({ name: 'eth0', ns: name }, { name: `${runTag}o`, ns: name });
  expect([pair.a.name, pair.b.name]).toEqual(['eth0', `${runTag}o`]);
  expect(added(before)).toEqual([]);
  const ns = NetNamespace.fromName(name);
  ns.close();
  expect(() => ns.links()).toThrow(expect.objectContaining({ code: 'EBADF' }));
  expect(added(before)).toEqual([]);
});
