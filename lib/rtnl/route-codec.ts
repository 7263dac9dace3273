// Routes over rtnetlink: the dump request, the parse of RTM_NEWROUTE into
// the `Route` users see (as `ip -j -d route show table all` shows it), the
// request `ip route add TO [via GW] [dev X]` sends, and the replay of a
// dumped route that `ip route restore` makes of `ip route save`.
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
  RTM_DELROUTE,
  RTM_GETROUTE,
  RTM_NEWROUTE,
  RTNH_F_ONLINK,
  RTN_UNICAST,
  RTPROT_BOOT,
  RT_SCOPE_LINK,
  RT_SCOPE_UNIVERSE,
  RT_TABLE_MAIN,
} from './constants';
import { readRecord } from './field-table';
import { RTMSG } from './headers';
import { type IpFamily, addressFamilyOf, hostBitsAreZero, ipFamilyOf, parseCidr, parseIP } from './ip-address';
import type { LinkNames } from './link-fields';
import type { Route } from './model';
import { ROUTE_FIELDS } from './route-fields';
import {
  type NetlinkMessage,
  align4,
  attribute,
  encodeMessage,
  fixedHeader,
  messageAttributes,
  parseAttributeList,
} from './wire';
import { assertIfindex, assertU32 } from './fields';

// ---------------------------------------------------------------- requests --

/**
 * RTM_GETROUTE dump of every table. Without a family the kernel dumps every
 * family it has routes for (also multicast routing tables, family 128/129),
 * which the parser skips.
 */
export function routeDumpRequest(seq: number, options: { family?: IpFamily } = {}): Buffer {
  const family = options.family === undefined ? AF_UNSPEC : addressFamilyOf(options.family);
  return encodeMessage({ type: RTM_GETROUTE, flags: NLM_F_REQUEST | NLM_F_DUMP, seq }, [RTMSG.encode({ family })]);
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
    RTMSG.encode({
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
  if (route.dev !== undefined) parts.push(ROUTE_FIELDS.ifindex.write(route.dev));
  if (route.metric !== undefined) parts.push(ROUTE_FIELDS.metric.write(route.metric));
  return encodeMessage(
    { type: RTM_NEWROUTE, flags: NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, seq },
    parts,
  );
}

/**
 * RTM_DELROUTE for the route addRouteRequest adds (same attributes, which
 * the kernel matches): how a batch takes an added route back.
 */
export function deleteRouteRequest(seq: number, route: NewRoute): Buffer {
  const message = addRouteRequest(seq, route);
  // struct nlmsghdr: type at byte 4, flags at byte 6 (host order, little endian).
  message.writeUInt16LE(RTM_DELROUTE, 4);
  message.writeUInt16LE(NLM_F_REQUEST | NLM_F_ACK, 6);
  return message;
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
  const given = messageAttributes(dumped, RTMSG, 'route');
  // The hops of a multipath route name their links inside; a nexthop object
  // may be gone, and the kernel refuses its id beside the RTA_OIF it reports.
  if (given.has(RTA_MULTIPATH) || given.has(RTA_NH_ID)) {
    throw new TypeError('a multipath route or one through a nexthop object cannot be replayed out of one link');
  }
  const attributes = parseAttributeList(dumped.payload.subarray(align4(RTMSG.size)), 'route').map((part) =>
    part.type === RTA_OIF
      ? ROUTE_FIELDS.ifindex.write(oif)
      : attribute(
          part.type,
          part.value,
          (part.nested ? NLA_F_NESTED : 0) | (part.netByteOrder ? NLA_F_NET_BYTEORDER : 0),
        ),
  );
  // Of the flags a dump reports, only onlink is the user's to ask for; the
  // kernel refuses the ones it sets itself (dead, linkdown, offload, ...).
  const header = fixedHeader(dumped, RTMSG, 'route');
  return encodeMessage({ type: RTM_NEWROUTE, flags: NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, seq }, [
    RTMSG.encode({ ...header, flags: header.flags & RTNH_F_ONLINK }),
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
  const attributes = messageAttributes(message, RTMSG, 'route');
  return attributes.u32(RTA_OIF) === oif && !attributes.has(RTA_MULTIPATH) && !attributes.has(RTA_NH_ID);
}

// ----------------------------------------------------------------- parsing --

/**
 * Parses one RTM_NEWROUTE (or RTM_DELROUTE); undefined for families other
 * than IPv4 and IPv6. `names` names the output link; an unknown ifindex
 * reads `if<N>` as in ip.
 */
export function parseRouteMessage(message: NetlinkMessage, names: LinkNames): Route | undefined {
  if (message.type !== RTM_NEWROUTE && message.type !== RTM_DELROUTE) {
    throw new Error(`netlink: expected an RTM_NEWROUTE message, got type ${message.type}`);
  }
  const header = fixedHeader(message, RTMSG, 'route');
  const family = ipFamilyOf(header.family);
  if (family === undefined) return undefined;
  return readRecord(ROUTE_FIELDS, { header, family, attributes: messageAttributes(message, RTMSG, 'route'), names });
}

/** The RTM_NEWROUTE messages of one dump (others skipped) as Routes, IPv4 and IPv6 only. */
export function parseRouteDump(messages: readonly NetlinkMessage[], names: LinkNames): Route[] {
  return messages
    .filter((message) => message.type === RTM_NEWROUTE)
    .map((message) => parseRouteMessage(message, names))
    .filter((route): route is Route => route !== undefined);
}
