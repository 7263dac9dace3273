// Runs Graphviz on a DOT text, in-process: the WebAssembly build the library
// loads for renderSvg (lib/render/graphviz-wasm.ts), so no system graphviz is
// needed. `dot` must draw the text as SVG without a message, and Graphviz's
// own reading of it (format dot_json) gives back the subgraphs, nodes and
// edges exactly as its parser understood them (the SVG is not exact for that:
// Graphviz leaves what looks like an entity in a name as it is there).
import { runGraphviz, type GraphvizMessage } from '../../lib/render/graphviz-wasm';

export interface DotRun {
  status: 'success' | 'failure';
  /** Graphviz's errors and warnings, as `level: message`: what `dot` would print on stderr. */
  messages: string[];
  svg: string;
}

/**
 * The WebAssembly build has no fonts: it estimates text widths from a table
 * of ASCII widths and says so, once per process, for the first byte of
 * non-ASCII text it meets (system `dot` measures with a real font). That is
 * about the build, not about our DOT; every other message still counts.
 */
const NO_FONT_METRICS =
  /^Warning: no value for width of non-ASCII character \d+\. Falling back to width of space character$/;

const described = (errors: GraphvizMessage[]): string[] =>
  errors
    .filter((error) => !NO_FONT_METRICS.test(error.message.trim()))
    .map((error) => `${error.level ?? 'message'}: ${error.message.trim()}`);

export async function runDot(source: string): Promise<DotRun> {
  const result = await runGraphviz(source, 'svg');
  return { status: result.status, messages: described(result.errors), svg: result.output ?? '' };
}

export interface ParsedDot {
  clusters: string[];
  nodes: string[];
  /** `tail->head` */
  edges: string[];
}

/** Graphviz's json: subgraphs first in `objects`, then nodes; edges name nodes by `_gvid`. */
interface DotJson {
  _subgraph_cnt?: number;
  objects?: Array<{ _gvid: number; name: string; subgraphs?: number[] }>;
  edges?: Array<{ tail: number; head: number }>;
}

/** The top-level subgraphs, nodes and edges Graphviz parsed, each list sorted. */
export async function parseDot(source: string): Promise<ParsedDot> {
  const result = await runGraphviz(source, 'dot_json');
  if (result.status !== 'success' || result.errors.length > 0) {
    throw new Error(`Graphviz: ${described(result.errors).join('\n')}`);
  }
  const json = JSON.parse(result.output) as DotJson;
  const objects = json.objects ?? [];
  const subgraphs = objects.slice(0, json._subgraph_cnt ?? 0);
  const nested = new Set(subgraphs.flatMap((subgraph) => subgraph.subgraphs ?? []));
  const nodes = new Map(objects.slice(subgraphs.length).map((node) => [node._gvid, node.name]));
  return {
    clusters: subgraphs
      .filter((subgraph) => !nested.has(subgraph._gvid))
      .map((subgraph) => subgraph.name)
      .sort(),
    nodes: [...nodes.values()].sort(),
    edges: (json.edges ?? []).map((edge) => `${nodes.get(edge.tail)}->${nodes.get(edge.head)}`).sort(),
  };
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
