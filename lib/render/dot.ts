// The topology as Graphviz DOT, after plotnetcfg's conventions: a directed
// graph of boxes, one cluster per namespace, one node per interface labelled
// "name (kind)" with its MTU when unusual and its addresses, filled green when
// running, pink when up without carrier and grey when down; veth pairs as
// edges without arrowheads across clusters, ports pointing at their master.
// Ours also draws an unresolved peer as a dashed edge to a dashed "?" box that
// tells what is known of the peer and why it could not be named, and an
// unreadable namespace as a red cluster holding a note with the error.
// Render with: dot -Tsvg topology.dot > topology.svg
import type { Topology } from '../topology/model';
import type { LinkState } from './describe';
import { dotAttributes, dotLabel, dotString, type DotQuoted } from './dot-syntax';
import { buildGraph, type EdgeKind, type GraphCluster, type GraphEdge, type GraphNode } from './graph';

/** How {@link renderDot} lays the graph out. */
export interface DotOptions {
  /** Graphviz rankdir: 'TB' (top to bottom, plotnetcfg's and the default) or 'LR'. */
  direction?: 'TB' | 'LR';
}

const FILL: Readonly<Record<LinkState, string>> = {
  up: 'darkolivegreen1',
  'no-carrier': 'pink',
  down: 'grey',
};

const EDGE_STYLE: Readonly<Record<EdgeKind, Readonly<Record<string, DotQuoted>>>> = {
  veth: { dir: dotString('none') },
  port: {},
  unresolved: { dir: dotString('none'), style: dotString('dashed') },
};

const INDENT = '  ';

/**
 * A `topology()` map as Graphviz DOT, after plotnetcfg's conventions: a
 * cluster per namespace, a node per interface ("name (kind)", its MTU when
 * unusual, its addresses; green when running, pink when up without carrier,
 * grey when down), veth pairs as undirected edges, ports pointing at their
 * bridge; an unresolved peer as a dashed edge to a "?" box, an unreadable
 * namespace as a red cluster with the error. Every name is escaped, hostile
 * ones included. Render it with `dot -Tsvg`, or ask the command line for
 * `graph --format svg`.
 */
export function renderDot(topology: Topology, opts: DotOptions = {}): string {
  const graph = buildGraph(topology);
  const out: string[] = [
    '// netns-native topology: one cluster per network namespace',
    'digraph "netns" {',
    `${INDENT}graph${dotAttributes({ rankdir: dotString(opts.direction ?? 'TB') })}`,
    `${INDENT}node${dotAttributes({ shape: dotString('box') })}`,
  ];
  for (const cluster of graph.clusters) out.push(...clusterLines(cluster));
  for (const node of graph.looseNodes) out.push(INDENT + nodeLine(node));
  for (const edge of graph.edges) out.push(INDENT + edgeLine(edge));
  out.push('}');
  return `${out.join('\n')}\n`;
}

function clusterLines(cluster: GraphCluster): string[] {
  // Graphviz draws a subgraph as a box only when its name starts with "cluster".
  const failed = cluster.failed ? dotString('red') : undefined;
  const attributes = { label: dotLabel([cluster.title, ...cluster.facts]), color: failed, fontcolor: failed };
  return [
    `${INDENT}subgraph ${dotString(`cluster_${cluster.key}`)} {`,
    `${INDENT}${INDENT}graph${dotAttributes(attributes)}`,
    ...cluster.nodes.map((node) => INDENT + INDENT + nodeLine(node)),
    `${INDENT}}`,
  ];
}

function nodeLine(node: GraphNode): string {
  return `${dotString(node.key)}${dotAttributes({ label: dotLabel(node.lines), ...nodeStyle(node) })}`;
}

function nodeStyle(node: GraphNode): Record<string, DotQuoted> {
  switch (node.role) {
    case 'interface':
      return { style: dotString('filled'), fillcolor: dotString(FILL[node.state ?? 'down']) };
    case 'note':
      return { shape: dotString('note') };
    case 'unknown-peer':
    case 'missing':
      return { style: dotString('dashed') };
  }
}

function edgeLine(edge: GraphEdge): string {
  return `${dotString(edge.from.key)} -> ${dotString(edge.to.key)}${dotAttributes(EDGE_STYLE[edge.kind])}`;
}
