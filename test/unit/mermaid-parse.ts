// Reads a Mermaid flowchart back with Mermaid's own parser (the `mermaid`
// package, run under jsdom: it needs a DOM for its sanitizer but not a
// browser), so the tests see the nodes, links and subgraphs Mermaid sees.
import mermaid from 'mermaid';

export interface ParsedVertex {
  id: string;
  text: string;
  type: string;
  classes: string[];
}
export interface ParsedEdge {
  start: string;
  end: string;
  type: string;
  stroke: string;
}
export interface ParsedSubgraph {
  id: string;
  title: string;
  nodes: string[];
  classes: string[];
}

export interface ParsedFlowchart {
  /** The config Mermaid took from the text (directives): must stay empty. */
  config: unknown;
  vertices: ParsedVertex[];
  edges: ParsedEdge[];
  subgraphs: ParsedSubgraph[];
  classDefs: string[];
}

/** The part of Mermaid's flowchart database read here (it is not in Mermaid's public types). */
interface FlowDb {
  getVertices(): Map<string, ParsedVertex>;
  getEdges(): ParsedEdge[];
  getSubGraphs(): ParsedSubgraph[];
  getClasses(): Map<string, unknown>;
}

/** The bit of the DOM used to decode HTML entities (the project's tsconfig has no DOM types). */
interface EntityDecoder {
  innerHTML: string;
  value: string;
}
const { document } = globalThis as unknown as { document: { createElement(tag: 'textarea'): EntityDecoder } };

mermaid.initialize({ startOnLoad: false });

export async function parseFlowchart(text: string): Promise<ParsedFlowchart> {
  const result = await mermaid.parse(text); // throws on a syntax error
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
  const db = diagram.db as unknown as FlowDb;
  return {
    config: result.config,
    vertices: [...db.getVertices().values()],
    edges: db.getEdges(),
    subgraphs: db.getSubGraphs(),
    classDefs: [...db.getClasses().keys()],
  };
}

/**
 * The lines a label shows once drawn: split at `<br>`, then Mermaid's entity
 * placeholders (its parser turns `#34;` into `ﬂ°°34¶ß`) and the HTML entities
 * they become are decoded, as Mermaid and the browser do when drawing.
 */
export function shownLines(text: string): string[] {
  return text.split('<br>').map((line) => {
    const html = line
      .replace(/\uFB02\u00B0\u00B0/g, '&#')
      .replace(/\uFB02\u00B0/g, '&')
      .replace(/\u00B6\u00DF/g, ';');
    const decoder = document.createElement('textarea');
    decoder.innerHTML = html;
    return decoder.value;
  });
}
