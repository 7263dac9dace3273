// The route family's table (field-table.ts): every field of `Route`, where
// RTM_NEWROUTE carries it, how it is read and, where `ip route add` sends
// it, written, and its `ip -j -d route` key, in the order ip prints them.
import {
  RTA_DST,
  RTA_GATEWAY,
  RTA_MULTIPATH,
  RTA_OIF,
  RTA_PREF,
  RTA_PREFSRC,
  RTA_PRIORITY,
  RTA_TABLE,
  RTA_VIA,
} from './constants';
import type { FieldTable } from './field-table';
import { RTNEXTHOP, type RTMSG, type StructOf } from './headers';
import { type IpFamily, formatAddress, formatIP } from './ip-address';
import type { LinkNames } from './link-fields';
import type { Route, RouteNexthop } from './model';
import { protocolName, routeFlagNames, routePrefName, routeTypeName, scopeName, tableName } from './names';
import { Attributes, align4, u32Attribute } from './wire';

/** One RTM_NEWROUTE (or RTM_DELROUTE) of IPv4 or IPv6, parsed. */
export interface RouteSource {
  header: StructOf<typeof RTMSG>;
  family: IpFamily;
  attributes: Attributes;
  /** Names the output links; an unknown ifindex reads `if<N>`, as in ip. */
  names: LinkNames;
}

function readAddress(attributes: Attributes, type: number, family: IpFamily): string | undefined {
  const value = attributes.get(type);
  if (value === undefined) return undefined;
  const size = family === 4 ? 4 : 16;
  if (value.length !== size) {
    throw new Error(`netlink: route attribute ${type} has ${value.length} bytes, IPv${family} needs ${size}`);
  }
  return formatAddress(family, value);
}

// RTA_VIA: struct rtvia { u16 family; u8 addr[] } — a gateway of another
// family (an IPv4 route through an IPv6 next hop).
function readVia(attributes: Attributes): string | undefined {
  const value = attributes.get(RTA_VIA);
  if (value === undefined) return undefined;
  if (value.length !== 2 + 4 && value.length !== 2 + 16) {
    throw new Error(`netlink: RTA_VIA has ${value.length} bytes, not a family and an IP address`);
  }
  return formatIP(value.subarray(2));
}

const gatewayOf = (attributes: Attributes, family: IpFamily) =>
  readAddress(attributes, RTA_GATEWAY, family) ?? readVia(attributes);

const nameOf = (names: LinkNames, ifindex: number) => names.get(ifindex) ?? `if${ifindex}`;

// RTA_MULTIPATH: struct rtnexthop records, each followed by its attributes.
function readNexthops(value: Buffer, family: IpFamily, names: LinkNames): RouteNexthop[] {
  const nexthops: RouteNexthop[] = [];
  let offset = 0;
  while (offset < value.length) {
    const left = value.length - offset;
    if (left < RTNEXTHOP.size) {
      throw new Error(`netlink: truncated struct rtnexthop in RTA_MULTIPATH at offset ${offset}`);
    }
    const { length, flags, hops, ifindex } = RTNEXTHOP.decode(value, offset);
    if (length < RTNEXTHOP.size || length > left) {
      throw new Error(
        `netlink: rtnexthop at offset ${offset} in RTA_MULTIPATH claims length ${length} ` +
          `(at least ${RTNEXTHOP.size}, at most the ${left} bytes left)`,
      );
    }
    const attributes = Attributes.parse(value.subarray(offset + RTNEXTHOP.size, offset + length), 'rtnexthop');
    const nexthop: RouteNexthop = { weight: hops + 1, flags: routeFlagNames(flags) };
    const gateway = gatewayOf(attributes, family);
    if (gateway !== undefined) nexthop.gateway = gateway;
    if (ifindex > 0) {
      nexthop.dev = nameOf(names, ifindex);
      nexthop.ifindex = ifindex;
    }
    nexthops.push(nexthop);
    offset = Math.min(offset + align4(length), value.length);
  }
  return nexthops;
}

// As ip prints dst: a host route without its /32 or /128, no RTA_DST and
// no prefix is 'default' (and ip's odd '0/N' for a prefix without address).
function destinationOf({ attributes, family, header }: RouteSource): string {
  const destination = readAddress(attributes, RTA_DST, family);
  if (destination === undefined) return header.dstLength === 0 ? 'default' : `0/${header.dstLength}`;
  return header.dstLength === (family === 4 ? 32 : 128) ? destination : `${destination}/${header.dstLength}`;
}

export const ROUTE_FIELDS = {
  family: { read: (s) => s.family },
  type: { read: (s) => routeTypeName(s.header.type), ip: 'type' },
  dst: { attribute: RTA_DST, read: destinationOf, ip: 'dst' },
  gateway: { attribute: [RTA_GATEWAY, RTA_VIA], read: (s) => gatewayOf(s.attributes, s.family), ip: 'gateway' },
  dev: {
    attribute: RTA_OIF,
    read: (s) => {
      const oif = s.attributes.u32(RTA_OIF);
      return oif === undefined ? undefined : nameOf(s.names, oif);
    },
    ip: 'dev',
  },
  ifindex: {
    attribute: RTA_OIF,
    read: (s) => s.attributes.u32(RTA_OIF),
    write: (ifindex) => u32Attribute(RTA_OIF, ifindex),
  },
  // RTA_TABLE holds the whole 32-bit id; rtm_table only its low byte (252 for big ids).
  table: { attribute: RTA_TABLE, read: (s) => tableName(s.attributes.u32(RTA_TABLE) ?? s.header.table), ip: 'table' },
  protocol: { read: (s) => protocolName(s.header.protocol), ip: 'protocol' },
  scope: { read: (s) => scopeName(s.header.scope), ip: 'scope' },
  prefsrc: { attribute: RTA_PREFSRC, read: (s) => readAddress(s.attributes, RTA_PREFSRC, s.family), ip: 'prefsrc' },
  metric: {
    attribute: RTA_PRIORITY,
    read: (s) => s.attributes.u32(RTA_PRIORITY),
    write: (metric) => u32Attribute(RTA_PRIORITY, metric),
    ip: 'metric',
  },
  flags: { read: (s) => routeFlagNames(s.header.flags), ip: 'flags' },
  pref: {
    attribute: RTA_PREF,
    read: (s) => {
      const pref = s.attributes.u8(RTA_PREF);
      return pref === undefined ? undefined : routePrefName(pref);
    },
    ip: 'pref',
  },
  nexthops: {
    attribute: RTA_MULTIPATH,
    read: (s) => {
      const multipath = s.attributes.get(RTA_MULTIPATH);
      return multipath === undefined ? undefined : readNexthops(multipath, s.family, s.names);
    },
    ip: 'nexthops',
  },
} as const satisfies FieldTable<Route, RouteSource>;
