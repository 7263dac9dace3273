// Routes over rtnetlink: the dump request, the parse of RTM_NEWROUTE into
// the `Route` users see (as `ip -j -d route show table all` shows it), the
// request `ip route add TO [via GW] [dev X]` sends, and the replay of a
// dumped route that `ip route restore` makes of `ip route save`.
import type { Route, RouteNexthop } from './model';
import {
  AF_UNSPEC,
  NLA_F_NESTED,
  NLA_F_NET_BYTEORDER,
  NLM_F_ACK,
  NLM_F_CREATE,
  NLM_F_DUMP,
  NLM_F_EXCL,
  NLM_F_REQUEST,
  RTA_DST,
  RTA_GATEWAY,
  RTA_MULTIPATH,
  RTA_NH_ID,
  RTA_OIF,
  RTA_PREF,
  RTA_PREFSRC,
  RTA_PRIORITY,
  RTA_TABLE,
  RTA_VIA,
  RTM_DELROUTE,
  RTM_GETROUTE,
  RTM_NEWROUTE,
  RTMSG_LEN,
  RTNEXTHOP_LEN,
  RTNH_F_ONLINK,
  RTN_UNICAST,
  RTPROT_BOOT,
  RT_SCOPE_LINK,
  RT_SCOPE_UNIVERSE,
  RT_TABLE_MAIN,
} from './constants';
import {
  type IpFamily,
  addressFamilyOf,
  formatAddress,
  formatIP,
  hostBitsAreZero,
  ipFamilyOf,
  parseCidr,
  parseIP,
} from './ip-address';
import type { LinkNames } from './link-codec';
import { protocolName, routeFlagNames, routePrefName, routeTypeName, scopeName, tableName } from './names';
import {
  Attributes,
  type NetlinkMessage,
  align4,
  attribute,
  encodeMessage,
  fixedHeader,
  messageAttributes,
  parseAttributeList,
  u32Attribute,
} from './wire';
import { assertIfindex, assertU32 } from './fields';

/** struct rtmsg. */
export interface RtMsg {
  family: number;
  dstLength: number;
  srcLength: number;
  tos: number;
  /** The table id when it fits in 8 bits; RTA_TABLE carries the full one. */
  table: number;
  protocol: number;
  scope: number;
  type: number;
  flags: number;
}

export function encodeRtMsg(fields: Partial<RtMsg> = {}): Buffer {
  const bytes = Buffer.alloc(RTMSG_LEN);
  bytes.writeUInt8(fields.family ?? AF_UNSPEC, 0);
  bytes.writeUInt8(fields.dstLength ?? 0, 1);
  bytes.writeUInt8(fields.srcLength ?? 0, 2);
  bytes.writeUInt8(fields.tos ?? 0, 3);
  bytes.writeUInt8(fields.table ?? 0, 4);
  bytes.writeUInt8(fields.protocol ?? 0, 5);
  bytes.writeUInt8(fields.scope ?? 0, 6);
  bytes.writeUInt8(fields.type ?? 0, 7);
  bytes.writeUInt32LE((fields.flags ?? 0) >>> 0, 8);
  return bytes;
}

export function decodeRtMsg(bytes: Buffer): RtMsg {
  return {
    family: bytes.readUInt8(0),
    dstLength: bytes.readUInt8(1),
    srcLength: bytes.readUInt8(2),
    tos: bytes.readUInt8(3),
    table: bytes.readUInt8(4),
    protocol: bytes.readUInt8(5),
    scope: bytes.readUInt8(6),
    type: bytes.readUInt8(7),
    flags: bytes.readUInt32LE(8),
  };
}

// ---------------------------------------------------------------- requests --

/**
 * RTM_GETROUTE dump of every table. Without a family the kernel dumps every
 * family it has routes for (also multicast routing tables, family 128/129),
 * which the parser skips.
 */
export function routeDumpRequest(seq: number, options: { family?: IpFamily } = {}): Buffer {
  const family = options.family === undefined ? AF_UNSPEC : addressFamilyOf(options.family);
  return encodeMessage({ type: RTM_GETROUTE, flags: NLM_F_REQUEST | NLM_F_DUMP, seq }, [encodeRtMsg({ family })]);
}

export interface NewRoute {
  /** 'default', or a network in CIDR form; a bare address is a host route (/32, /128). */
  to: string;
  /** Gateway address, of the same family as `to`. */
  via?: string;
  /** ifindex of the output link. */
  dev?: number;
  /** RTA_PRIORITY (ip: metric). */
  metric?: number;
  /** Family of a 'default' route with neither gateway nor family of its own; default 4, as ip. */
  family?: IpFamily;
}

/**
 * RTM_NEWROUTE as `ip route add` sends it: table main, protocol boot, type
 * unicast; scope universe for a route through a gateway and link for one
 * straight out of a device, except IPv6 routes, which are always universe
 * (iproute2's rule); NLM_F_CREATE|NLM_F_EXCL, so an existing route is EEXIST.
 * A default (or /0) route carries no RTA_DST, which the kernel reads as ::/0
 * or 0.0.0.0/0.
 */
export function addRouteRequest(seq: number, route: NewRoute): Buffer {
  if (typeof route !== 'object' || route === null) throw new TypeError('route must be an object');
  const gateway = route.via === undefined ? undefined : parseIP(route.via, 'via');
  if (route.dev !== undefined) assertIfindex(route.dev, 'dev');
  if (route.metric !== undefined) assertU32(route.metric, 'metric');
  if (gateway === undefined && route.dev === undefined) {
    throw new TypeError('a route needs a gateway (via) or an output link (dev), or both');
  }

  let family: IpFamily;
  let destination: Buffer | undefined;
  let prefixLength = 0;
  if (route.to === 'default') {
    family = gateway?.family ?? route.family ?? 4;
  } else {
    const cidr = parseCidr(route.to, { requirePrefix: false, what: 'route destination' });
    if (!hostBitsAreZero(cidr.address, cidr.prefixLength)) {
      throw new RangeError(
        `route destination ${route.to} has bits set after its /${cidr.prefixLength} ` +
          'prefix: give the network address',
      );
    }
    family = cidr.family;
    prefixLength = cidr.prefixLength;
    if (prefixLength > 0) destination = cidr.address;
  }
  if (route.family !== undefined && route.family !== family) {
    throw new TypeError(`route destination is IPv${family} but family ${route.family} was asked for`);
  }
  if (gateway !== undefined && gateway.family !== family) {
    throw new TypeError(`gateway ${route.via} is IPv${gateway.family} but the destination is IPv${family}`);
  }

  const scope = family === 6 || gateway !== undefined ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
  const parts: Buffer[] = [
    encodeRtMsg({
      family: addressFamilyOf(family),
      dstLength: prefixLength,
      table: RT_TABLE_MAIN,
      protocol: RTPROT_BOOT,
      scope,
      type: RTN_UNICAST,
    }),
  ];
  // RTA_DST, RTA_GATEWAY, RTA_OIF: iproute2's order.
  if (destination !== undefined) parts.push(attribute(RTA_DST, destination));
  if (gateway !== undefined) parts.push(attribute(RTA_GATEWAY, gateway.address));
  if (route.dev !== undefined) parts.push(u32Attribute(RTA_OIF, route.dev));
  if (route.metric !== undefined) parts.push(u32Attribute(RTA_PRIORITY, route.metric));
  return encodeMessage(
    { type: RTM_NEWROUTE, flags: NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, seq },
    parts,
  );
}

/**
 * RTM_NEWROUTE that puts a dumped route back as it was (table, protocol,
 * scope, type, source, metric and metrics kept), as `ip route restore`
 * replays `ip route save`, out of the link `oif` now has; NLM_F_EXCL, so a
 * route that is back already is EEXIST.
 */
export function replayRouteRequest(seq: number, dumped: NetlinkMessage, oif: number): Buffer {
  if (dumped.type !== RTM_NEWROUTE) throw new TypeError(`expected a dumped RTM_NEWROUTE, got type ${dumped.type}`);
  assertIfindex(oif, 'oif');
  const given = messageAttributes(dumped, RTMSG_LEN, 'route');
  // The hops of a multipath route name their links inside; a nexthop object
  // may be gone, and the kernel refuses its id beside the RTA_OIF it reports.
  if (given.has(RTA_MULTIPATH) || given.has(RTA_NH_ID)) {
    throw new TypeError('a multipath route or one through a nexthop object cannot be replayed out of one link');
  }
  const attributes = parseAttributeList(dumped.payload.subarray(RTMSG_LEN), 'route').map((part) =>
    part.type === RTA_OIF
      ? u32Attribute(RTA_OIF, oif)
      : attribute(
          part.type,
          part.value,
          (part.nested ? NLA_F_NESTED : 0) | (part.netByteOrder ? NLA_F_NET_BYTEORDER : 0),
        ),
  );
  // Of the flags a dump reports, only onlink is the user's to ask for; the
  // kernel refuses the ones it sets itself (dead, linkdown, offload, ...).
  const header = decodeRtMsg(fixedHeader(dumped, RTMSG_LEN, 'route'));
  return encodeMessage({ type: RTM_NEWROUTE, flags: NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, seq }, [
    encodeRtMsg({ ...header, flags: header.flags & RTNH_F_ONLINK }),
    ...attributes,
  ]);
}

/**
 * Whether a dumped message is an RTM_NEWROUTE straight out of link `oif`
 * (not multipath, not through a nexthop object): read from its attributes
 * without parsing the route, since a dump may hold a million others.
 */
export function isSingleRouteOutOf(message: NetlinkMessage, oif: number): boolean {
  if (message.type !== RTM_NEWROUTE) return false;
  const attributes = messageAttributes(message, RTMSG_LEN, 'route');
  return attributes.u32(RTA_OIF) === oif && !attributes.has(RTA_MULTIPATH) && !attributes.has(RTA_NH_ID);
}

// ----------------------------------------------------------------- parsing --

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

function nameOf(names: LinkNames, ifindex: number): string {
  return names.get(ifindex) ?? `if${ifindex}`;
}

// RTA_MULTIPATH: struct rtnexthop records, each followed by its attributes.
function readNexthops(value: Buffer, family: IpFamily, names: LinkNames): RouteNexthop[] {
  const nexthops: RouteNexthop[] = [];
  let offset = 0;
  while (offset < value.length) {
    const left = value.length - offset;
    if (left < RTNEXTHOP_LEN) {
      throw new Error(`netlink: truncated struct rtnexthop in RTA_MULTIPATH at offset ${offset}`);
    }
    const length = value.readUInt16LE(offset);
    if (length < RTNEXTHOP_LEN || length > left) {
      throw new Error(
        `netlink: rtnexthop at offset ${offset} in RTA_MULTIPATH claims length ${length} ` +
          `(at least ${RTNEXTHOP_LEN}, at most the ${left} bytes left)`,
      );
    }
    const flags = value.readUInt8(offset + 2);
    const hops = value.readUInt8(offset + 3);
    const ifindex = value.readInt32LE(offset + 4);
    const attributes = Attributes.parse(value.subarray(offset + RTNEXTHOP_LEN, offset + length), 'rtnexthop');
    const nexthop: RouteNexthop = { weight: hops + 1, flags: routeFlagNames(flags) };
    const gateway = readAddress(attributes, RTA_GATEWAY, family) ?? readVia(attributes);
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

/**
 * Parses one RTM_NEWROUTE (or RTM_DELROUTE); undefined for families other
 * than IPv4 and IPv6. `names` names the output link; an unknown ifindex
 * reads `if<N>` as in ip.
 */
export function parseRouteMessage(message: NetlinkMessage, names: LinkNames): Route | undefined {
  if (message.type !== RTM_NEWROUTE && message.type !== RTM_DELROUTE) {
    throw new Error(`netlink: expected an RTM_NEWROUTE message, got type ${message.type}`);
  }
  const header = decodeRtMsg(fixedHeader(message, RTMSG_LEN, 'route'));
  const family = ipFamilyOf(header.family);
  if (family === undefined) return undefined;
  const attributes = messageAttributes(message, RTMSG_LEN, 'route');
  const hostLength = family === 4 ? 32 : 128;

  // As ip prints dst: a host route without its /32 or /128, no RTA_DST and
  // no prefix is 'default' (and ip's odd '0/N' for a prefix without address).
  const destination = readAddress(attributes, RTA_DST, family);
  let dst: string;
  if (destination !== undefined) {
    dst = header.dstLength === hostLength ? destination : `${destination}/${header.dstLength}`;
  } else {
    dst = header.dstLength === 0 ? 'default' : `0/${header.dstLength}`;
  }

  const route: Route = {
    family,
    dst,
    // RTA_TABLE holds the whole 32-bit id; rtm_table only its low byte (252 for big ids).
    table: tableName(attributes.u32(RTA_TABLE) ?? header.table),
    type: routeTypeName(header.type),
    protocol: protocolName(header.protocol),
    scope: scopeName(header.scope),
    flags: routeFlagNames(header.flags),
  };
  const gateway = readAddress(attributes, RTA_GATEWAY, family) ?? readVia(attributes);
  if (gateway !== undefined) route.gateway = gateway;
  const oif = attributes.u32(RTA_OIF);
  if (oif !== undefined) {
    route.dev = nameOf(names, oif);
    route.ifindex = oif;
  }
  const prefsrc = readAddress(attributes, RTA_PREFSRC, family);
  if (prefsrc !== undefined) route.prefsrc = prefsrc;
  const metric = attributes.u32(RTA_PRIORITY);
  if (metric !== undefined) route.metric = metric;
  const pref = attributes.u8(RTA_PREF);
  if (pref !== undefined) route.pref = routePrefName(pref);
  const multipath = attributes.get(RTA_MULTIPATH);
  if (multipath !== undefined) route.nexthops = readNexthops(multipath, family, names);
  return route;
}

/** The RTM_NEWROUTE messages of one dump (others skipped) as Routes, IPv4 and IPv6 only. */
export function parseRouteDump(messages: readonly NetlinkMessage[], names: LinkNames): Route[] {
  return messages
    .filter((message) => message.type === RTM_NEWROUTE)
    .map((message) => parseRouteMessage(message, names))
    .filter((route): route is Route => route !== undefined);
}
