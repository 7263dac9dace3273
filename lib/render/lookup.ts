// Answers the questions every renderer asks of a topology (which link is the
// other end of this veth, which ports hang under this bridge), built once and
// in one order. The model is treated as untrusted input: duplicate entries,
// dangling references and master cycles must not crash a renderer or loop.
import type { Address, Link } from '../rtnl/model';
import type { Topology, TopologyNamespace, UnresolvedPeer, VethEnd, VethPair } from '../topology/model';
import { compareEnds, compareLinks, compareNamespaces, sortAddresses } from './order';

/** ifindex is unique only inside one namespace, so a link is named by both. */
export function endKey(ns: string, ifindex: number): string {
  return `${ns}\u0000${ifindex}`;
}

export class TopologyIndex {
  /** Namespaces in render order (see compareNamespaces). */
  readonly namespaces: readonly TopologyNamespace[];
  /** Veth pairs in render order, each with `a` the end that sorts first. */
  readonly vethPairs: readonly VethPair[];
  readonly unresolved: readonly UnresolvedPeer[];

  private readonly namespaceById = new Map<string, TopologyNamespace>();
  private readonly rankById = new Map<string, number>();
  private readonly links = new Map<string, Link>();
  private readonly linksByName = new Map<string, Link>();
  private readonly peers = new Map<string, VethEnd>();
  private readonly unresolvedByEnd = new Map<string, UnresolvedPeer>();

  constructor(topology: Topology) {
    this.namespaces = [...topology.namespaces].sort(compareNamespaces);
    this.namespaces.forEach((ns, rank) => {
      if (this.namespaceById.has(ns.id)) return; // first one wins
      this.namespaceById.set(ns.id, ns);
      this.rankById.set(ns.id, rank);
      // Duplicates (malformed input): the first in render order wins, whatever the input order.
      for (const link of [...ns.links].sort(compareLinks)) {
        const byIndex = endKey(ns.id, link.ifindex);
        if (!this.links.has(byIndex)) this.links.set(byIndex, link);
        const byName = `${ns.id}\u0000${link.name}`;
        if (!this.linksByName.has(byName)) this.linksByName.set(byName, link);
      }
    });

    const rank = (id: string): number => this.rankById.get(id) ?? Number.MAX_SAFE_INTEGER;
    this.vethPairs = topology.vethPairs
      .map((pair) => (compareEnds(pair.a, pair.b, rank) <= 0 ? pair : { ...pair, a: pair.b, b: pair.a }))
      .sort((x, y) => compareEnds(x.a, y.a, rank) || compareEnds(x.b, y.b, rank));
    for (const { a, b } of this.vethPairs) {
      const keyA = endKey(a.ns, a.ifindex);
      const keyB = endKey(b.ns, b.ifindex);
      if (!this.peers.has(keyA)) this.peers.set(keyA, b);
      if (!this.peers.has(keyB)) this.peers.set(keyB, a);
    }

    this.unresolved = [...topology.unresolved].sort((x, y) => compareEnds(x.end, y.end, rank));
    for (const entry of this.unresolved) {
      const key = endKey(entry.end.ns, entry.end.ifindex);
      if (!this.unresolvedByEnd.has(key)) this.unresolvedByEnd.set(key, entry);
    }
  }

  namespace(id: string): TopologyNamespace | undefined {
    return this.namespaceById.get(id);
  }

  link(ns: string, ifindex: number): Link | undefined {
    return this.links.get(endKey(ns, ifindex));
  }

  /** The other end of a resolved veth pair. */
  peer(ns: string, ifindex: number): VethEnd | undefined {
    return this.peers.get(endKey(ns, ifindex));
  }

  /** Why this end's peer could not be named, when topology() gave up on it. */
  unresolvedPeer(ns: string, ifindex: number): UnresolvedPeer | undefined {
    return this.unresolvedByEnd.get(endKey(ns, ifindex));
  }

  /** Links in ifindex order. */
  linksOf(ns: TopologyNamespace): Link[] {
    return [...ns.links].sort(compareLinks);
  }

  addressesOf(ns: TopologyNamespace, link: Link): Address[] {
    return sortAddresses(ns.addresses.filter((address) => address.ifindex === link.ifindex));
  }

  /** The link's master (a bridge port's bridge) in the same namespace, by index, else by name. */
  master(ns: TopologyNamespace, link: Link): Link | undefined {
    // A namespace listed twice under one id (malformed input): the second shows its links flat.
    if (this.namespaceById.get(ns.id) !== ns) return undefined;
    let master: Link | undefined;
    if (link.masterIndex !== undefined) master = this.link(ns.id, link.masterIndex);
    else if (link.master !== undefined) master = this.linksByName.get(`${ns.id}\u0000${link.master}`);
    return master === link ? undefined : master;
  }

  /**
   * The master to nest this link under in a tree, or undefined for a top-level
   * link: a link whose master chain leads back to itself is not nested, so a
   * (malformed) cycle cannot hide links or loop forever.
   */
  treeParent(ns: TopologyNamespace, link: Link): Link | undefined {
    const parent = this.master(ns, link);
    const seen = new Set<Link>([link]);
    for (let up = parent; up !== undefined; up = this.master(ns, up)) {
      if (seen.has(up)) return undefined;
      seen.add(up);
    }
    return parent;
  }

  /** The namespace's links as a tree: roots, and each master's nested links, all in ifindex order. */
  linkTree(ns: TopologyNamespace): LinkTree {
    const roots: Link[] = [];
    const children = new Map<Link, Link[]>();
    for (const link of this.linksOf(ns)) {
      const parent = this.treeParent(ns, link);
      if (parent === undefined) roots.push(link);
      else if (children.has(parent)) children.get(parent)?.push(link);
      else children.set(parent, [link]);
    }
    return { roots, childrenOf: (link) => children.get(link) ?? [] };
  }
}

interface LinkTree {
  roots: Link[];
  childrenOf(link: Link): Link[];
}
