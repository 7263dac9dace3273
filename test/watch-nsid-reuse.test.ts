// A dying namespace's RTM_DELNSID can arrive after its id went to a
// namespace the watch follows: the kernel frees the id, then tells
// (unhash_nsid, net/core/net_namespace.c), and meanwhile the watch may have
// given that id to a namespace it starts following. Caught once in CI: a
// wait on a live namespace failed with "went away". The kernel's window
// cannot be hit on demand, so the late notice is made here, byte for byte as
// the kernel sends it, and routed as the event socket routes a datagram;
// what the watch does with it (reopen the namespace, ask the observer for
// its id) goes to the kernel.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NetNamespace, type WatchEvent } from '../lib/index';
import { native } from '../lib/binding';
import { AF_UNSPEC, NETNSA_NSID, RTM_DELNSID } from '../lib/rtnl/constants';
import { RTGENMSG } from '../lib/rtnl/headers';
import { encodeMessage, parseMessages, s32Attribute } from '../lib/rtnl/wire';
import { routeDatagram } from '../lib/watch/datagram-routing';
import { Following } from '../lib/watch/following';
import { onCleanup, run } from './helpers';
import { addNamedNetns, runTag } from './net-helpers';

const { AF_NETLINK, SOCK_RAW, NETLINK_ROUTE } = native.constants;

/** A Following as a watch of the calling thread's namespace makes it, and what it delivers. */
function following() {
  const socketFd = native.socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
  if (typeof socketFd !== 'number') throw socketFd;
  onCleanup(() => native.close(socketFd));
  const events: WatchEvent[] = [];
  const errors: Error[] = [];
  const deliver = (event: WatchEvent) => events.push(event);
  const report = (error: Error) => errors.push(error);
  const following = new Following({
    socketFd: () => socketFd,
    observerIno: fs.statSync('/proc/self/ns/net').ino,
    kinds: new Set(['link', 'namespace', 'nsid'] as const),
    deliver,
    report,
    closed: () => false,
  });
  return { following, events, errors, routing: { following, discovery: undefined, deliver, report } };
}

/** RTM_DELNSID for `nsid` in the observer's own table, as the kernel broadcasts it. */
function deletedNsid(nsid: number) {
  return parseMessages(
    encodeMessage({ type: RTM_DELNSID, flags: 0, seq: 0 }, [
      RTGENMSG.encode({ family: AF_UNSPEC }),
      s32Attribute(NETNSA_NSID, nsid),
    ]),
  );
}

const inoOf = (name: string): number => fs.statSync(`/run/netns/${name}`).ino;

const listedIds = (): Array<{ nsid: number; name?: string }> =>
  JSON.parse(run('ip', ['-j', 'netns', 'list-id']) || '[]');

describe('watch: a late RTM_DELNSID for an id given again', () => {
  it('does not end a namespace that the observer still numbers so; one that cannot be reopened has died', () => {
    const { following: followed, events, errors, routing } = following();
    const alive = addNamedNetns(`${runTag}-nsid-reuse-a`);
    const gone = addNamedNetns(`${runTag}-nsid-reuse-g`);
    for (const name of [alive, gone]) {
      const handle = NetNamespace.fromName(name);
      try {
        followed.followTarget(handle, name, false);
      } finally {
        handle.close();
      }
    }
    const aliveId = followed.get(inoOf(alive))!.netns.nsid!;
    const goneId = followed.get(inoOf(gone))!.netns.nsid!;
    // The premise: both are numbered in the observer, as ip shows it.
    expect(listedIds()).toEqual(
      expect.arrayContaining([
        { nsid: aliveId, name: alive },
        { nsid: goneId, name: gone },
      ]),
    );

    routeDatagram(deletedNsid(aliveId), undefined, routing);
    expect(events.filter((event) => event.kind === 'namespace')).toEqual([]);
    expect(followed.byNsid(aliveId)?.netns.ino).toBe(inoOf(alive));
    expect(listedIds()).toEqual(expect.arrayContaining([{ nsid: aliveId, name: alive }]));

    const goneIno = inoOf(gone);
    run('ip', ['netns', 'delete', gone]);
    routeDatagram(deletedNsid(goneId), undefined, routing);
    expect(events.filter((event) => event.kind === 'namespace')).toEqual([
      { kind: 'namespace', action: 'delete', netns: expect.objectContaining({ ino: goneIno, nsid: goneId }) },
    ]);
    expect(followed.byNsid(goneId)).toBeUndefined();
    expect(errors).toEqual([]);
  });
});
