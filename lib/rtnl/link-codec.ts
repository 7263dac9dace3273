// Links (network interfaces) over rtnetlink: the requests that list, get,
// create, change and delete them, and the parse of RTM_NEWLINK into the
// `Link` users see (fields as `ip -j -d link` names them).
//
// Requests are built the way iproute2 6.1 builds them (same attributes, same
// order; checked byte for byte against strace of `ip` in the tests), with
// one deliberate difference: dumps ask for no VF info and no statistics
// (IFLA_EXT_MASK = RTEXT_FILTER_SKIP_STATS) since a Link carries neither,
// and a NIC with many VFs can make a single message bigger than a read.
import {
  AF_PACKET,
  IFF_UP,
  IFLA_EXT_MASK,
  IFLA_IFNAME,
  IFLA_INFO_DATA,
  IFLA_INFO_KIND,
  IFLA_LINKINFO,
  IFLA_NET_NS_FD,
  IFLA_NEW_IFINDEX,
  NLM_F_ACK,
  NLM_F_CREATE,
  NLM_F_DUMP,
  NLM_F_ECHO,
  NLM_F_EXCL,
  NLM_F_REQUEST,
  RTEXT_FILTER_SKIP_STATS,
  RTM_DELLINK,
  RTM_GETLINK,
  RTM_NEWLINK,
  VETH_INFO_PEER,
} from './constants';
import { readRecord } from './field-table';
import { IFINFOMSG } from './headers';
import { LINK_FIELDS, type LinkLookup, type LinkSource } from './link-fields';
import type { Link } from './model';
import {
  type NetlinkMessage,
  encodeMessage,
  fixedHeader,
  messageAttributes,
  nestAttribute,
  s32Attribute,
  stringAttribute,
  u32Attribute,
  withSequence,
} from './wire';
import { assertFd, assertIfindex, assertMtu } from './fields';

// ------------------------------------------------------------ arguments --

/**
 * The kernel's dev_valid_name: 1–15 bytes (IFNAMSIZ 16 with the NUL), not
 * '.' or '..', no '/', ':' or whitespace. Checked here so a bad name fails
 * before anything is sent.
 */
export function assertInterfaceName(name: unknown, what = 'interface name'): asserts name is string {
  if (typeof name !== 'string') throw new TypeError(`${what} must be a string, got ${typeof name}`);
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes === 0 || bytes > 15) {
    throw new RangeError(`${what} must be 1 to 15 bytes long, got ${bytes} (${JSON.stringify(name)})`);
  }
  if (name === '.' || name === '..') throw new TypeError(`${what} cannot be '${name}'`);
  if (/[/:\s\0]/.test(name)) {
    throw new TypeError(`${what} ${JSON.stringify(name)} must not contain '/', ':', NUL or whitespace`);
  }
}

// ---------------------------------------------------------- read requests --

export interface LinkQueryOptions {
  /** IFLA_EXT_MASK bits (RTEXT_FILTER_*). Default RTEXT_FILTER_SKIP_STATS. */
  extMask?: number;
}

/** What a GET of one object may add to its flags. */
export interface GetOptions {
  /** NLM_F_ACK: answered by an ack after the object (what RtnlSocket.request reads until); ip sends none. */
  ack?: boolean;
}

/** The dump request with the default mask, built once (a map dumps every namespace). */
let defaultLinkDump: Buffer | undefined;

/** RTM_GETLINK dump: every link of the socket's namespace. */
export function linkDumpRequest(seq: number, options: LinkQueryOptions = {}): Buffer {
  if (options.extMask === undefined) return withSequence((defaultLinkDump ??= buildLinkDump(0, {})), seq);
  return buildLinkDump(seq, options);
}

function buildLinkDump(seq: number, options: LinkQueryOptions): Buffer {
  return encodeMessage({ type: RTM_GETLINK, flags: NLM_F_REQUEST | NLM_F_DUMP, seq }, [
    // AF_PACKET as `ip link` sends; the kernel answers the same for AF_UNSPEC.
    IFINFOMSG.encode({ family: AF_PACKET }),
    u32Attribute(IFLA_EXT_MASK, options.extMask ?? RTEXT_FILTER_SKIP_STATS),
  ]);
}

/**
 * RTM_GETLINK of one link by name (no dump): the answer is one RTM_NEWLINK,
 * or an NLMSG_ERROR with -ENODEV.
 */
export function getLinkByNameRequest(seq: number, name: string, options: LinkQueryOptions & GetOptions = {}): Buffer {
  assertInterfaceName(name);
  const flags = NLM_F_REQUEST | (options.ack ? NLM_F_ACK : 0);
  return encodeMessage({ type: RTM_GETLINK, flags, seq }, [
    IFINFOMSG.encode(),
    u32Attribute(IFLA_EXT_MASK, options.extMask ?? RTEXT_FILTER_SKIP_STATS),
    stringAttribute(IFLA_IFNAME, name),
  ]);
}

// --------------------------------------------------------- write requests --

const CHANGE_FLAGS = NLM_F_REQUEST | NLM_F_ACK;

/** What a creation may add to its flags. */
export interface CreateOptions {
  /**
   * NLM_F_ECHO: the kernel also sends the new link's RTM_NEWLINK to the
   * sender, before the ack (6.18 does for links; older kernels send nothing).
   */
  echo?: boolean;
}

const createFlags = (options: CreateOptions) =>
  NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL | (options.echo ? NLM_F_ECHO : 0);

/** One end of a veth pair to create. */
export interface NewLinkEnd {
  name: string;
  /**
   * Created up: IFF_UP in its ifi_flags/ifi_change, which the kernel applies
   * once the link is registered (rtnl_configure_link). The first end only:
   * the kernel applies the peer's own ifinfomsg before the pair is joined, and
   * veth_open refuses a peer without its other end (ENOTCONN, 6.18; `ip link
   * add A type veth peer name B up` fails the same way), so the peer is
   * brought up by a request of its own once the pair exists.
   */
  up?: boolean;
  /** An fd on the namespace to create it in; else the socket's namespace. */
  nsFd?: number;
}

// IFLA_NET_NS_FD (if any), then IFLA_IFNAME: the order iproute2 sends.
function nameAndNamespace(end: NewLinkEnd, what: string): Buffer[] {
  assertInterfaceName(end.name, `${what} name`);
  const parts: Buffer[] = [];
  if (end.nsFd !== undefined) {
    assertFd(end.nsFd, `${what} nsFd`);
    parts.push(u32Attribute(IFLA_NET_NS_FD, end.nsFd));
  }
  parts.push(stringAttribute(IFLA_IFNAME, end.name));
  return parts;
}

/** The ifinfomsg of a link to create: zero, or asking for IFF_UP. */
function newLinkInfo(end: NewLinkEnd, what: string): Buffer {
  if (end.up !== undefined && typeof end.up !== 'boolean') {
    throw new TypeError(`${what} up must be a boolean, got ${typeof end.up}`);
  }
  return IFINFOMSG.encode(end.up === true ? { flags: IFF_UP, change: IFF_UP } : {});
}

function linkInfo(kind: string, data?: Buffer[]): Buffer {
  return nestAttribute(IFLA_LINKINFO, [
    // Without a NUL, as iproute2 sends it (the kernel takes either).
    stringAttribute(IFLA_INFO_KIND, kind, { nul: false }),
    ...(data ? [nestAttribute(IFLA_INFO_DATA, data)] : []),
  ]);
}

/**
 * RTM_NEWLINK for a veth pair: the first end by IFLA_IFNAME (and
 * IFLA_NET_NS_FD), the peer inside IFLA_LINKINFO > IFLA_INFO_DATA >
 * VETH_INFO_PEER as its own struct ifinfomsg plus attributes.
 */
export function createVethRequest(seq: number, end: NewLinkEnd, peer: NewLinkEnd, options: CreateOptions = {}): Buffer {
  if (peer.up === true) {
    throw new TypeError(
      'a veth peer cannot be created up (the kernel refuses: ENOTCONN); set it up once the pair exists',
    );
  }
  const peerInfo = nestAttribute(VETH_INFO_PEER, [newLinkInfo(peer, 'peer'), ...nameAndNamespace(peer, 'peer')]);
  return encodeMessage({ type: RTM_NEWLINK, flags: createFlags(options), seq }, [
    newLinkInfo(end, 'veth'),
    ...nameAndNamespace(end, 'veth'),
    linkInfo('veth', [peerInfo]),
  ]);
}

/** RTM_NEWLINK for a bridge (kind "bridge", kernel defaults for everything else). */
export function createBridgeRequest(
  seq: number,
  name: string,
  options: { nsFd?: number } & CreateOptions = {},
): Buffer {
  return encodeMessage({ type: RTM_NEWLINK, flags: createFlags(options), seq }, [
    IFINFOMSG.encode(),
    ...nameAndNamespace({ name, nsFd: options.nsFd }, 'bridge'),
    linkInfo('bridge'),
  ]);
}

/** What setLinkRequest changes; absent fields stay as they are. */
export interface LinkChanges {
  /** Administratively up or down (IFF_UP through ifi_flags/ifi_change). */
  up?: boolean;
  mtu?: number;
  /** A new name. */
  name?: string;
  /** ifindex of the new master (a bridge); 0 takes the link out of its master. */
  masterIndex?: number;
  /** Move the link into the namespace of this fd. It arrives down and without addresses. */
  nsFd?: number;
  /**
   * With nsFd: the ifindex it takes there (IFLA_NEW_IFINDEX, which recent
   * kernels honour on a move; 6.18 does). Without it the kernel keeps the
   * link's index when it is free there, else picks one.
   */
  newIfindex?: number;
}

/**
 * Which link a change or a delete is for: its ifindex, or its name, which
 * the kernel looks up itself (ifi_index 0 and IFLA_IFNAME: rtnl_setlink and
 * rtnl_dellink take either), answering ENODEV when there is none.
 */
export type LinkKey = number | { name: string };

/** ifi_index and the attribute that names the link, for a LinkKey. */
function keyed(key: LinkKey): { index: number; parts: Buffer[] } {
  if (typeof key === 'number') {
    assertIfindex(key);
    return { index: key, parts: [] };
  }
  assertInterfaceName(key.name);
  return { index: 0, parts: [stringAttribute(IFLA_IFNAME, key.name)] };
}

/**
 * RTM_NEWLINK on an existing link (what `ip link set` sends), with
 * NLM_F_ACK so success is confirmed. A link named by its name cannot be
 * renamed in the same request (IFLA_IFNAME is the key then).
 */
export function setLinkRequest(seq: number, key: LinkKey, changes: LinkChanges): Buffer {
  const { index: ifindex, parts: keyParts } = keyed(key);
  if (typeof key !== 'number' && changes.name !== undefined) {
    throw new TypeError('a link named by its name cannot be renamed in the same request: give its ifindex');
  }
  const parts: Buffer[] = [];
  if (changes.nsFd !== undefined) {
    assertFd(changes.nsFd, 'namespace fd');
    // The kernel moves first and resolves IFLA_MASTER afterwards, in the new
    // namespace, where the index means another link (or none).
    if (changes.masterIndex !== undefined) {
      throw new TypeError(
        'setLink cannot move a link and set its master at once: ' +
          'set the master in the namespace the link was moved to',
      );
    }
    parts.push(u32Attribute(IFLA_NET_NS_FD, changes.nsFd));
    if (changes.newIfindex !== undefined) {
      assertIfindex(changes.newIfindex, 'newIfindex');
      parts.push(s32Attribute(IFLA_NEW_IFINDEX, changes.newIfindex));
    }
  } else if (changes.newIfindex !== undefined) {
    throw new TypeError('newIfindex applies only to a move (nsFd)');
  }
  if (changes.mtu !== undefined) {
    assertMtu(changes.mtu);
    parts.push(LINK_FIELDS.mtu.write(changes.mtu));
  }
  if (changes.name !== undefined) {
    assertInterfaceName(changes.name, 'new name');
    parts.push(LINK_FIELDS.name.write(changes.name));
  }
  if (changes.masterIndex !== undefined) {
    if (changes.masterIndex !== 0) assertIfindex(changes.masterIndex, 'masterIndex');
    parts.push(LINK_FIELDS.masterIndex.write(changes.masterIndex));
  }
  if (changes.up !== undefined && typeof changes.up !== 'boolean') {
    throw new TypeError(`up must be a boolean, got ${typeof changes.up}`);
  }
  if (parts.length === 0 && changes.up === undefined) {
    throw new TypeError('setLink needs at least one of up, mtu, name, masterIndex, nsFd');
  }
  const upChange = changes.up === undefined ? {} : { flags: changes.up ? IFF_UP : 0, change: IFF_UP };
  return encodeMessage({ type: RTM_NEWLINK, flags: CHANGE_FLAGS, seq }, [
    IFINFOMSG.encode({ index: ifindex, ...upChange }),
    ...keyParts,
    ...parts,
  ]);
}

/** RTM_DELLINK by ifindex or by name. Deleting one end of a veth deletes both. */
export function deleteLinkRequest(seq: number, key: LinkKey): Buffer {
  const { index, parts } = keyed(key);
  return encodeMessage({ type: RTM_DELLINK, flags: CHANGE_FLAGS, seq }, [IFINFOMSG.encode({ index }), ...parts]);
}

// ----------------------------------------------------------------- parsing --

/**
 * Parses one RTM_NEWLINK or RTM_DELLINK (a dump's part or a notification).
 * `others` names the master and the lower link; without it they are left
 * out, and so is M-DOWN.
 */
export function parseLinkMessage(message: NetlinkMessage, others?: LinkLookup): Link {
  if (message.type !== RTM_NEWLINK && message.type !== RTM_DELLINK) {
    throw new Error(`netlink: expected an RTM_NEWLINK message, got type ${message.type}`);
  }
  const header = fixedHeader(message, IFINFOMSG, 'link');
  const attributes = messageAttributes(message, IFINFOMSG, 'link');
  const info = attributes.nested(IFLA_LINKINFO, 'IFLA_LINKINFO');
  return readRecord<Link, LinkSource>(LINK_FIELDS, { header, attributes, info, others });
}

/**
 * The RTM_NEWLINK messages of one dump (other message types are skipped) as
 * Links, naming what ip names from the same dump: `master`, and `link` (the
 * peer or parent) when IFLA_LINK points into this same namespace. An index
 * not in the dump reads `if<N>`, as in ip.
 */
export function parseLinkDump(messages: readonly NetlinkMessage[]): Link[] {
  const linkMessages = messages.filter((message) => message.type === RTM_NEWLINK);
  // Each message is read once alone (its attributes are garbage at once, which
  // matters in a dump of thousands), then again, with the others known, when
  // it names another link of this namespace: a master, or a lower link here.
  const alone = linkMessages.map((message) => parseLinkMessage(message));
  const byIndex = new Map(alone.map((link) => [link.ifindex, link]));
  const others: LinkLookup = (ifindex) => byIndex.get(ifindex);
  return alone.map((link, i) =>
    link.masterIndex !== undefined || (link.linkIndex !== undefined && link.linkNetnsid === undefined)
      ? parseLinkMessage(linkMessages[i], others)
      : link,
  );
}

/** ifindex → name, from a parsed dump: what the address and route parsers need. */
export function linkNames(links: ReadonlyArray<{ ifindex: number; name: string }>): Map<number, string> {
  return new Map(links.map((link) => [link.ifindex, link.name]));
}
