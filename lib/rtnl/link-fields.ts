// The link family's table (field-table.ts): every field of `Link`, where
// RTM_NEWLINK carries it, how it is read and written, and its `ip -j -d
// link` key, in the order ip prints them.
import {
  ARPHRD_IP6GRE,
  ARPHRD_IPGRE,
  ARPHRD_LOOPBACK,
  ARPHRD_SIT,
  ARPHRD_TUNNEL,
  ARPHRD_TUNNEL6,
  IFF_UP,
  IFLA_ADDRESS,
  IFLA_ALT_IFNAME,
  IFLA_BROADCAST,
  IFLA_GROUP,
  IFLA_IFALIAS,
  IFLA_IFNAME,
  IFLA_INFO_KIND,
  IFLA_INFO_SLAVE_KIND,
  IFLA_LINK,
  IFLA_LINKINFO,
  IFLA_LINK_NETNSID,
  IFLA_MASTER,
  IFLA_MTU,
  IFLA_OPERSTATE,
  IFLA_PARENT_DEV_BUS_NAME,
  IFLA_PARENT_DEV_NAME,
  IFLA_PROP_LIST,
  IFLA_QDISC,
  IFLA_TXQLEN,
  IF_OPER_UNKNOWN,
} from './constants';
import type { FieldTable } from './field-table';
import type { IFINFOMSG, StructOf } from './headers';
import { ipv4At, ipv6At } from './ip-address';
import type { Link } from './model';
import { groupName, linkFlagNames, linkTypeName, operstateName } from './names';
import { type Attributes, stringAttribute, u32Attribute } from './wire';

/**
 * Another link of the same namespace, by ifindex: from the same dump, or an
 * event consumer's cache. It names a master and a lower link.
 */
export type LinkLookup = (ifindex: number) => { name: string; up: boolean } | undefined;

/** ifindex → link name within one namespace (a dump's, or an event consumer's cache), for addresses and routes. */
export type LinkNames = ReadonlyMap<number, string>;

/** One RTM_NEWLINK (or RTM_DELLINK), parsed, with what is known of the other links. */
export interface LinkSource {
  header: StructOf<typeof IFINFOMSG>;
  attributes: Attributes;
  /** IFLA_LINKINFO, if the message has it. */
  info?: Attributes;
  /** Without one, `master`, `link` and M-DOWN are left out: they name other links. */
  others?: LinkLookup;
}

/**
 * A hardware address as ip prints it (lib/ll_addr.c): an IP address for the
 * tunnel types whose "hardware" address is one, else colon-separated hex.
 */
function formatLinkAddress(bytes: Buffer, at: number, length: number, type: number): string {
  if (length === 4 && (type === ARPHRD_TUNNEL || type === ARPHRD_SIT || type === ARPHRD_IPGRE)) {
    return ipv4At(bytes, at);
  }
  if (length === 16 && (type === ARPHRD_TUNNEL6 || type === ARPHRD_IP6GRE)) return ipv6At(bytes, at);
  let text = HEX[bytes[at]];
  for (let i = 1; i < length; i++) text += `:${HEX[bytes[at + i]]}`;
  return text;
}

/** Two lower-case hex digits for each byte value. */
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

function hardwareAddress(source: LinkSource, type: number): string | undefined {
  const { attributes } = source;
  const length = attributes.size(type);
  return length
    ? formatLinkAddress(attributes.data, attributes.valueOffset(type), length, source.header.type)
    : undefined;
}

/** IFLA_LINK: 0 means "no lower link" (ip prints "link": null). */
const lowerIndex = (source: LinkSource) => source.attributes.u32(IFLA_LINK) || undefined;

/** The lower link, when it is in this same namespace (no IFLA_LINK_NETNSID) and the lookup knows the namespace. */
function sameNamespaceLower(source: LinkSource): { name: string; up: boolean } | undefined {
  const index = lowerIndex(source);
  if (index === undefined || source.others === undefined || source.attributes.has(IFLA_LINK_NETNSID)) return undefined;
  // An index not known reads `if<N>`, as in ip.
  return source.others(index) ?? { name: `if${index}`, up: false };
}

const SYNTHETIC_KINDS = new Set(['loopback', 'device']);

export const LINK_FIELDS = {
  ifindex: { read: (s) => s.header.index, ip: 'ifindex' },
  // The kernel always names a link; ip falls back to if%d too.
  name: {
    attribute: IFLA_IFNAME,
    read: (s) => s.attributes.string(IFLA_IFNAME) ?? `if${s.header.index}`,
    write: (name) => stringAttribute(IFLA_IFNAME, name),
    ip: 'ifname',
  },
  link: { attribute: IFLA_LINK, read: (s) => sameNamespaceLower(s)?.name, ip: 'link' },
  // ip prints the index only for a lower link in another namespace.
  linkIndex: { attribute: IFLA_LINK, read: lowerIndex, ip: 'link_index', ipWhen: (link) => link.link === undefined },
  // ip's M-DOWN: the lower link (same namespace) is administratively down.
  flags: { read: (s) => linkFlagNames(s.header.flags, sameNamespaceLower(s)?.up === false), ip: 'flags' },
  up: { read: (s) => (s.header.flags & IFF_UP) !== 0 },
  mtu: {
    attribute: IFLA_MTU,
    read: (s) => s.attributes.u32(IFLA_MTU) ?? 0,
    write: (mtu) => u32Attribute(IFLA_MTU, mtu),
    ip: 'mtu',
  },
  qdisc: { attribute: IFLA_QDISC, read: (s) => s.attributes.string(IFLA_QDISC), ip: 'qdisc' },
  master: {
    attribute: IFLA_MASTER,
    read: (s) => {
      const index = s.attributes.u32(IFLA_MASTER);
      return index === undefined || s.others === undefined ? undefined : (s.others(index)?.name ?? `if${index}`);
    },
    ip: 'master',
  },
  masterIndex: {
    attribute: IFLA_MASTER,
    read: (s) => s.attributes.u32(IFLA_MASTER),
    write: (index) => u32Attribute(IFLA_MASTER, index),
  },
  operstate: {
    attribute: IFLA_OPERSTATE,
    read: (s) => operstateName(s.attributes.u8(IFLA_OPERSTATE) ?? IF_OPER_UNKNOWN),
    ip: 'operstate',
  },
  group: {
    attribute: IFLA_GROUP,
    read: (s) => {
      const group = s.attributes.u32(IFLA_GROUP);
      return group === undefined ? undefined : groupName(group);
    },
    ip: 'group',
  },
  txqlen: { attribute: IFLA_TXQLEN, read: (s) => s.attributes.u32(IFLA_TXQLEN), ip: 'txqlen' },
  type: { read: (s) => linkTypeName(s.header.type), ip: 'link_type' },
  mac: { attribute: IFLA_ADDRESS, read: (s) => hardwareAddress(s, IFLA_ADDRESS), ip: 'address' },
  broadcast: { attribute: IFLA_BROADCAST, read: (s) => hardwareAddress(s, IFLA_BROADCAST), ip: 'broadcast' },
  linkNetnsid: { attribute: IFLA_LINK_NETNSID, read: (s) => s.attributes.s32(IFLA_LINK_NETNSID), ip: 'link_netnsid' },
  alias: { attribute: IFLA_IFALIAS, read: (s) => s.attributes.string(IFLA_IFALIAS), ip: 'ifalias' },
  altNames: {
    attribute: [IFLA_PROP_LIST, IFLA_ALT_IFNAME],
    read: (s) => {
      const names = s.attributes.nested(IFLA_PROP_LIST, 'IFLA_PROP_LIST')?.all(IFLA_ALT_IFNAME) ?? [];
      return names.length === 0 ? undefined : names.map((alt) => alt.value.toString('utf8').replace(/\0.*$/s, ''));
    },
    ip: 'altnames',
  },
  parentBus: {
    attribute: IFLA_PARENT_DEV_BUS_NAME,
    read: (s) => s.attributes.string(IFLA_PARENT_DEV_BUS_NAME),
    ip: 'parentbus',
  },
  parentDev: {
    attribute: IFLA_PARENT_DEV_NAME,
    read: (s) => s.attributes.string(IFLA_PARENT_DEV_NAME),
    ip: 'parentdev',
  },
  // ip prints no linkinfo where the kernel names no kind.
  kind: {
    attribute: [IFLA_LINKINFO, IFLA_INFO_KIND],
    read: (s) => s.info?.string(IFLA_INFO_KIND) ?? (s.header.type === ARPHRD_LOOPBACK ? 'loopback' : 'device'),
    ip: 'linkinfo.info_kind',
    ipWhen: (link) => !SYNTHETIC_KINDS.has(link.kind),
  },
  slaveKind: {
    attribute: [IFLA_LINKINFO, IFLA_INFO_SLAVE_KIND],
    read: (s) => s.info?.string(IFLA_INFO_SLAVE_KIND),
    ip: 'linkinfo.info_slave_kind',
  },
} as const satisfies FieldTable<Link, LinkSource>;
