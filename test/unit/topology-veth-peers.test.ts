// The veth pairing logic over a made-up host (no kernel): nsids per
// observer, ifindex collisions, every reason an end stays unresolved, and the
// number of RTM_GETNSID questions it asks on a host with many namespaces.
import { describe, expect, it } from 'vitest';
import type { Link } from '../../lib/rtnl/model';
import { type PeerOracle, VethResolver } from '../../lib/topology/veth-peers';

function veth(ifindex: number, name: string, linkIndex?: number, linkNetnsid?: number): Link {
  const link: Link = { ifindex, name, kind: 'veth', type: 'ether', mtu: 1500, up: true, flags: [], operstate: 'UP' };
  if (linkIndex !== undefined) link.linkIndex = linkIndex;
  if (linkNetnsid !== undefined) link.linkNetnsid = linkNetnsid;
  return link;
}

const lo: Link = {
  ifindex: 1,
  name: 'lo',
  kind: 'loopback',
  type: 'loopback',
  mtu: 65536,
  up: true,
  flags: [],
  operstate: 'UNKNOWN',
};

interface FakeNamespace {
  links?: Link[];
  /** nsid this namespace gave each other one (by inode). */
  nsids?: Record<number, number>;
  unreadable?: boolean;
}

/** A host made of plain data; counts the questions asked. */
function fakeHost(namespaces: Record<number, FakeNamespace>, mapped?: number[]) {
  const asked = { nsid: 0, links: new Set<number>() };
  const oracle: PeerOracle = {
    mapped: mapped ?? Object.keys(namespaces).map(Number),
    known: Object.keys(namespaces).map(Number),
    links(ino) {
      asked.links.add(ino);
      const ns = namespaces[ino];
      if (!ns || ns.unreadable) throw new Error(`EPERM: operation not permitted, setns 'net:[${ino}]'`);
      return [lo, ...(ns.links ?? [])];
    },
    nsid(observer, target) {
      asked.nsid++;
      return namespaces[observer]?.nsids?.[target];
    },
  };
  return { oracle, asked };
}

describe('veth pairs', () => {
  it('pairs ends that both say nsid 0: nsids are per observer', () => {
    // Host 10 gave 20 nsid 0, and 20 gave 10 nsid 0 too.
    const { oracle } = fakeHost({
      10: { links: [veth(7, 'veth1', 2, 0)], nsids: { 20: 0 } },
      20: { links: [veth(2, 'eth0', 7, 0)], nsids: { 10: 0 } },
    });
    const { vethPairs, unresolved } = new VethResolver(oracle).pairAll();
    expect(unresolved).toEqual([]);
    expect(vethPairs).toEqual([
      { a: { ns: 'net:[10]', ifindex: 7, name: 'veth1' }, b: { ns: 'net:[20]', ifindex: 2, name: 'eth0' } },
    ]);
  });

  it('never matches by ifindex alone: of two namespaces with the same ifindex pair, the nsid decides', () => {
    // 20 and 30 each hold a veth with ifindex 2 pointing at ifindex 7, but the
    // host's veth1 (ifindex 7) is paired with 30's: host numbers 30 as 1.
    // 20's eth0 points at ifindex 7 of the namespace it numbers 0: that is 40.
    const { oracle } = fakeHost({
      10: { links: [veth(7, 'veth1', 2, 1)], nsids: { 20: 0, 30: 1 } },
      20: { links: [veth(2, 'eth0', 7, 0)], nsids: { 10: 5, 40: 0 } },
      30: { links: [veth(2, 'eth0', 7, 0)], nsids: { 10: 0 } },
      40: { links: [veth(7, 'vethX', 2, 3)], nsids: { 20: 3 } },
    });
    const { vethPairs, unresolved } = new VethResolver(oracle).pairAll();
    expect(unresolved).toEqual([]);
    expect(vethPairs).toEqual([
      { a: { ns: 'net:[10]', ifindex: 7, name: 'veth1' }, b: { ns: 'net:[30]', ifindex: 2, name: 'eth0' } },
      { a: { ns: 'net:[20]', ifindex: 2, name: 'eth0' }, b: { ns: 'net:[40]', ifindex: 7, name: 'vethX' } },
    ]);
  });

  it('pairs ends in one namespace (no linkNetnsid) without asking any nsid', () => {
    const { oracle, asked } = fakeHost({ 10: { links: [veth(4, 'a', 5), veth(5, 'b', 4)] } });
    expect(new VethResolver(oracle).pairAll().vethPairs).toEqual([
      { a: { ns: 'net:[10]', ifindex: 4, name: 'a' }, b: { ns: 'net:[10]', ifindex: 5, name: 'b' } },
    ]);
    expect(asked.nsid).toBe(0);
  });

  it('asks about 2 nsids per pair, not one per namespace pair, on a host with 200 namespaces', () => {
    const host: Record<number, FakeNamespace> = { 1: { links: [], nsids: {} } };
    for (let i = 0; i < 200; i++) {
      const ino = 100 + i;
      host[1].links!.push(veth(10 + i, `veth${i}`, 2, i));
      host[1].nsids![ino] = i;
      host[ino] = { links: [veth(2, 'eth0', 10 + i, 0)], nsids: { 1: 0 } };
    }
    const { oracle, asked } = fakeHost(host);
    const { vethPairs, unresolved } = new VethResolver(oracle).pairAll();
    expect(unresolved).toEqual([]);
    expect(vethPairs).toHaveLength(200);
    expect(asked.nsid).toBe(400);
  });

  it('tells the oracle ahead of the 2 questions per pair it will ask, so that they can be asked together', () => {
    const host: Record<number, FakeNamespace> = { 1: { links: [], nsids: {} } };
    for (let i = 0; i < 3; i++) {
      const ino = 100 + i;
      host[1].links!.push(veth(10 + i, `veth${i}`, 2, i));
      host[1].nsids![ino] = i;
      host[ino] = { links: [veth(2, 'eth0', 10 + i, 0)], nsids: { 1: 0 } };
    }
    const { oracle } = fakeHost(host);
    const told: Array<[number, number]> = [];
    const asked: Array<[number, number]> = [];
    const resolver = new VethResolver({
      ...oracle,
      mapped: oracle.mapped,
      known: oracle.known,
      nsid: (observer, target) => {
        asked.push([observer, target]);
        return oracle.nsid(observer, target);
      },
      *expectNsidQuestions(questions) {
        told.push(...questions.map(([o, t]) => [o, t] as [number, number]));
        yield; // as an oracle asking in steps would
      },
    });
    expect(resolver.pairAll().vethPairs).toHaveLength(3);
    const sorted = (list: Array<[number, number]>) => list.map(([o, t]) => `${o}>${t}`).sort();
    // Told before the first question, and nothing asked that was not told.
    expect(sorted(told)).toEqual(sorted(asked));
    expect(sorted(told)).toEqual(
      sorted([
        [1, 100],
        [1, 101],
        [1, 102],
        [100, 1],
        [101, 1],
        [102, 1],
      ]),
    );
  });

  it('tells none ahead for a veth with many candidate peers (a repeated pattern): those are asked until found', () => {
    // Ten namespaces, in pairs, each pairing ifindex 2 with ifindex 3 of the other (2>3 and 3>2 everywhere).
    const host: Record<number, FakeNamespace> = {};
    for (let i = 0; i < 10; i += 2) {
      host[100 + i] = { links: [veth(2, 'a', 3, 0)], nsids: { [101 + i]: 0 } };
      host[101 + i] = { links: [veth(3, 'b', 2, 0)], nsids: { [100 + i]: 0 } };
    }
    const { oracle } = fakeHost(host);
    const told: Array<readonly [number, number]> = [];
    const resolver = new VethResolver({
      ...oracle,
      *expectNsidQuestions(questions) {
        told.push(...questions);
        yield;
      },
    });
    expect(resolver.pairAll().vethPairs).toHaveLength(5);
    expect(told).toEqual([]);
  });

  it('finds a peer in a namespace that is not mapped, reading only that one', () => {
    const { oracle, asked } = fakeHost(
      {
        10: { links: [veth(7, 'veth1', 2, 0)], nsids: { 20: 0 } },
        20: { links: [veth(2, 'eth0', 7, 4)], nsids: { 10: 4 } },
        30: { links: [veth(2, 'eth0', 9, 0)], nsids: { 10: 0 } },
      },
      [10],
    );
    expect(new VethResolver(oracle).pairAll().vethPairs).toEqual([
      { a: { ns: 'net:[10]', ifindex: 7, name: 'veth1' }, b: { ns: 'net:[20]', ifindex: 2, name: 'eth0' } },
    ]);
    expect([...asked.links].sort()).toEqual([10, 20]);
  });
});

describe('unresolved ends, each with its reason', () => {
  const reasons = (namespaces: Record<number, FakeNamespace>, mapped?: number[]) =>
    new VethResolver(fakeHost(namespaces, mapped).oracle).pairAll().unresolved;

  it('no peer index; nsid that names no namespace found; nsid the kernel could not assign', () => {
    expect(reasons({ 10: { links: [veth(7, 'gone')] } })).toMatchObject([
      { code: 'no-peer-index', end: { name: 'gone' } },
    ]);
    expect(reasons({ 10: { links: [veth(7, 'v', 2, 3)], nsids: { 20: 0 } }, 20: {} })).toMatchObject([
      {
        code: 'peer-namespace-not-visible',
        linkIndex: 2,
        linkNetnsid: 3,
        reason: expect.stringContaining('no namespace found on this host has nsid 3 in net:[10]'),
      },
    ]);
    expect(reasons({ 10: { links: [veth(7, 'v', 2, -1)] } })).toMatchObject([{ code: 'nsid-unknown' }]);
  });

  it('peer namespace unreadable; no such ifindex; not a veth', () => {
    expect(
      reasons({ 10: { links: [veth(7, 'v', 2, 0)], nsids: { 20: 0 } }, 20: { unreadable: true } }, [10]),
    ).toMatchObject([{ code: 'peer-namespace-unreadable', reason: expect.stringContaining('EPERM') }]);
    expect(reasons({ 10: { links: [veth(7, 'v', 9, 0)], nsids: { 20: 0 } }, 20: {} })).toMatchObject([
      { code: 'no-such-ifindex', reason: 'net:[20] has no link with ifindex 9' },
    ]);
    expect(reasons({ 10: { links: [veth(7, 'v', 1, 0)], nsids: { 20: 0 } }, 20: {} })).toMatchObject([
      { code: 'not-a-veth', reason: 'ifindex 1 in net:[20] is lo, a loopback, not a veth' },
    ]);
  });

  it('does not point back: another ifindex, another namespace, or its own', () => {
    const host = (peer: Link, backNsid?: number): Record<number, FakeNamespace> => ({
      10: { links: [veth(7, 'v', 2, 0)], nsids: { 20: 0 } },
      20: { links: [peer], nsids: backNsid === undefined ? {} : ({ 10: backNsid } as Record<number, number>) },
    });
    expect(reasons(host(veth(2, 'w', 8, 0), 0), [10])).toMatchObject([
      { code: 'does-not-point-back', reason: 'w (ifindex 2 in net:[20]) names ifindex 8 as its peer, not 7' },
    ]);
    expect(reasons(host(veth(2, 'w', 7, 1), 0), [10])).toMatchObject([
      {
        code: 'does-not-point-back',
        reason: 'w (ifindex 2 in net:[20]) has its peer in nsid 1, but net:[10] is nsid 0 there',
      },
    ]);
    expect(reasons(host(veth(2, 'w', 7), 0), [10])).toMatchObject([
      { code: 'does-not-point-back', reason: 'w (ifindex 2 in net:[20]) has its peer in its own namespace' },
    ]);
    expect(reasons(host(veth(2, 'w', 7, 0)), [10])).toMatchObject([{ code: 'nsid-unknown' }]);
  });

  it('a namespace whose links cannot be read is skipped, not fatal', () => {
    const { oracle } = fakeHost({ 10: { unreadable: true }, 20: { links: [veth(4, 'a', 5), veth(5, 'b', 4)] } });
    expect(new VethResolver(oracle).pairAll().vethPairs).toHaveLength(1);
  });

  it('an nsid question that fails counts as not this namespace, and is said', () => {
    const { oracle } = fakeHost({ 10: { links: [veth(7, 'v', 2, 0)] }, 20: {} });
    const failing: PeerOracle = {
      ...oracle,
      mapped: oracle.mapped,
      known: oracle.known,
      links: oracle.links,
      nsid: () => {
        throw new Error('EBADF');
      },
    };
    expect(new VethResolver(failing).pairAll().unresolved).toMatchObject([
      { code: 'peer-namespace-not-visible', reason: expect.stringContaining('(1 could not be asked)') },
    ]);
  });
});
