// Runs the real Graphviz tools (Debian's graphviz package) on a DOT text:
// `dot -Tsvg` must draw it without a word on stderr, and `gvpr` reads back the
// clusters, nodes and edges exactly as Graphviz's parser understood them (the
// SVG is not exact for that: Graphviz leaves `&amp;` in a name unescaped there).
import { spawnSync } from 'node:child_process';

function run(command: string, args: string[], input: string) {
  const result = spawnSync(command, args, { input, encoding: 'utf8' });
  if (result.error !== undefined) {
    throw new Error(`cannot run Graphviz's ${command} (apt-get install graphviz): ${result.error.message}`);
  }
  return result;
}

export interface DotRun {
  status: number | null;
  stderr: string;
  svg: string;
}

export function runDot(source: string): DotRun {
  const result = run('dot', ['-Tsvg'], source);
  return { status: result.status, stderr: result.stderr, svg: result.stdout };
}

export interface ParsedDot {
  clusters: string[];
  nodes: string[];
  /** `tail->head` */
  edges: string[];
}

/** One line per item; our ids never hold a raw tab or newline (they are made visible). */
const LIST_GRAPH = `
BEG_G {
  graph_t cluster;
  for (cluster = fstsubg($G); cluster; cluster = nxtsubg(cluster)) print("C\\t", cluster.name);
}
N { print("N\\t", $.name); }
E { print("E\\t", $.tail.name, "->", $.head.name); }
`;

/** The subgraphs, nodes and edges Graphviz parsed, each list sorted. */
export function parseDot(source: string): ParsedDot {
  const result = run('gvpr', [LIST_GRAPH], source);
  if (result.status !== 0 || result.stderr !== '') throw new Error(`gvpr: ${result.stderr}`);
  const parsed: ParsedDot = { clusters: [], nodes: [], edges: [] };
  const lists: Record<string, string[]> = { C: parsed.clusters, N: parsed.nodes, E: parsed.edges };
  for (const line of result.stdout.split('\n').filter((text) => text !== '')) {
    lists[line.slice(0, 1)].push(line.slice(2));
  }
  for (const list of Object.values(lists)) list.sort();
  return parsed;
}

export interface SvgContent {
  clusters: number;
  nodes: number;
  edges: number;
  /** The content of every `<text>`, entities decoded: what a reader sees. */
  texts: string[];
}

export function readSvg(svg: string): SvgContent {
  const count = (kind: string): number =>
    svg.match(new RegExp(`<g id="[a-z]+\\d+" class="${kind}">`, 'g'))?.length ?? 0;
  // Graphviz keeps runs of spaces by writing every second one as a no-break space.
  const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((match) =>
    decodeXml(match[1]).replace(/\u00a0/g, ' '),
  );
  return { clusters: count('cluster'), nodes: count('node'), edges: count('edge'), texts };
}

function decodeXml(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (whole, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return named[entity] ?? whole;
  });
}
