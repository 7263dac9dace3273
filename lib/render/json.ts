// The topology model itself, as stable pretty JSON: the same host state gives
// the same bytes whatever order things were discovered in, so two snapshots
// diff well. Nothing is added or dropped; only order is fixed:
// - object keys sorted (as `jq -S` does);
// - namespaces in render order (current first, then by inode), links by
//   ifindex, addresses by ifindex then family (the kernel's order kept within
//   one family: the primary address comes first), pids ascending, names and
//   nsfs paths sorted;
// - veth pairs with `a` the end that sorts first, pairs and unresolved peers
//   sorted by their ends.
import type { Topology, TopologyNamespace } from '../topology/model';
import { TopologyIndex } from './lookup';
import { compareText } from './order';

/**
 * A `topology()` map as stable, pretty JSON: the same host state gives
 * the same bytes whatever order things were discovered in, so two snapshots
 * diff well. Nothing is added or dropped; only the order is fixed (keys
 * sorted, namespaces in render order, links by ifindex, veth pairs by their
 * ends).
 */
export function renderJson(topology: Topology): string {
  const index = new TopologyIndex(topology);
  const canonical: Topology = {
    format: topology.format,
    namespaces: index.namespaces.map((ns) => canonicalNamespace(ns, index)),
    vethPairs: [...index.vethPairs],
    unresolved: [...index.unresolved],
  };
  return `${JSON.stringify(sortKeys({ ...topology, ...canonical }), null, 2)}\n`;
}

function canonicalNamespace(ns: TopologyNamespace, index: TopologyIndex): TopologyNamespace {
  return {
    ...ns,
    names: [...ns.names].sort(compareText),
    nsfs: [...ns.nsfs].sort(compareText),
    pids: [...ns.pids].sort((a, b) => a - b),
    links: index.linksOf(ns),
    addresses: [...ns.addresses].sort((a, b) => a.ifindex - b.ifindex || a.family - b.family),
  };
}

/** A copy with every object's keys in sorted order (JSON.stringify writes keys in insertion order). */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  // fromEntries defines own properties, so even a key named __proto__ is kept as data.
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => compareText(a, b))
      .map(([key, item]) => [key, sortKeys(item)]),
  );
}
