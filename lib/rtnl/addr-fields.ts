// The address family's table (field-table.ts): every field of `Address`,
// where RTM_NEWADDR carries it, how it is read, and its key in the
// `addr_info` entries of `ip -j addr`, in the order ip prints them.
import { IFA_ADDRESS, IFA_BROADCAST, IFA_FLAGS, IFA_LABEL, IFA_LOCAL } from './constants';
import type { FieldTable } from './field-table';
import type { IFADDRMSG, StructOf } from './headers';
import { type IpFamily, addressAt } from './ip-address';
import type { LinkNames } from './link-fields';
import type { Address } from './model';
import { addressFlagNames, scopeName } from './names';
import type { Attributes } from './wire';

/** One RTM_NEWADDR (or RTM_DELADDR) of IPv4 or IPv6, parsed. */
export interface AddressSource {
  header: StructOf<typeof IFADDRMSG>;
  family: IpFamily;
  attributes: Attributes;
  /** IFA_LOCAL, else IFA_ADDRESS (IPv6 sends only that): the interface's own address. */
  local: string;
  names: LinkNames;
}

/** An IFA_* address attribute, checked against the message's family. */
export function addressAttribute(source: Omit<AddressSource, 'local'>, type: number): string | undefined {
  const { attributes } = source;
  const length = attributes.size(type);
  if (length === undefined) return undefined;
  const size = source.family === 4 ? 4 : 16;
  if (length !== size) {
    throw new Error(`netlink: address attribute ${type} has ${length} bytes, IPv${source.family} needs ${size}`);
  }
  return addressAt(source.family, attributes.data, attributes.valueOffset(type));
}

/**
 * Whether IFA_ADDRESS says nothing IFA_LOCAL does not: it is absent, or it
 * is the local address itself (no IFA_LOCAL, as IPv6 sends), or the same bytes.
 */
function hasNoPeer(attributes: Attributes): boolean {
  const size = attributes.size(IFA_ADDRESS);
  if (size === undefined || !attributes.has(IFA_LOCAL)) return true;
  if (attributes.size(IFA_LOCAL) !== size) return false;
  const { data } = attributes;
  const address = attributes.valueOffset(IFA_ADDRESS);
  const local = attributes.valueOffset(IFA_LOCAL);
  for (let i = 0; i < size; i++) if (data[address + i] !== data[local + i]) return false;
  return true;
}

export const ADDRESS_FIELDS = {
  // On the link's own entry in ip's output, not in addr_info.
  ifindex: { read: (s) => s.header.index },
  // An unknown ifindex reads `if<N>`, as in ip.
  name: { read: (s) => s.names.get(s.header.index) ?? `if${s.header.index}` },
  family: { read: (s) => s.family, ip: 'family', ipValue: (family) => (family === 4 ? 'inet' : 'inet6') },
  address: { attribute: IFA_LOCAL, read: (s) => s.local, ip: 'local' },
  // IFA_ADDRESS is the address itself, or the peer on a point-to-point address.
  peer: {
    attribute: IFA_ADDRESS,
    // Compared as bytes, formatted only when it differs (most addresses have no peer).
    read: (s) => (hasNoPeer(s.attributes) ? undefined : addressAttribute(s, IFA_ADDRESS)),
    ip: 'address',
  },
  prefixLength: { read: (s) => s.header.prefixLength, ip: 'prefixlen' },
  broadcast: { attribute: IFA_BROADCAST, read: (s) => addressAttribute(s, IFA_BROADCAST), ip: 'broadcast' },
  scope: { read: (s) => scopeName(s.header.scope), ip: 'scope' },
  // ip writes each flag as `"secondary": true`; a permanent address has none.
  flags: {
    attribute: IFA_FLAGS,
    read: (s) => addressFlagNames(s.attributes.u32(IFA_FLAGS) ?? s.header.flags, s.family),
    ip: '...',
    ipValue: (flags) => Object.fromEntries(flags.filter((flag) => flag !== 'permanent').map((flag) => [flag, true])),
  },
  label: { attribute: IFA_LABEL, read: (s) => s.attributes.string(IFA_LABEL), ip: 'label' },
} as const satisfies FieldTable<Address, AddressSource>;
