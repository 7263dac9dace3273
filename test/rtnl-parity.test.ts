// ns.links() / ns.addresses() / ns.routes() against `ip -j -d link`, `ip -j
// addr` and `ip -j -d route show table all`, field by field, on a network
// built with `ip`: veths host<->A and A<->B, a bridge with ports, IPv4 and
// IPv6 addresses (secondary, peer, dynamic, tentative), a down link, MTUs,
// an alias and an altname, routes through gateways, multipath, other tables.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Address, type Link, NetNamespace, type Route } from '../lib/index';
import { onCleanup, run } from './helpers';
import {
  type IpRoute,
  addNamedNetns,
  addressesFromIp,
  canonical,
  comparableRoute,
  deleteHostLinkAfter,
  expectLinksAsIp,
  ipBatch,
  ipJson,
  routeFromIp,
  runTag,
  settled,
  sortedFlags,
} from './net-helpers';

const A = `${runTag}pa`;
const B = `${runTag}pb`;
const HOST_END = `${runTag}h0`;

function buildNetwork(): void {
  addNamedNetns(A);
  addNamedNetns(B);
  // No duplicate address detection: an address must not turn from tentative
  // to valid between ip's read and ours (p1x asks for DAD again below).
  for (const ns of [A, B]) run('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.default.accept_dad=0']);
  run('ip', ['link', 'add', HOST_END, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', A]);
  deleteHostLinkAfter(HOST_END);
  run('sysctl', ['-qw', `net.ipv6.conf.${HOST_END}.accept_dad=0`]);
  run('ip', ['link', 'set', HOST_END, 'up']);
  ipBatch(A, [
    'link set lo up',
    'link set eth0 up mtu 1450',
    'link set eth0 alias to-the-host',
    'link property add dev eth0 altname uplink0',
    `link add va type veth peer name vb netns ${B}`,
    'link add br0 type bridge',
    'link add p1 type veth peer name p1x',
    'link set p1 master br0',
    'link set va master br0',
    'link set br0 up',
    'link set p1 up',
    'link set va up',
    'link set p1x mtu 1400',
    'addr add 10.77.0.2/24 dev eth0',
    'addr add 10.77.0.3/24 dev eth0',
    'addr add 10.77.5.1/24 dev eth0 valid_lft 3000 preferred_lft 2000 noprefixroute',
    'addr add 10.77.9.1 peer 10.77.9.2 dev eth0',
    'addr add fd77::2/64 dev eth0',
    'addr add 10.78.0.1/24 brd + dev br0',
    'addr add fd78::1/64 dev br0',
    'route add default via 10.77.0.1',
    'route add 10.90.0.0/16 nexthop via 10.77.0.1 weight 3 nexthop via 10.77.0.9 dev eth0',
    'route add blackhole 10.91.0.0/16 table 100',
    'route add unreachable 10.92.0.0/16 metric 7',
    'route add fd90::/64 via fd77::1 metric 50',
  ]);
  // p1x stays down, so its address stays tentative.
  run('ip', ['netns', 'exec', A, 'sysctl', '-qw', 'net.ipv6.conf.p1x.accept_dad=1']);
  ipBatch(A, ['addr add fd79::1/64 dev p1x']);
  ipBatch(B, [
    'link set vb up mtu 1280',
    'addr add 10.78.0.2/24 dev vb',
    'addr add fd78::2/64 dev vb',
    'route add 10.99.0.0/16 via 10.78.0.1 table 200',
  ]);
}

describe('links, addresses and routes read like ip -j shows them', () => {
  it('every link of A and B, and the host links this test made, field by field', () => {
    buildNetwork();
    using a = NetNamespace.fromName(A);
    using b = NetNamespace.fromName(B);
    using host = NetNamespace.current();
    const inA = expectLinksAsIp(a, A);
    const inB = expectLinksAsIp(b, B);
    // The host is shared with whatever else runs here: compare our links and lo.
    const inHost = expectLinksAsIp(host, undefined, (link) => [HOST_END, 'lo'].includes(link.ifname));

    // The premises the comparison covers, so that it cannot pass on an empty network.
    const byName = (links: Link[], name: string) => links.find((link) => link.name === name);
    expect(byName(inA, 'eth0')).toMatchObject({
      kind: 'veth',
      mtu: 1450,
      up: true,
      alias: 'to-the-host',
      altNames: ['uplink0'],
      linkIndex: byName(inHost, HOST_END)?.ifindex,
    });
    expect(byName(inA, 'eth0')?.linkNetnsid).toBeTypeOf('number');
    expect(byName(inA, 'va')).toMatchObject({
      master: 'br0',
      slaveKind: 'bridge',
      linkIndex: byName(inB, 'vb')?.ifindex,
    });
    expect(byName(inA, 'p1')).toMatchObject({ link: 'p1x', master: 'br0', flags: expect.arrayContaining(['M-DOWN']) });
    expect(byName(inA, 'p1x')).toMatchObject({ up: false, operstate: 'DOWN', mtu: 1400 });
    expect(byName(inA, 'br0')?.kind).toBe('bridge');
    expect(byName(inB, 'vb')).toMatchObject({ mtu: 1280, linkIndex: byName(inA, 'va')?.ifindex });
    expect(byName(inHost, HOST_END)?.linkIndex).toBe(byName(inA, 'eth0')?.ifindex);
  });

  it('every address of A and B: v4 and v6, secondary, peer, broadcast, dynamic, tentative', () => {
    buildNetwork();
    for (const name of [A, B]) {
      using ns = NetNamespace.fromName(name);
      const { ip, ours } = settled(
        () => ipJson<Parameters<typeof addressesFromIp>[0]>(name, ['addr']),
        () => ns.addresses(),
      );
      expect(canonical(ours.map(sortedFlags))).toEqual(canonical(addressesFromIp(ip)));
    }
    using a = NetNamespace.fromName(A);
    const addresses = a.addresses();
    const find = (address: string) => addresses.find((entry) => entry.address === address);
    expect(find('10.77.0.3')?.flags).toContain('secondary');
    expect(find('10.77.5.1')?.flags).toEqual(expect.arrayContaining(['dynamic', 'noprefixroute']));
    expect(find('10.77.9.1')?.peer).toBe('10.77.9.2');
    expect(find('10.78.0.1')?.broadcast).toBe('10.78.0.255');
    expect(find('fd79::1')?.flags).toContain('tentative');
    expect(addresses.some((entry: Address) => entry.family === 6 && entry.scope === 'link')).toBe(true);
  });

  it('every route of every table of A and B, v4 and v6; main only by default; family and table filters', () => {
    buildNetwork();
    for (const name of [A, B]) {
      using ns = NetNamespace.fromName(name);
      const readIp = () =>
        [4, 6].flatMap((family) =>
          ipJson<IpRoute[]>(name, [`-${family}`, '-d', 'route', 'show', 'table', 'all']).map((route) =>
            routeFromIp(route, family as 4 | 6),
          ),
        );
      const { ip, ours } = settled(readIp, () => ns.routes({ table: 'all' }));
      expect(canonical(ours.map(comparableRoute))).toEqual(canonical(ip));
      const links = ns.links();
      for (const route of ours) {
        if (route.ifindex !== undefined) expect(links.find((l) => l.ifindex === route.ifindex)?.name).toBe(route.dev);
      }
      // Defaults as `ip route`: the main table, both families.
      const main = [4, 6].flatMap((family) =>
        ipJson<IpRoute[]>(name, [`-${family}`, '-d', 'route']).map((route) => routeFromIp(route, family as 4 | 6)),
      );
      expect(canonical(ns.routes().map(comparableRoute))).toEqual(canonical(main));
      expect(ns.routes({ family: 6 }).every((route: Route) => route.family === 6)).toBe(true);
      expect(ns.routes({ table: 'local' }).every((route: Route) => route.table === 'local')).toBe(true);
    }
    using a = NetNamespace.fromName(A);
    const all = a.routes({ table: 'all' });
    expect(all.find((route) => route.dst === 'default')).toMatchObject({
      gateway: '10.77.0.1',
      dev: 'eth0',
      table: 'main',
    });
    expect(all.find((route) => route.dst === '10.90.0.0/16')?.nexthops).toHaveLength(2);
    expect(all.find((route) => route.dst === '10.91.0.0/16')).toMatchObject({ type: 'blackhole', table: 100 });
    expect(all.find((route) => route.dst === 'fd90::/64')).toMatchObject({ gateway: 'fd77::1', metric: 50 });
    using b = NetNamespace.fromName(B);
    expect(b.routes({ table: 200 })).toMatchObject([{ dst: '10.99.0.0/16', gateway: '10.78.0.1', table: 200 }]);
    expect(b.routes().some((route) => route.table === 200)).toBe(false);
  });

  it('leaves the thread where it was and no fd open', () => {
    buildNetwork();
    const openFds = () => fs.readdirSync('/proc/self/fd').sort();
    const fdsBefore = openFds();
    const where = fs.readlinkSync('/proc/thread-self/ns/net');
    using a = NetNamespace.fromName(A);
    onCleanup(() => a.close());
    a.links();
    a.addresses();
    a.routes();
    a.close();
    expect(fs.readlinkSync('/proc/thread-self/ns/net')).toBe(where);
    // A child started now is where this thread is (DESIGN.md §1.2): seen from outside.
    expect(run('readlink', ['/proc/self/ns/net'])).toBe(where);
    expect(openFds()).toEqual(fdsBefore);
  });
});
