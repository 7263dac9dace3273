// waitForVethPeer (lib/topology/veth-wait.ts): started before the veth (or
// its peer's namespace) is there, premise checked with ip; the change made
// with ip; both ends checked against ip -j; a timeout's error carries the
// last state; nothing stays open afterwards.
import { beforeAll, describe, expect, it } from 'vitest';
import { NetNamespace, NetnsError, WaitTimeoutError, listNamespaces, sys, waitForVethPeer } from '../lib/index';
import { newFds, onCleanup, run, tryRun, watchLikeFds } from './helpers';
import { addNamedNetns, ipJson, runTag } from './net-helpers';

const name = (suffix: string) => `l2-${runTag}-${suffix}`;

interface IpLinkEntry {
  ifindex: number;
  ifname: string;
  link_index?: number;
  link_netnsid?: number;
}
const ipLink = (ns: string, ifname: string) => ipJson<IpLinkEntry[]>(ns, ['link', 'show', ifname])[0]!;
const inoOf = (ns: string) => {
  using handle = NetNamespace.fromName(ns);
  return handle.ino;
};
const absent = (ns: string, ifname: string) => tryRun('ip', ['-n', ns, 'link', 'show', ifname]).status !== 0;

/** The rejection of `promise` (fails the test if it resolves). */
async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: Error) => error,
  );
}

describe('waitForVethPeer', () => {
  // The thread's way home (an fd on the namespace it started in) is opened at
  // its first switch and kept for its life: opened here, not counted as left behind.
  beforeAll(() => {
    using here = NetNamespace.current();
    here.enter(() => undefined);
  });

  it('resolves when the veth is made after the wait started, with both ends as ip shows them', async () => {
    const a = addNamedNetns(name('ca'));
    const b = addNamedNetns(name('cb'));
    expect(absent(a, 'l2-va')).toBe(true); // premise: nothing there yet
    const before = watchLikeFds();
    const waiting = waitForVethPeer(a, 'l2-va', { timeout: 10_000 });
    run('ip', ['-n', a, 'link', 'add', 'l2-va', 'type', 'veth', 'peer', 'name', 'l2-vb', 'netns', b]);
    const { end, peer } = await waiting;
    const inA = ipLink(a, 'l2-va');
    const inB = ipLink(b, 'l2-vb');
    expect(end.netns).toEqual({ ino: inoOf(a), name: a });
    expect(end.link).toMatchObject({ name: 'l2-va', ifindex: inA.ifindex, kind: 'veth', linkIndex: inB.ifindex });
    expect(end.link.linkNetnsid).toBe(inA.link_netnsid);
    expect(peer.netns).toEqual({ ino: inoOf(b), name: b });
    expect(peer.link).toMatchObject({ name: 'l2-vb', ifindex: inB.ifindex, kind: 'veth', linkIndex: inA.ifindex });
    expect(newFds(before)).toEqual([]);
  });

  it('resolves when the veth is moved into the namespace', async () => {
    const a = addNamedNetns(name('ma'));
    const c = addNamedNetns(name('mc'));
    run('ip', ['-n', c, 'link', 'add', 'l2-va', 'type', 'veth', 'peer', 'name', 'l2-vb']);
    expect(absent(a, 'l2-va')).toBe(true); // premise: in c, not in a
    // Both ends in c: found at once, the peer in the same namespace.
    const inC = await waitForVethPeer(c, 'l2-va', { timeout: 10_000 });
    expect(inC.peer.netns).toEqual({ ino: inoOf(c), name: c });
    expect(inC.peer.link).toMatchObject({ name: 'l2-vb', ifindex: ipLink(c, 'l2-vb').ifindex });
    const waiting = waitForVethPeer(a, 'l2-va', { timeout: 10_000 });
    run('ip', ['-n', c, 'link', 'set', 'l2-va', 'netns', a]);
    const { end, peer } = await waiting;
    expect(end.netns.ino).toBe(inoOf(a));
    expect(end.link.ifindex).toBe(ipLink(a, 'l2-va').ifindex);
    expect(peer.netns).toEqual({ ino: inoOf(c), name: c });
    expect(peer.link).toMatchObject({ name: 'l2-vb', ifindex: ipLink(c, 'l2-vb').ifindex });
  });

  it('a peer whose namespace no listing finds: the timeout says so; found once the namespace can be seen', async () => {
    const a = addNamedNetns(name('ha'));
    // A namespace held only by a socket made in it: neither a process, a
    // mount nor an nsfs fd leads to it, so no listing finds it.
    const hidden = NetNamespace.create();
    const hiddenIno = hidden.ino;
    const socket = hidden.socket(sys.constants.AF_INET, sys.constants.SOCK_DGRAM);
    onCleanup(() => sys.close(socket));
    try {
      run('ip', [
        '-n', a, 'link', 'add', 'l2-va', 'type', 'veth',
        'peer', 'name', 'l2-vb', 'netns', `/proc/${process.pid}/fd/${hidden.fd}`,
      ]); // prettier-ignore
    } finally {
      hidden.close();
    }
    const inA = ipLink(a, 'l2-va');
    expect(inA.link_netnsid).toBeTypeOf('number'); // premise: its peer is elsewhere
    expect(listNamespaces({ fdHolders: true }).some((info) => info.ino === hiddenIno)).toBe(false); // and unseen

    const before = watchLikeFds();
    const failure = await rejectionOf(waitForVethPeer(a, 'l2-va', { timeout: 300 }));
    expect(failure).toBeInstanceOf(WaitTimeoutError);
    expect((failure as WaitTimeoutError).lastState).toMatch(
      new RegExp(
        `^l2-va exists in ${a}; its peer \\(ifindex ${inA.link_index} in nsid ${inA.link_netnsid}\\) not found yet: ` +
          `no namespace found on this host has nsid ${inA.link_netnsid}`,
      ),
    );
    expect(failure.message).toMatch(/^timed out after 300 ms waiting for both ends of veth l2-va in /);
    expect(newFds(before)).toEqual([]);

    // Named while the wait looks again on its timer: then found, with the name.
    const seen = name('seen');
    const waiting = waitForVethPeer(a, 'l2-va', { timeout: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 100)); // it has looked, and not found it
    const raw = sys.socketNetns(socket);
    try {
      using opened = NetNamespace.fromPath(`/proc/self/fd/${raw}`);
      NetNamespace.attach(seen, opened).close();
    } finally {
      sys.close(raw);
    }
    onCleanup(() => void tryRun('ip', ['netns', 'delete', seen]));
    expect(ipLink(seen, 'l2-vb').ifindex).toBe(inA.link_index); // premise: the peer, now named
    const { peer } = await waiting;
    expect(peer.netns).toEqual({ ino: hiddenIno, name: seen });
    expect(peer.link).toMatchObject({ name: 'l2-vb', ifindex: inA.link_index });
    expect(newFds(before)).toEqual([]);
  });

  it('times out with the last state: no such link, or not a veth', async () => {
    const a = addNamedNetns(name('ta'));
    const none = await rejectionOf(waitForVethPeer(a, 'l2-va', { timeout: 100 }));
    expect((none as WaitTimeoutError).lastState).toBe(`l2-va does not exist in ${a}`);
    run('ip', ['-n', a, 'link', 'add', 'l2-br', 'type', 'bridge']);
    const bridge = await rejectionOf(waitForVethPeer(a, 'l2-br', { timeout: 100 }));
    expect((bridge as WaitTimeoutError).lastState).toBe(`l2-br exists in ${a} but is a bridge, not a veth`);
  });

  it('rejects when the namespace goes away, and on abort, leaving nothing open', async () => {
    const a = addNamedNetns(name('ga'));
    const before = watchLikeFds();
    const waiting = waitForVethPeer(a, 'l2-va', { timeout: 10_000 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(newFds(before).length).toBeGreaterThan(0); // premise: it holds a watch
    run('ip', ['netns', 'delete', a]);
    expect(await rejectionOf(waiting)).toHaveProperty('message', expect.stringMatching(/went away/));
    expect(newFds(before)).toEqual([]);

    const b = addNamedNetns(name('gb'));
    const controller = new AbortController();
    const aborted = waitForVethPeer(b, 'l2-va', { signal: controller.signal });
    controller.abort(new Error('stop'));
    expect((await rejectionOf(aborted)).message).toBe('stop');
    expect(newFds(before)).toEqual([]);
  });

  it('refuses bad input before any side effect', async () => {
    const a = addNamedNetns(name('ba'));
    const hasNsid = () => ipJson<Array<{ name?: string }>>(undefined, ['netns', 'list-id']).some((e) => e.name === a);
    expect(hasNsid()).toBe(false); // premise: a watch would give it one here
    const before = watchLikeFds();
    await expect(waitForVethPeer(a, 'a/b')).rejects.toThrow(TypeError);
    await expect(waitForVethPeer(a, '')).rejects.toThrow(RangeError);
    await expect(waitForVethPeer(42 as never, 'l2-va')).rejects.toThrow(TypeError);
    await expect(waitForVethPeer({ enter: () => 0, ino: 1 } as never, 'l2-va')).rejects.toThrow(TypeError);
    await expect(waitForVethPeer(a, 'l2-va', { timeout: -1 })).rejects.toThrow(RangeError);
    await expect(waitForVethPeer(a, 'l2-va', { signal: {} as never })).rejects.toThrow(TypeError);
    const missing = await rejectionOf(waitForVethPeer(name('none'), 'l2-va'));
    expect(missing).toBeInstanceOf(NetnsError);
    expect((missing as NetnsError).code).toBe('ENOENT');
    expect(newFds(before)).toEqual([]);
    expect(hasNsid()).toBe(false);
  });
});
