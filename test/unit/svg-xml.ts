// Reads an SVG as a browser does before drawing it: with a strict XML parser
// (jsdom's DOMParser; a test using this runs in vitest's jsdom environment),
// so an unescaped `<`, `&` or quote in a name fails here as it would there.
// The project has no DOM types: the little used is declared here.

export interface XmlElement {
  readonly tagName: string;
  readonly namespaceURI: string | null;
  readonly textContent: string | null;
  getAttribute(name: string): string | null;
  querySelectorAll(selector: string): ArrayLike<XmlElement>;
}

interface XmlDocument {
  readonly documentElement: XmlElement;
  getElementsByTagName(name: string): ArrayLike<XmlElement>;
}

type DomParserConstructor = new () => { parseFromString(text: string, type: string): XmlDocument };

export const SVG_NAMESPACE = 'http://www.w3.org/2000/svg';

/** The document's root element; throws with the parser's message if the text is not well-formed XML. */
export function parseSvg(text: string): XmlElement {
  const Parser = (globalThis as { DOMParser?: DomParserConstructor }).DOMParser;
  if (Parser === undefined) throw new Error('parseSvg needs the jsdom environment (// @vitest-environment jsdom)');
  const document = new Parser().parseFromString(text, 'image/svg+xml');
  const failure = document.getElementsByTagName('parsererror')[0];
  if (failure !== undefined) throw new Error(`not well-formed XML: ${failure.textContent}`);
  return document.documentElement;
}

export interface DrawnGraph {
  /** The `<title>` of each cluster, node and edge group, as the XML parser decoded it. */
  clusters: string[];
  nodes: string[];
  edges: string[];
  /** Every `<text>`, decoded: what a reader sees. */
  texts: string[];
}

/** What Graphviz drew, by the classes it gives its groups. */
export function drawnGraph(root: XmlElement): DrawnGraph {
  const titles = (kind: string): string[] =>
    Array.from(root.querySelectorAll(`g.${kind} > title`), (title) => title.textContent ?? '');
  // Graphviz keeps runs of spaces by writing every second one as a no-break space.
  const texts = Array.from(root.querySelectorAll('text'), (text) => (text.textContent ?? '').replace(/\u00a0/g, ' '));
  return { clusters: titles('cluster'), nodes: titles('node'), edges: titles('edge'), texts };
}
