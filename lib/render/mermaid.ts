// The topology as a Mermaid flowchart, which GitHub draws from a ```mermaid
// block in Markdown. The same graph as the DOT output (graph.ts): a subgraph
// per namespace, a node per interface, veth pairs as plain links (`---`),
// ports as arrows to their master (`-->`), an unresolved peer as a dotted link
// (`-.-`) to a "?" node. Fills follow plotnetcfg's colours.
import type { Topology } from '../topology/model';
import type { LinkState } from './describe';
import { buildGraph, type EdgeKind, type GraphCluster, type GraphNode } from './graph';
import { mermaidLabel } from './mermaid-syntax';

/** How {@link renderMermaid} lays the flowchart out. */
export interface MermaidOptions {
  /** Flowchart direction: 'TB' (top to bottom, the default) or 'LR'. */
  direction?: 'TB' | 'LR';
}

const LINK: Readonly<Record<EdgeKind, string>> = { veth: '---', port: '-->', unresolved: '-.-' };

/** Class names (fixed words, not input) and their styles: X11 darkolivegreen1, pink and grey as in DOT. */
const CLASS_STYLES = {
  up: 'fill:#caff70,stroke:#333,color:#000',
  nocarrier: 'fill:#ffc0cb,stroke:#333,color:#000',
  down: 'fill:#bebebe,stroke:#333,color:#000',
  dashed: 'stroke-dasharray:5 5',
  failed: 'stroke:#f00,color:#f00',
  facts: 'fill:#fff,stroke:#999,color:#333',
} as const;
type ClassName = keyof typeof CLASS_STYLES;

const STATE_CLASS: Readonly<Record<LinkState, ClassName>> = { up: 'up', 'no-carrier': 'nocarrier', down: 'down' };

const INDENT = '  ';

/**
 * A `topology()` map as a Mermaid flowchart, which GitHub draws in
 * Markdown: a subgraph per namespace, a node per interface, veth pairs as
 * plain links (`---`), ports as arrows to their master (`-->`), an unresolved
 * peer as a dotted link to a "?" node; plotnetcfg's colours. Every name is
 * escaped, hostile ones included.
 */
export function renderMermaid(topology: Topology, opts: MermaidOptions = {}): string {
  const graph = buildGraph(topology);
  const members = new Map<ClassName, string[]>();
  const classify = (slug: string, name: ClassName): void => {
    const slugs = members.get(name);
    if (slugs === undefined) members.set(name, [slug]);
    else slugs.push(slug);
  };

  const out = [`flowchart ${opts.direction ?? 'TB'}`];
  for (const cluster of graph.clusters) {
    out.push(...clusterLines(cluster));
    if (cluster.failed) classify(cluster.slug, 'failed');
    if (cluster.facts.length > 0) classify(cluster.factsSlug, 'facts');
    // The note of an unreadable namespace says why, in red.
    for (const node of cluster.nodes)
      classify(node.slug, node.role === 'note' && cluster.failed ? 'failed' : nodeClass(node));
  }
  for (const node of graph.looseNodes) {
    out.push(INDENT + nodeLine(node));
    classify(node.slug, nodeClass(node));
  }
  for (const edge of graph.edges) out.push(`${INDENT}${edge.from.slug} ${LINK[edge.kind]} ${edge.to.slug}`);

  for (const [name, style] of Object.entries(CLASS_STYLES)) {
    const slugs = members.get(name as ClassName);
    if (slugs === undefined) continue;
    out.push(`${INDENT}classDef ${name} ${style}`, `${INDENT}class ${slugs.join(',')} ${name}`);
  }
  return `${out.join('\n')}\n`;
}

/**
 * Mermaid makes room for one line of subgraph title only (more lines overlap
 * the nodes below), so the title is the id alone and the facts (names, pids,
 * command) get a note of their own inside the subgraph.
 */
function clusterLines(cluster: GraphCluster): string[] {
  const facts = cluster.facts.length === 0 ? [] : [`${cluster.factsSlug}>${mermaidLabel(cluster.facts)}]`];
  return [
    `${INDENT}subgraph ${cluster.slug}[${mermaidLabel([cluster.title])}]`,
    ...[...facts, ...cluster.nodes.map(nodeLine)].map((line) => INDENT + INDENT + line),
    `${INDENT}end`,
  ];
}

function nodeLine(node: GraphNode): string {
  const label = mermaidLabel(node.lines);
  // A stadium for the "?" of an unknown peer, a flag for a note (as for the facts), a box for an interface.
  switch (node.role) {
    case 'unknown-peer':
      return `${node.slug}([${label}])`;
    case 'note':
      return `${node.slug}>${label}]`;
    case 'interface':
    case 'missing':
      return `${node.slug}[${label}]`;
  }
}

function nodeClass(node: GraphNode): ClassName {
  if (node.role === 'interface') return STATE_CLASS[node.state ?? 'down'];
  return node.role === 'note' ? 'facts' : 'dashed';
}
