// IP addresses of links over rtnetlink: the dump request, the parse of
// RTM_NEWADDR into the `Address` users see (as `ip -j addr` shows it), and
// the add/delete requests that `ip addr add|del CIDR dev X` sends.
//
// Broadcast: the kernel does not derive an IPv4 broadcast address; `ip addr
// add 10.0.0.1/24 dev X` sends none and `ip -j addr` then shows none. We do
// the same by default, so a link set up by us reads like one set up by ip.
// `broadcast: true` asks for what `brd +` sends (host bits all ones, for
// prefixes up to /30), or pass the address.
import { type AddressSource, ADDRESS_FIELDS, addressAttribute } from './addr-fields';
import {
  AF_UNSPEC,
  IFA_ADDRESS,
  IFA_BROADCAST,
  IFA_F_NODAD,
  IFA_LOCAL,
  NLM_F_ACK,
  NLM_F_CREATE,
  NLM_F_DUMP,
  NLM_F_EXCL,
  NLM_F_REQUEST,
  RTM_DELADDR,
  RTM_GETADDR,
  RTM_NEWADDR,
  RT_SCOPE_HOST,
  RT_SCOPE_UNIVERSE,
} from './constants';
import { readRecord } from './field-table';
import { IFADDRMSG } from './headers';
import { type Cidr, type IpFamily, addressFamilyOf, ipFamilyOf, parseCidr, parseIP, withHostBits } from './ip-address';
import type { LinkNames } from './link-fields';
import type { Address } from './model';
import { type NetlinkMessage, attribute, encodeMessage, fixedHeader, messageAttributes, withSequence } from './wire';
import { assertIfindex } from './fields';

// ---------------------------------------------------------------- requests --

/** The dump request of both families, built once (a map dumps every namespace). */
let bothFamiliesDump: Buffer | undefined;

/** RTM_GETADDR dump: the addresses of every link, of one family or both. */
export function addressDumpRequest(seq: number, options: { family?: IpFamily } = {}): Buffer {
  if (options.family === undefined) return withSequence((bothFamiliesDump ??= buildAddressDump(0, {})), seq);
  return buildAddressDump(seq, options);
}

function buildAddressDump(seq: number, options: { family?: IpFamily }): Buffer {
  const family = options.family === undefined ? AF_UNSPEC : addressFamilyOf(options.family);
  return encodeMessage({ type: RTM_GETADDR, flags: NLM_F_REQUEST | NLM_F_DUMP, seq }, [IFADDRMSG.encode({ family })]);
}

export interface AddAddressOptions {
  /**
   * IPv4 only. true: host bits all ones, as `ip addr add ... brd +` (no
   * broadcast for /31 and /32). A string: that address. Default: none, as
   * plain `ip addr add`.
   */
  broadcast?: boolean | string;
  /** IPv6: usable at once, without duplicate address detection (ip's `nodad`). */
  nodad?: boolean;
}

function toCidr(cidr: string | Cidr): Cidr {
  if (typeof cidr === 'string') return parseCidr(cidr, { what: 'address' });
  const size = cidr?.family === 4 ? 4 : cidr?.family === 6 ? 16 : 0;
  if (
    size === 0 ||
    !Buffer.isBuffer(cidr.address) ||
    cidr.address.length !== size ||
    !Number.isInteger(cidr.prefixLength) ||
    cidr.prefixLength < 0 ||
    cidr.prefixLength > size * 8
  ) {
    throw new TypeError('address must be a CIDR string or a Cidr from parseCidr');
  }
  return cidr;
}

// IFA_LOCAL then IFA_ADDRESS, both the address itself: a non-peer address
// as iproute2 sends it (IFA_ADDRESS would be the peer on a point-to-point link).
function addressAttributes(cidr: Cidr): Buffer[] {
  return [attribute(IFA_LOCAL, cidr.address), attribute(IFA_ADDRESS, cidr.address)];
}

/**
 * RTM_NEWADDR for `ip addr add CIDR dev <ifindex>`: scope host for 127.0.0.0/8
 * and global otherwise (iproute2's default_scope), NLM_F_CREATE|NLM_F_EXCL so
 * an existing address is an EEXIST error, not a silent success.
 */
export function addAddressRequest(
  seq: number,
  ifindex: number,
  cidr: string | Cidr,
  options: AddAddressOptions = {},
): Buffer {
  assertIfindex(ifindex);
  const parsed = toCidr(cidr);
  const parts = addressAttributes(parsed);
  if (options.broadcast !== undefined && options.broadcast !== false) {
    if (parsed.family !== 4) throw new TypeError('a broadcast address exists only for IPv4');
    if (options.broadcast === true) {
      if (parsed.prefixLength <= 30) {
        parts.push(attribute(IFA_BROADCAST, withHostBits(parsed.address, parsed.prefixLength, 1)));
      }
    } else {
      const broadcast = parseIP(options.broadcast, 'broadcast');
      if (broadcast.family !== 4) throw new TypeError('broadcast must be an IPv4 address');
      parts.push(attribute(IFA_BROADCAST, broadcast.address));
    }
  }
  if (options.nodad === true && parsed.family !== 6) throw new TypeError('nodad applies only to IPv6 addresses');
  const scope = parsed.family === 4 && parsed.address[0] === 127 ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE;
  return encodeMessage({ type: RTM_NEWADDR, flags: NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, seq }, [
    IFADDRMSG.encode({
      family: addressFamilyOf(parsed.family),
      prefixLength: parsed.prefixLength,
      scope,
      index: ifindex,
      flags: options.nodad === true ? IFA_F_NODAD : 0,
    }),
    ...parts,
  ]);
}

/** RTM_DELADDR for `ip addr del CIDR dev <ifindex>` (deleting a primary IPv4 address also deletes its secondaries). */
export function deleteAddressRequest(seq: number, ifindex: number, cidr: string | Cidr): Buffer {
  assertIfindex(ifindex);
  const parsed = toCidr(cidr);
  return encodeMessage({ type: RTM_DELADDR, flags: NLM_F_REQUEST | NLM_F_ACK, seq }, [
    IFADDRMSG.encode({ family: addressFamilyOf(parsed.family), prefixLength: parsed.prefixLength, index: ifindex }),
    ...addressAttributes(parsed),
  ]);
}

// ----------------------------------------------------------------- parsing --

/**
 * Parses one RTM_NEWADDR (or RTM_DELADDR). Answers undefined for families
 * other than IPv4 and IPv6, which an AF_UNSPEC dump may also carry.
 * `names` gives the link name; an unknown ifindex reads `if<N>` as in ip.
 */
export function parseAddressMessage(message: NetlinkMessage, names: LinkNames): Address | undefined {
  if (message.type !== RTM_NEWADDR && message.type !== RTM_DELADDR) {
    throw new Error(`netlink: expected an RTM_NEWADDR message, got type ${message.type}`);
  }
  const header = fixedHeader(message, IFADDRMSG, 'address');
  const family = ipFamilyOf(header.family);
  if (family === undefined) return undefined;
  const attributes = messageAttributes(message, IFADDRMSG, 'address');
  // One object, its `local` filled in place: a spread into a second one cost
  // about a tenth of the parse (every address of every dump comes here).
  const source: AddressSource = { header, family, attributes, names, local: '' };
  const local = addressAttribute(source, IFA_LOCAL) ?? addressAttribute(source, IFA_ADDRESS);
  if (local === undefined) {
    throw new Error(`netlink: address message for ifindex ${header.index} has neither IFA_LOCAL nor IFA_ADDRESS`);
  }
  source.local = local;
  return readRecord<Address, AddressSource>(ADDRESS_FIELDS, source);
}

/** The RTM_NEWADDR messages of one dump (others skipped) as Addresses, IPv4 and IPv6 only. */
export function parseAddressDump(messages: readonly NetlinkMessage[], names: LinkNames): Address[] {
  return messages
    .filter((message) => message.type === RTM_NEWADDR)
    .map((message) => parseAddressMessage(message, names))
    .filter((address): address is Address => address !== undefined);
}
