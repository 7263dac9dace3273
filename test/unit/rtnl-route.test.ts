// Route codec: requests against what iproute2 sends and what a real kernel
// accepted, and a real dump against `ip -j -d route show table all`.
import { describe, expect, it } from 'vitest';
import { linkNames, parseLinkDump } from '../../lib/rtnl/link-codec';
import type { Route } from '../../lib/rtnl/model';
import {
  NLM_F_ACK,
  NLM_F_CREATE,
  NLM_F_EXCL,
  NLM_F_REQUEST,
  RTM_DELROUTE,
  RTM_NEWROUTE,
} from '../../lib/rtnl/constants';
import {
  addRouteRequest,
  deleteRouteRequest,
  isSingleRouteOutOf,
  parseRouteDump,
  parseRouteMessage,
  replayRouteRequest,
  routeDumpRequest,
} from '../../lib/rtnl/route-codec';
import { encodeMessage, parseAck, parseMessages } from '../../lib/rtnl/wire';
import { hex, loadExchange, loadIpJson } from './rtnl-fixture';

// Golden requests: iproute2 6.1 under
//   ip netns exec NS strace -e trace=sendmsg -e write=all -xx ip route ...
// with br0 at ifindex 7; seq is ip's own. rtmsg bytes: family, dst_len,
// src_len, tos, table (0xfe main), protocol (3 boot), scope, type (1 unicast), flags.
describe('route requests equal what ip sends', () => {
  it('ip route add default via 10.0.0.254: no RTA_DST, scope universe', () => {
    expect(hex(addRouteRequest(0x6b04f6ac, { to: 'default', via: '10.0.0.254' }))).toBe(
      '2400000018000506acf6046b00000000' + '02000000fe030001' + '00000000' + '080005000a0000fe',
    );
  });

  it('ip route add 10.1.0.0/16 dev br0: scope link without a gateway', () => {
    expect(hex(addRouteRequest(0x6b04f6ad, { to: '10.1.0.0/16', dev: 7 }))).toBe(
      '2c00000018000506adf6046b00000000' + '02100000fe03fd01' + '00000000' + '080001000a010000' + '0800040007000000',
    );
  });

  it('ip route add 10.2.0.0/16 via 10.0.0.253 dev br0: RTA_DST, RTA_GATEWAY, RTA_OIF', () => {
    expect(hex(addRouteRequest(0x6b04f6ad, { to: '10.2.0.0/16', via: '10.0.0.253', dev: 7 }))).toBe(
      '3400000018000506adf6046b0000000002100000fe03000100000000' + '080001000a020000080005000a0000fd0800040007000000',
    );
  });

  it('ip route add 10.3.0.5/32 dev br0 (a bare address is the same host route)', () => {
    const golden = '2c00000018000506c3f6046b0000000002200000fe03fd0100000000080001000a0300050800040007000000';
    expect(hex(addRouteRequest(0x6b04f6c3, { to: '10.3.0.5/32', dev: 7 }))).toBe(golden);
    expect(hex(addRouteRequest(0x6b04f6c3, { to: '10.3.0.5', dev: 7 }))).toBe(golden);
  });

  it('ip route add default via 2001:db8::fe: IPv6, scope universe', () => {
    expect(hex(addRouteRequest(0x6b04f6c3, { to: 'default', via: '2001:db8::fe' }))).toBe(
      '3000000018000506c3f6046b000000000a000000fe03000100000000' + '1400050020010db80000000000000000000000fe',
    );
  });

  it('ip route add 2001:db8:1::/48 dev br0: IPv6 stays scope universe without a gateway', () => {
    expect(hex(addRouteRequest(0x6b04f6ae, { to: '2001:db8:1::/48', dev: 7 }))).toBe(
      '3800000018000506aef6046b000000000a300000fe03000100000000' +
        '1400010020010db8000100000000000000000000' +
        '0800040007000000',
    );
  });

  it('ip route add 2001:db8:2::/48 via 2001:db8::fd', () => {
    expect(hex(addRouteRequest(0x6b04f6c1, { to: '2001:db8:2::/48', via: '2001:db8::fd' }))).toBe(
      '4400000018000506c1f6046b000000000a300000fe030001000000001400010020010db80002000000000000000000001400050020010db80000000000000000000000fd',
    );
  });

  it('ip route show table all | ip -6 route | ip -4 route: dumps', () => {
    expect(hex(routeDumpRequest(0x6b04f68f))).toBe(`1c0000001a0001038ff6046b00000000${'00'.repeat(12)}`);
    expect(hex(routeDumpRequest(0x6b04f690, { family: 6 }))).toBe(
      `1c0000001a00010390f6046b000000000a${'00'.repeat(11)}`,
    );
    expect(hex(routeDumpRequest(0x6b04f690, { family: 4 }))).toBe(
      `1c0000001a00010390f6046b0000000002${'00'.repeat(11)}`,
    );
  });
});

describe('route requests a real kernel accepted', () => {
  const names = linkNames(parseLinkDump(loadExchange('link-dump').messages));
  const br0 = [...names].find(([, name]) => name === 'br0')?.[0] as number;
  const accepted = (name: string) => {
    const exchange = loadExchange(name);
    expect(parseAck(exchange.messages[0]).errno).toBe(0);
    return exchange.request;
  };

  it('default v4 and v6 through a gateway, by device, via and device, a host route', () => {
    expect(addRouteRequest(1030, { to: 'default', via: '10.23.0.254' })).toEqual(accepted('ack-route-default-v4'));
    expect(addRouteRequest(1031, { to: '10.99.0.0/16', dev: br0 })).toEqual(accepted('ack-route-dev'));
    expect(addRouteRequest(1032, { to: '10.98.0.0/16', via: '10.24.0.254', dev: br0 })).toEqual(
      accepted('ack-route-via-dev'),
    );
    expect(addRouteRequest(1033, { to: '10.97.0.5', dev: br0 })).toEqual(accepted('ack-route-host'));
    expect(addRouteRequest(1034, { to: 'default', via: '2001:db8:23::fe' })).toEqual(accepted('ack-route-default-v6'));
    expect(addRouteRequest(1035, { to: '2001:db8:99::/48', dev: br0 })).toEqual(accepted('ack-route-dev-v6'));
  });

  it('the dump request', () => {
    expect(routeDumpRequest(1042)).toEqual(loadExchange('route-dump').request);
  });
});

interface IpRoute {
  type: string;
  dst: string;
  gateway?: string;
  dev?: string;
  table: string;
  protocol: string;
  scope: string;
  prefsrc?: string;
  metric?: number;
  flags: string[];
  pref?: string;
  nexthops?: Array<{ gateway?: string; dev?: string; weight: number; flags: string[] }>;
}

describe('a real route dump reads as `ip -j -d route show table all` of the same moment', () => {
  const names = linkNames(parseLinkDump(loadExchange('link-dump').messages));
  const routes = parseRouteDump(loadExchange('route-dump').messages, names);
  const ipRoutes = loadIpJson<IpRoute[]>('route');
  const indexOf = (name: string) => [...names].find(([, candidate]) => candidate === name)?.[0];

  it('has the same routes in the same order, field by field', () => {
    const comparable = routes.map((route) => {
      const { family, ifindex, nexthops, ...rest } = route;
      // Every IPv6 route of the fixture has a ':' in its dst or gateway.
      expect(family).toBe(`${route.dst} ${route.gateway ?? ''}`.includes(':') ? 6 : 4);
      if (ifindex !== undefined) expect(names.get(ifindex)).toBe(route.dev);
      return {
        ...rest,
        // ip prints table, protocol and scope as text, numbers too.
        table: String(route.table),
        protocol: String(route.protocol),
        scope: String(route.scope),
        ...(nexthops && {
          nexthops: nexthops.map(({ ifindex: index, ...hop }) => {
            expect(index).toBe(indexOf(hop.dev as string));
            return hop;
          }),
        }),
      };
    });
    expect(comparable).toEqual(ipRoutes);
  });

  it('covers what the fixture was built to show', () => {
    const find = (dst: string, table: Route['table'] = 'main') =>
      routes.find((route) => route.dst === dst && route.table === table);
    expect(find('10.78.0.0/16', 1000)).toBeDefined(); // RTA_TABLE, rtm_table says 252
    expect(find('10.77.0.0/16', 100)).toBeDefined();
    expect(find('10.97.0.5')).toMatchObject({ scope: 'link', protocol: 'boot' }); // a host route, no /32
    expect(find('10.66.0.0/16')).toMatchObject({ type: 'blackhole' });
    expect(find('10.55.0.0/16')).toMatchObject({ protocol: 'static', metric: 50 });
    expect(find('10.88.0.0/16')?.nexthops).toHaveLength(2);
    expect(find('::1', 'local')).toMatchObject({ family: 6, type: 'local' });
    expect(routes.filter((route) => route.dst === 'default').map((route) => route.gateway)).toEqual([
      '10.23.0.254',
      '2001:db8:23::fe',
    ]);
  });

  it('skips families other than IPv4 and IPv6 (ipmr, 128)', () => {
    const [first] = loadExchange('route-dump').messages;
    const other = Buffer.from(first.payload);
    other[0] = 128;
    const [message] = parseMessages(encodeMessage({ type: first.type, flags: first.flags, seq: 1 }, [other]));
    expect(parseRouteMessage(message, names)).toBeUndefined();
  });
});

describe('route arguments are checked before anything is sent', () => {
  it('refuses what the kernel would refuse less clearly', () => {
    expect(() => addRouteRequest(1, { to: '10.0.0.0/8' })).toThrow(/gateway \(via\) or an output link \(dev\)/);
    expect(() => addRouteRequest(1, { to: '10.0.0.1/8', dev: 2 })).toThrow(/give the network address/);
    expect(() => addRouteRequest(1, { to: '10.0.0.0/8', via: '2001:db8::1' })).toThrow(
      /is IPv6 but the destination is IPv4/,
    );
    expect(() => addRouteRequest(1, { to: 'default', via: 'gateway.example' })).toThrow(/hostnames/);
    expect(() => addRouteRequest(1, { to: '10.0.0.0/33', dev: 2 })).toThrow(RangeError);
    expect(() => addRouteRequest(1, { to: '10.0.0.0/8', dev: 0 })).toThrow(RangeError);
    expect(() => addRouteRequest(1, { to: '10.0.0.0/8', dev: 2, metric: -1 })).toThrow(RangeError);
    expect(() => addRouteRequest(1, { to: '::/0', dev: 2, family: 4 })).toThrow(/family 4/);
  });

  it('a /0 is a default route; a default without a gateway is IPv4 unless told', () => {
    expect(addRouteRequest(1, { to: '0.0.0.0/0', via: '10.0.0.1' })).toEqual(
      addRouteRequest(1, { to: 'default', via: '10.0.0.1' }),
    );
    expect(addRouteRequest(1, { to: 'default', dev: 3 })[16]).toBe(2);
    expect(addRouteRequest(1, { to: 'default', dev: 3, family: 6 })[16]).toBe(10);
    expect(hex(addRouteRequest(1, { to: '10.0.0.0/8', dev: 3, metric: 20 }).subarray(-8))).toBe('0800060014000000');
  });
});

describe('a dumped route replayed (ip route restore)', () => {
  const dumped = loadExchange('route-dump').messages.filter((message) => message.type === RTM_NEWROUTE);
  const names = new Map<number, string>();

  it('is the same route out of the new link, as a create request the kernel accepts', () => {
    for (const message of dumped) {
      const before = parseRouteMessage(message, names);
      if (before?.ifindex === undefined) continue;
      const replay = parseMessages(replayRouteRequest(7, message, 99))[0];
      expect(replay).toMatchObject({
        type: RTM_NEWROUTE,
        seq: 7,
        flags: NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
      });
      const after = parseRouteMessage(replay, names);
      // Only the link and the flags the kernel sets itself (linkdown, dead, ...) differ.
      expect({ ...after, flags: [] }).toEqual({ ...before, flags: [], ifindex: 99, dev: 'if99' });
      expect((after?.flags ?? []).filter((flag) => flag !== 'onlink')).toEqual([]);
    }
    expect(dumped.some((message) => parseRouteMessage(message, names)?.flags?.includes('linkdown'))).toBe(true);
  });

  it('refuses what is not a dumped route, a multipath one, and a bad ifindex', () => {
    expect(() => replayRouteRequest(1, loadExchange('link-dump').messages[0], 3)).toThrow(TypeError);
    expect(() => replayRouteRequest(1, dumped[0], 0)).toThrow(RangeError);
    const multipath = dumped.find((message) => parseRouteMessage(message, names)?.nexthops !== undefined);
    if (!multipath) throw new Error('the fixture has no multipath route');
    expect(() => replayRouteRequest(1, multipath, 3)).toThrow(/multipath/);
  });

  it('picks the routes straight out of one link without parsing the others', () => {
    const links = new Set(dumped.map((message) => parseRouteMessage(message, names)?.ifindex));
    for (const ifindex of links) {
      if (ifindex === undefined) continue;
      const picked = dumped.filter((message) => isSingleRouteOutOf(message, ifindex));
      const expected = dumped.filter((message) => {
        const route = parseRouteMessage(message, names);
        return route?.ifindex === ifindex && route.nexthops === undefined;
      });
      expect(picked).toEqual(expected);
      expect(picked.length).toBeGreaterThan(0);
    }
  });
});

describe('deleteRouteRequest', () => {
  it('is the added route with RTM_DELROUTE and REQUEST|ACK (no CREATE|EXCL), byte for byte otherwise', () => {
    const route = { to: '10.81.0.0/16', via: '10.78.0.1', metric: 5 };
    const added = addRouteRequest(7, route);
    const deleted = deleteRouteRequest(7, route);
    expect(deleted.readUInt16LE(4)).toBe(RTM_DELROUTE);
    expect(deleted.readUInt16LE(6)).toBe(NLM_F_REQUEST | NLM_F_ACK);
    expect(added.readUInt16LE(4)).toBe(RTM_NEWROUTE);
    expect(added.readUInt16LE(6)).toBe(NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
    expect(hex(deleted.subarray(8))).toBe(hex(added.subarray(8)));
    expect(deleted.length).toBe(added.length);
  });
});
