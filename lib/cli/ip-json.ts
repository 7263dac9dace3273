// The library's Link and Address back in the shape `ip -j` prints them, key
// for key (ifname, link_type, address for the MAC, link_index and
// link_netnsid, addr_info with family "inet"/"inet6", local, prefixlen),
// so that scripts written against `ip -j addr` read `links -J` unchanged.
// Only what the model holds is written: no linkmode, no address lifetimes.
import type { Address, Link } from '../index';

interface IpJsonAddress {
  family: 'inet' | 'inet6';
  local: string;
  /** The peer of a point-to-point address. */
  address?: string;
  prefixlen: number;
  broadcast?: string;
  scope: string | number;
  label?: string;
  /** ip writes each flag as `"secondary": true`; a permanent address has none. */
  [flag: string]: unknown;
}

/** One entry of `ip -j -d addr`, restricted to the fields the library reads. */
type IpJsonLink = Record<string, unknown> & { ifindex: number; ifname: string };

/** Kinds the library makes up where the kernel names none: ip prints no linkinfo for them. */
const SYNTHETIC_KINDS = new Set(['loopback', 'device']);

export function ipJsonLink(link: Link, addresses: readonly Address[]): IpJsonLink {
  const entry: IpJsonLink = { ifindex: link.ifindex, ifname: link.name };
  // As ip: the peer's name when it is in this namespace, else its index and the nsid it is under.
  if (link.link !== undefined) entry.link = link.link;
  else if (link.linkIndex !== undefined) entry.link_index = link.linkIndex;
  Object.assign(entry, { flags: [...link.flags], mtu: link.mtu });
  setDefined(entry, {
    qdisc: link.qdisc,
    master: link.master,
    operstate: link.operstate,
    group: link.group,
    txqlen: link.txqlen,
    link_type: link.type,
    address: link.mac,
    broadcast: link.broadcast,
    link_netnsid: link.linkNetnsid,
    ifalias: link.alias,
    altnames: link.altNames,
    parentbus: link.parentBus,
    parentdev: link.parentDev,
  });
  const linkinfo: Record<string, string> = {};
  if (!SYNTHETIC_KINDS.has(link.kind)) linkinfo.info_kind = link.kind;
  if (link.slaveKind !== undefined) linkinfo.info_slave_kind = link.slaveKind;
  if (Object.keys(linkinfo).length > 0) entry.linkinfo = linkinfo;
  entry.addr_info = addresses.filter((address) => address.ifindex === link.ifindex).map(ipJsonAddress);
  return entry;
}

function ipJsonAddress(address: Address): IpJsonAddress {
  const entry: IpJsonAddress = {
    family: address.family === 4 ? 'inet' : 'inet6',
    local: address.address,
    prefixlen: address.prefixLength,
    scope: address.scope,
  };
  setDefined(entry, { address: address.peer, broadcast: address.broadcast, label: address.label });
  for (const flag of address.flags) if (flag !== 'permanent') entry[flag] = true;
  return entry;
}

function setDefined(target: Record<string, unknown>, fields: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) target[key] = value;
}
