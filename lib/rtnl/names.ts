// Numbers → the words iproute2 prints for them, so our results read like
// `ip -j -d link | addr | route`. Tables follow iproute2 6.1 (lib/ll_types.c,
// lib/rt_names.c with Debian's /etc/iproute2 files, ip/rtm_map.c,
// ip/ipaddress.c, ip/iproute.c); a number ip has no word for stays a number.
import type { AddressScope } from './model';
import * as c from './constants';

const LINK_TYPE_NAMES = new Map<number, string>([
  [c.ARPHRD_NETROM, 'netrom'],
  [c.ARPHRD_ETHER, 'ether'],
  [c.ARPHRD_EETHER, 'eether'],
  [c.ARPHRD_AX25, 'ax25'],
  [c.ARPHRD_PRONET, 'pronet'],
  [c.ARPHRD_CHAOS, 'chaos'],
  [c.ARPHRD_IEEE802, 'ieee802'],
  [c.ARPHRD_ARCNET, 'arcnet'],
  [c.ARPHRD_APPLETLK, 'atalk'],
  [c.ARPHRD_DLCI, 'dlci'],
  [c.ARPHRD_ATM, 'atm'],
  [c.ARPHRD_METRICOM, 'metricom'],
  [c.ARPHRD_IEEE1394, 'ieee1394'],
  [c.ARPHRD_INFINIBAND, 'infiniband'],
  [c.ARPHRD_SLIP, 'slip'],
  [c.ARPHRD_CSLIP, 'cslip'],
  [c.ARPHRD_SLIP6, 'slip6'],
  [c.ARPHRD_CSLIP6, 'cslip6'],
  [c.ARPHRD_RSRVD, 'rsrvd'],
  [c.ARPHRD_ADAPT, 'adapt'],
  [c.ARPHRD_ROSE, 'rose'],
  [c.ARPHRD_X25, 'x25'],
  [c.ARPHRD_HWX25, 'hwx25'],
  [c.ARPHRD_CAN, 'can'],
  [c.ARPHRD_PPP, 'ppp'],
  [c.ARPHRD_HDLC, 'hdlc'],
  [c.ARPHRD_LAPB, 'lapb'],
  [c.ARPHRD_DDCMP, 'ddcmp'],
  [c.ARPHRD_RAWHDLC, 'rawhdlc'],
  [c.ARPHRD_TUNNEL, 'ipip'],
  [c.ARPHRD_TUNNEL6, 'tunnel6'],
  [c.ARPHRD_FRAD, 'frad'],
  [c.ARPHRD_SKIP, 'skip'],
  [c.ARPHRD_LOOPBACK, 'loopback'],
  [c.ARPHRD_LOCALTLK, 'ltalk'],
  [c.ARPHRD_FDDI, 'fddi'],
  [c.ARPHRD_BIF, 'bif'],
  [c.ARPHRD_SIT, 'sit'],
  [c.ARPHRD_IPDDP, 'ip/ddp'],
  [c.ARPHRD_IPGRE, 'gre'],
  [c.ARPHRD_PIMREG, 'pimreg'],
  [c.ARPHRD_HIPPI, 'hippi'],
  [c.ARPHRD_ASH, 'ash'],
  [c.ARPHRD_ECONET, 'econet'],
  [c.ARPHRD_IRDA, 'irda'],
  [c.ARPHRD_FCPP, 'fcpp'],
  [c.ARPHRD_FCAL, 'fcal'],
  [c.ARPHRD_FCPL, 'fcpl'],
  // iproute2 names the 13 fibre-channel fabric types fcfb0..fcfb12.
  ...Array.from({ length: 13 }, (_, i): [number, string] => [c.ARPHRD_FCFABRIC + i, `fcfb${i}`]),
  [c.ARPHRD_IEEE802_TR, 'tr'],
  [c.ARPHRD_IEEE80211, 'ieee802.11'],
  [c.ARPHRD_IEEE80211_PRISM, 'ieee802.11/prism'],
  [c.ARPHRD_IEEE80211_RADIOTAP, 'ieee802.11/radiotap'],
  [c.ARPHRD_IEEE802154, 'ieee802.15.4'],
  [c.ARPHRD_IEEE802154_MONITOR, 'ieee802.15.4/monitor'],
  [c.ARPHRD_PHONET, 'phonet'],
  [c.ARPHRD_PHONET_PIPE, 'phonet_pipe'],
  [c.ARPHRD_CAIF, 'caif'],
  [c.ARPHRD_IP6GRE, 'gre6'],
  [c.ARPHRD_NETLINK, 'netlink'],
  [c.ARPHRD_6LOWPAN, '6lowpan'],
  [c.ARPHRD_NONE, 'none'],
  [c.ARPHRD_VOID, 'void'],
]);

/** ip: link_type. An unknown type prints as `[N]`, as ip does. */
export function linkTypeName(type: number): string {
  return LINK_TYPE_NAMES.get(type) ?? `[${type}]`;
}

const OPERSTATE_NAMES = ['UNKNOWN', 'NOTPRESENT', 'DOWN', 'LOWERLAYERDOWN', 'TESTING', 'DORMANT', 'UP'];

/** ip: operstate. ip prints an unknown state as operstate_index; we give its number as text. */
export function operstateName(state: number): string {
  return OPERSTATE_NAMES[state] ?? String(state);
}

// The order ip prints interface flags in (ip/ipaddress.c print_link_flags).
const LINK_FLAG_ORDER: Array<[number, string]> = [
  [c.IFF_LOOPBACK, 'LOOPBACK'],
  [c.IFF_BROADCAST, 'BROADCAST'],
  [c.IFF_POINTOPOINT, 'POINTOPOINT'],
  [c.IFF_MULTICAST, 'MULTICAST'],
  [c.IFF_NOARP, 'NOARP'],
  [c.IFF_ALLMULTI, 'ALLMULTI'],
  [c.IFF_PROMISC, 'PROMISC'],
  [c.IFF_MASTER, 'MASTER'],
  [c.IFF_SLAVE, 'SLAVE'],
  [c.IFF_DEBUG, 'DEBUG'],
  [c.IFF_DYNAMIC, 'DYNAMIC'],
  [c.IFF_AUTOMEDIA, 'AUTOMEDIA'],
  [c.IFF_PORTSEL, 'PORTSEL'],
  [c.IFF_NOTRAILERS, 'NOTRAILERS'],
  [c.IFF_UP, 'UP'],
  [c.IFF_LOWER_UP, 'LOWER_UP'],
  [c.IFF_DORMANT, 'DORMANT'],
  [c.IFF_ECHO, 'ECHO'],
];

/**
 * ip: flags. NO-CARRIER comes first when the link is up without RUNNING;
 * RUNNING itself is never printed; leftover bits print as hex; M-DOWN last
 * when the link's lower device (IFLA_LINK, same namespace) is down.
 */
export function linkFlagNames(flags: number, lowerDown = false): string[] {
  const names: string[] = [];
  if (flags & c.IFF_UP && !(flags & c.IFF_RUNNING)) names.push('NO-CARRIER');
  let rest = (flags & ~c.IFF_RUNNING) >>> 0;
  for (const [bit, name] of LINK_FLAG_ORDER) {
    if (rest & bit) {
      names.push(name);
      rest = (rest & ~bit) >>> 0;
    }
  }
  if (rest) names.push(rest.toString(16));
  if (lowerDown) names.push('M-DOWN');
  return names;
}

/** ip: group. Only group 0 has a name in Debian's /etc/iproute2/group. */
export function groupName(group: number): string {
  return group === 0 ? 'default' : String(group);
}

// ip/rtm_map.c: note RTN_UNSPEC prints as 'none'.
const ROUTE_TYPE_NAMES = [
  'none',
  'unicast',
  'local',
  'broadcast',
  'anycast',
  'multicast',
  'blackhole',
  'unreachable',
  'prohibit',
  'throw',
  'nat',
  'xresolve',
];

/** ip: type of a route. */
export function routeTypeName(type: number): string {
  return ROUTE_TYPE_NAMES[type] ?? String(type);
}

// Built into lib/rt_names.c, plus /etc/iproute2/rt_protos (which adds openr;
// mrouted, 17, has no name in either).
const PROTOCOL_NAMES = new Map<number, string>([
  [c.RTPROT_UNSPEC, 'unspec'],
  [c.RTPROT_REDIRECT, 'redirect'],
  [c.RTPROT_KERNEL, 'kernel'],
  [c.RTPROT_BOOT, 'boot'],
  [c.RTPROT_STATIC, 'static'],
  [c.RTPROT_GATED, 'gated'],
  [c.RTPROT_RA, 'ra'],
  [c.RTPROT_MRT, 'mrt'],
  [c.RTPROT_ZEBRA, 'zebra'],
  [c.RTPROT_BIRD, 'bird'],
  [c.RTPROT_DNROUTED, 'dnrouted'],
  [c.RTPROT_XORP, 'xorp'],
  [c.RTPROT_NTK, 'ntk'],
  [c.RTPROT_DHCP, 'dhcp'],
  [c.RTPROT_KEEPALIVED, 'keepalived'],
  [c.RTPROT_BABEL, 'babel'],
  [c.RTPROT_OPENR, 'openr'],
  [c.RTPROT_BGP, 'bgp'],
  [c.RTPROT_ISIS, 'isis'],
  [c.RTPROT_OSPF, 'ospf'],
  [c.RTPROT_RIP, 'rip'],
  [c.RTPROT_EIGRP, 'eigrp'],
]);

/** ip: protocol of a route. */
export function protocolName(protocol: number): string | number {
  return PROTOCOL_NAMES.get(protocol) ?? protocol;
}

const SCOPE_NAMES = new Map<number, AddressScope>([
  [c.RT_SCOPE_UNIVERSE, 'global'],
  [c.RT_SCOPE_SITE, 'site'],
  [c.RT_SCOPE_LINK, 'link'],
  [c.RT_SCOPE_HOST, 'host'],
  [c.RT_SCOPE_NOWHERE, 'nowhere'],
]);

/** ip: scope, of an address or a route. */
export function scopeName(scope: number): AddressScope {
  return SCOPE_NAMES.get(scope) ?? scope;
}

const TABLE_NAMES = new Map<number, string>([
  [c.RT_TABLE_DEFAULT, 'default'],
  [c.RT_TABLE_MAIN, 'main'],
  [c.RT_TABLE_LOCAL, 'local'],
]);

/** ip: table. Other ids (user tables in /etc/iproute2/rt_tables) stay numbers. */
export function tableName(table: number): string | number {
  return TABLE_NAMES.get(table) ?? table;
}

// ip/ipaddress.c ifa_flag_data, in print order. IFA_F_SECONDARY reads
// 'temporary' on IPv6; IFA_F_PERMANENT is shown by ip only as the absence of
// 'dynamic', and we name it too.
const ADDRESS_FLAG_ORDER: Array<[number, string]> = [
  [c.IFA_F_SECONDARY, 'secondary'],
  [c.IFA_F_NODAD, 'nodad'],
  [c.IFA_F_OPTIMISTIC, 'optimistic'],
  [c.IFA_F_DADFAILED, 'dadfailed'],
  [c.IFA_F_HOMEADDRESS, 'home'],
  [c.IFA_F_DEPRECATED, 'deprecated'],
  [c.IFA_F_TENTATIVE, 'tentative'],
  [c.IFA_F_PERMANENT, 'permanent'],
  [c.IFA_F_MANAGETEMPADDR, 'mngtmpaddr'],
  [c.IFA_F_NOPREFIXROUTE, 'noprefixroute'],
  [c.IFA_F_MCAUTOJOIN, 'autojoin'],
  [c.IFA_F_STABLE_PRIVACY, 'stable-privacy'],
];

/** The address flags ip prints as `"name": true`, plus 'permanent'; unknown bits as hex. */
export function addressFlagNames(flags: number, family: 4 | 6): string[] {
  const names: string[] = [];
  let rest = flags >>> 0;
  for (const [bit, name] of ADDRESS_FLAG_ORDER) {
    if (bit === c.IFA_F_PERMANENT && !(rest & bit)) names.push('dynamic');
    if (rest & bit) names.push(bit === c.IFA_F_SECONDARY && family === 6 ? 'temporary' : name);
    rest = (rest & ~bit) >>> 0;
  }
  if (rest) names.push(rest.toString(16).padStart(2, '0'));
  return names;
}

// ip/iproute.c print_rt_flags, in print order.
const ROUTE_FLAG_ORDER: Array<[number, string]> = [
  [c.RTNH_F_DEAD, 'dead'],
  [c.RTNH_F_ONLINK, 'onlink'],
  [c.RTNH_F_PERVASIVE, 'pervasive'],
  [c.RTNH_F_OFFLOAD, 'offload'],
  [c.RTNH_F_TRAP, 'trap'],
  [c.RTM_F_NOTIFY, 'notify'],
  [c.RTNH_F_LINKDOWN, 'linkdown'],
  [c.RTNH_F_UNRESOLVED, 'unresolved'],
  [c.RTM_F_OFFLOAD, 'rt_offload'],
  [c.RTM_F_TRAP, 'rt_trap'],
  [c.RTM_F_OFFLOAD_FAILED, 'rt_offload_failed'],
];

/** ip: flags of a route or a nexthop (other bits are not printed by ip either). */
export function routeFlagNames(flags: number): string[] {
  return ROUTE_FLAG_ORDER.filter(([bit]) => flags & bit).map(([, name]) => name);
}

/** ip: pref, the IPv6 router preference of a route. */
export function routePrefName(pref: number): string | number {
  switch (pref) {
    case c.ICMPV6_ROUTER_PREF_LOW:
      return 'low';
    case c.ICMPV6_ROUTER_PREF_MEDIUM:
      return 'medium';
    case c.ICMPV6_ROUTER_PREF_HIGH:
      return 'high';
    default:
      return pref;
  }
}
