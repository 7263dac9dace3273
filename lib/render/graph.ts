// The picture before it is drawn: clusters (namespaces), nodes (interfaces)
// and edges (veth pairs, bridge ports, unresolved peers), with their text and
// ids already decided. DOT and Mermaid are two spellings of this one graph, so
// they cannot disagree on what is connected to what.
import type { Topology, TopologyNamespace, UnresolvedPeer, VethEnd } from '../topology/model';
import type { Link } from '../rtnl/model';
import {
  errorText,
  formatAddress,
  linkHeadline,
  linkState,
  namespaceFacts,
  namespaceHeadline,
  operstateText,
  unusualMtu,
  type LinkState,
} from './describe';
import { IdAllocator, slugNumber } from './ids';
import { endKey, TopologyIndex } from './lookup';
import { visibleText } from './visible';

type NodeRole =
  /** A link of the model. */
  | 'interface'
  /** Says why a namespace shows no interface (unreadable, or none at all). */
  | 'note'
  /** The "?" at the far end of a veth whose peer topology() could not name. */
  | 'unknown-peer'
  /** A veth end the pairs name but the namespace's link list lacks. */
  | 'missing';

export interface GraphNode {
  /** Readable and unique (`net:[4026531840]/eth0`); may hold any character. */
  key: string;
  /** Unique, `[A-Za-z0-9_]+` only. */
  slug: string;
  role: NodeRole;
  /** Display text, visible-escaped; the first line is the headline. */
  lines: string[];
  /** For interfaces only. */
  state?: LinkState;
}

export interface GraphCluster {
  key: string;
  slug: string;
  /** A free slug for formats that show the facts as a node of their own (Mermaid). */
  factsSlug: string;
  /** One line: the namespace's id, and "(current)". */
  title: string;
  /** What identifies it (names, container, pids, command), one per line; may be empty. */
  facts: string[];
  /** The namespace could not be read. */
  failed: boolean;
  nodes: GraphNode[];
}

export type EdgeKind =
  /** The two ends of a veth pair: undirected. */
  | 'veth'
  /** From a port to its master (bridge, bond): directed, as plotnetcfg draws it. */
  | 'port'
  /** From a veth end to the "?" node of its unresolved peer. */
  | 'unresolved';

export interface GraphEdge {
  kind: EdgeKind;
  from: GraphNode;
  to: GraphNode;
}

export interface TopologyGraph {
  clusters: GraphCluster[];
  /** Nodes in no cluster: unknown peers, and ends in a namespace the model does not list. */
  looseNodes: GraphNode[];
  edges: GraphEdge[];
}

export function buildGraph(topology: Topology): TopologyGraph {
  return new GraphBuilder(new TopologyIndex(topology)).build();
}

class GraphBuilder {
  private readonly keys = new IdAllocator();
  private readonly slugs = new IdAllocator();
  private readonly clusters: GraphCluster[] = [];
  private readonly looseNodes: GraphNode[] = [];
  private readonly edges: GraphEdge[] = [];
  private readonly edgeKeys = new Set<string>();
  private readonly clusterByNs = new Map<string, GraphCluster>();
  /** Interface and missing nodes by `ns\0ifindex`. */
  private readonly nodeByEnd = new Map<string, GraphNode>();

  constructor(private readonly index: TopologyIndex) {}

  build(): TopologyGraph {
    for (const ns of this.index.namespaces) this.addCluster(ns);
    for (const { a, b } of this.index.vethPairs) this.addEdge('veth', this.endNode(a), this.endNode(b));
    for (const ns of this.index.namespaces) this.addPortEdges(ns);
    for (const entry of this.index.unresolved) this.addUnresolved(entry);
    return { clusters: this.clusters, looseNodes: this.looseNodes, edges: this.edges };
  }

  private addCluster(ns: TopologyNamespace): void {
    // A second namespace with the same id (malformed input) still gets drawn,
    // under its own cluster; the ends of edges resolve to the first.
    const slug = this.slugs.slug(`ns_${slugNumber(ns.ino) ?? 'x'}`);
    const cluster: GraphCluster = {
      key: this.keys.key(visibleText(ns.id)),
      slug,
      factsSlug: this.slugs.slug(`${slug}_facts`),
      title: namespaceHeadline(ns),
      facts: namespaceFacts(ns),
      failed: ns.error !== undefined,
      nodes: [],
    };
    this.clusters.push(cluster);
    if (!this.clusterByNs.has(ns.id)) this.clusterByNs.set(ns.id, cluster);

    for (const link of this.index.linksOf(ns)) {
      const node = this.newNode(cluster, link.name, link.ifindex, 'interface', this.linkLines(ns, link));
      node.state = linkState(link);
      cluster.nodes.push(node);
      const end = endKey(ns.id, link.ifindex);
      if (this.clusterByNs.get(ns.id) === cluster && !this.nodeByEnd.has(end)) this.nodeByEnd.set(end, node);
    }
    // An empty cluster is not drawn by Graphviz at all: say why it is empty.
    if (ns.error !== undefined) {
      cluster.nodes.push(this.noteNode(cluster, `error: ${errorText(ns.error)}`));
    } else if (ns.links.length === 0) {
      cluster.nodes.push(this.noteNode(cluster, 'no interfaces'));
    }
  }

  /** plotnetcfg's label: name (driver), then state when not running, unusual MTU, addresses. */
  private linkLines(ns: TopologyNamespace, link: Link): string[] {
    const lines = [linkHeadline(link)];
    if (linkState(link) !== 'up') lines.push(operstateText(link));
    const mtu = unusualMtu(link);
    if (mtu !== undefined) lines.push(`mtu ${mtu}`);
    for (const address of this.index.addressesOf(ns, link)) lines.push(formatAddress(address));
    return lines;
  }

  private addPortEdges(ns: TopologyNamespace): void {
    // A namespace listed twice under one id (malformed input): ends resolve to the first only.
    if (this.index.namespace(ns.id) !== ns) return;
    for (const link of this.index.linksOf(ns)) {
      const master = this.index.master(ns, link);
      if (master === undefined) continue;
      this.addEdge(
        'port',
        this.endNode({ ns: ns.id, ifindex: link.ifindex, name: link.name }),
        this.endNode({ ns: ns.id, ifindex: master.ifindex, name: master.name }),
      );
    }
  }

  private addUnresolved(entry: UnresolvedPeer): void {
    const from = this.endNode(entry.end);
    const where = [
      entry.linkIndex !== undefined ? `ifindex ${entry.linkIndex}` : undefined,
      entry.linkNetnsid !== undefined ? `nsid ${entry.linkNetnsid}` : undefined,
    ]
      .filter((part) => part !== undefined)
      .join(' in ');
    const lines = ['?', ...(where === '' ? [] : [where]), visibleText(entry.reason)];
    const unknown: GraphNode = {
      key: this.keys.key(`?${from.key}`),
      slug: this.slugs.slug(`${from.slug}_peer`),
      role: 'unknown-peer',
      lines,
    };
    this.looseNodes.push(unknown);
    this.addEdge('unresolved', from, unknown);
  }

  /** The node of a veth end or bridge member, made up (role 'missing') when the model lacks the link. */
  private endNode(end: VethEnd): GraphNode {
    const existing = this.nodeByEnd.get(endKey(end.ns, end.ifindex));
    if (existing !== undefined) return existing;
    const cluster = this.clusterByNs.get(end.ns);
    const lines = [visibleText(end.name), cluster !== undefined ? 'not in link list' : `in ${visibleText(end.ns)}`];
    const node = this.newNode(cluster, end.name, end.ifindex, 'missing', lines, visibleText(end.ns));
    (cluster?.nodes ?? this.looseNodes).push(node);
    this.nodeByEnd.set(endKey(end.ns, end.ifindex), node);
    return node;
  }

  /** `outsideKey` names the namespace of a node drawn in no cluster. */
  private newNode(
    cluster: GraphCluster | undefined,
    name: string,
    ifindex: number,
    role: NodeRole,
    lines: string[],
    outsideKey = '',
  ): GraphNode {
    const clusterKey = cluster?.key ?? outsideKey;
    const clusterSlug = cluster?.slug ?? 'outside';
    return {
      key: this.keys.key(`${clusterKey}/${visibleText(name)}`),
      slug: this.slugs.slug(`${clusterSlug}_if_${slugNumber(ifindex) ?? 'x'}`),
      role,
      lines,
    };
  }

  private noteNode(cluster: GraphCluster, text: string): GraphNode {
    return {
      key: this.keys.key(`${cluster.key}/(note)`),
      slug: this.slugs.slug(`${cluster.slug}_note`),
      role: 'note',
      lines: [text],
    };
  }

  /** One edge per pair of nodes and kind, however often the model repeats it. */
  private addEdge(kind: EdgeKind, from: GraphNode, to: GraphNode): void {
    const key = `${kind}\u0000${from.key}\u0000${to.key}`;
    if (this.edgeKeys.has(key)) return;
    this.edgeKeys.add(key);
    this.edges.push({ kind, from, to });
  }
}
