// One order for everything a renderer prints, so that the same host gives the
// same picture twice and two pictures diff well. Comparisons are by code unit,
// never by locale, so the order does not depend on the machine's settings.
import type { Address, Link } from '../rtnl/model';
import type { TopologyNamespace, VethEnd } from '../topology/model';

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The current namespace first (it is "the host" to the reader), then by inode as lsns does. */
export function compareNamespaces(a: TopologyNamespace, b: TopologyNamespace): number {
  const byCurrent = Number(b.current === true) - Number(a.current === true);
  return byCurrent || a.ino - b.ino || compareText(a.id, b.id);
}

/** By ifindex, as `ip link` lists them. */
export function compareLinks(a: Link, b: Link): number {
  return a.ifindex - b.ifindex || compareText(a.name, b.name);
}

/**
 * IPv4 before IPv6 as `ip addr` prints them; within a family the kernel's own
 * order is kept because it carries meaning (the primary address comes first).
 */
export function sortAddresses(addresses: readonly Address[]): Address[] {
  return [...addresses].sort((a, b) => a.family - b.family);
}

/** Ends ordered by their namespace's place (from `namespaceRank`), then ifindex. */
export function compareEnds(a: VethEnd, b: VethEnd, namespaceRank: (id: string) => number): number {
  return (
    namespaceRank(a.ns) - namespaceRank(b.ns) ||
    compareText(a.ns, b.ns) ||
    a.ifindex - b.ifindex ||
    compareText(a.name, b.name)
  );
}
