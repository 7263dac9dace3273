// Runs the real Graphviz `dot` on a DOT text and reads back what it drew from
// the SVG: cluster, node and edge titles (the ids Graphviz parsed) and every
// line of text. `dot` comes from Debian's graphviz package.
import { spawnSync } from 'node:child_process';

export interface DotRun {
  status: number | null;
  stderr: string;
  svg: string;
}

export function runDot(source: string): DotRun {
  const result = spawnSync('dot', ['-Tsvg'], { input: source, encoding: 'utf8' });
  if (result.error !== undefined) {
    throw new Error(`cannot run Graphviz's dot (apt-get install graphviz): ${result.error.message}`);
  }
  return { status: result.status, stderr: result.stderr, svg: result.stdout };
}

export interface SvgContent {
  clusters: string[];
  nodes: string[];
  edges: string[];
  texts: string[];
}

/** The titles of each `<g class="cluster|node|edge">` and the content of every `<text>`, entities decoded. */
export function readSvg(svg: string): SvgContent {
  const titles = (kind: string): string[] => [...svg.matchAll(
    new RegExp(`<g id="[a-z]+\\d+" class="${kind}">\\s*<title>([^<]*)</title>`, 'g'),
  )].map((match) => decodeXml(match[1]));
  const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((match) => decodeXml(match[1]));
  return { clusters: titles('cluster'), nodes: titles('node'), edges: titles('edge'), texts };
}

function decodeXml(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (whole, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return named[entity] ?? whole;
  });
}
