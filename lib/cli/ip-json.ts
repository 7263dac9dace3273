// The library's Link and Address back in the shape `ip -j` prints them, key
// for key, as their tables (lib/rtnl/*-fields.ts) say: ifname, link_type,
// address for the MAC, link_index and link_netnsid, addr_info with family
// "inet"/"inet6", local, prefixlen, so that scripts written against `ip -j
// addr` read `links -J` unchanged. Only what the model holds is written: no
// linkmode, no address lifetimes.
import type { Address, Link } from '../index';
import { ADDRESS_FIELDS } from '../rtnl/addr-fields';
import { type IpJsonOf, ipJsonOf } from '../rtnl/field-table';
import { LINK_FIELDS } from '../rtnl/link-fields';

/** One entry of `addr_info`; ip writes each flag as `"secondary": true` (a permanent address has none). */
export type IpJsonAddress = IpJsonOf<Address, typeof ADDRESS_FIELDS> & { [flag: string]: unknown };

/** One entry of `ip -j -d link`, restricted to the fields the library reads. */
export type IpJsonLink = IpJsonOf<Link, typeof LINK_FIELDS>;

/** One entry of `ip -j -d addr`: the link, and its addresses. */
export function ipJsonLink(link: Link, addresses: readonly Address[]): IpJsonLink & { addr_info: IpJsonAddress[] } {
  const entry = ipJsonOf(LINK_FIELDS, link) as IpJsonLink;
  const addrInfo = addresses
    .filter((address) => address.ifindex === link.ifindex)
    .map((address) => ipJsonOf(ADDRESS_FIELDS, address) as IpJsonAddress);
  return { ...entry, addr_info: addrInfo };
}
