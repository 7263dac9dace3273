// The socket a watch reads: a datagram handler that throws must not throw on
// out of the read, where nothing would catch it (the fd is read on the event
// loop): the failure is reported, and later datagrams are still delivered.
import { describe, expect, it, vi } from 'vitest';
import { NetNamespace, enterNetns } from '../lib/index';
import { RTM_NEWLINK } from '../lib/rtnl/constants';
import { EventSocket, GROUPS } from '../lib/watch/event-socket';
import type { NetlinkMessage } from '../lib/rtnl/wire';
import { onCleanup } from './helpers';

describe('EventSocket', () => {
  it('reports a datagram handler that throws, and goes on reading', async () => {
    const ns = NetNamespace.create();
    onCleanup(() => ns.close());
    const handled: NetlinkMessage[][] = [];
    const failures: Error[] = [];
    let calls = 0;
    const socket = enterNetns(
      ns,
      () =>
        new EventSocket(
          { groups: GROUPS.link, allNsid: false },
          {
            datagram: (messages) => {
              calls++;
              if (calls === 1) throw new Error('the handler failed');
              handled.push(messages);
            },
            overrun: () => failures.push(new Error('overrun')),
            failure: (error) => failures.push(error),
          },
        ),
    );
    onCleanup(() => socket.close()); // the native watch closes its fd then
    ns.createBridge('br0');
    await vi.waitFor(() => expect(failures.length).toBeGreaterThan(0), { timeout: 5000 }); // the first datagram reported
    expect(failures.map((error) => error.message)).toEqual(['the handler failed']);
    ns.createBridge('br1');
    await vi.waitFor(() => expect(handled.length).toBeGreaterThan(0), { timeout: 5000 }); // a later datagram delivered
    expect(handled.flat().some((message) => message.type === RTM_NEWLINK)).toBe(true);
    expect(failures).toHaveLength(1);
  });
});
