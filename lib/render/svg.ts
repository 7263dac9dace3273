// The topology as an SVG picture: the DOT output (dot.ts) laid out by
// Graphviz's dot, in-process, by Graphviz compiled to WebAssembly. No
// system graphviz is needed; the renderer package is loaded on first use.
import type { Topology } from '../topology/model';
import { renderDot, type DotOptions } from './dot';
import { runGraphviz } from './graphviz-wasm';

export type SvgOptions = DotOptions;

/**
 * A standalone SVG document (`<?xml ...?>`, then `<svg ...>`) of the topology,
 * drawn as renderDot's graph is by `dot -Tsvg`. Asynchronous because the first
 * call loads and compiles Graphviz's WebAssembly (later calls reuse it).
 *
 * Needs the optional dependency `@viz-js/viz`; when it is missing, rejects with
 * an Error whose code is 'NETNS_SVG_RENDERER_MISSING' and whose message says
 * how to install it.
 */
export async function renderSvg(topology: Topology, opts: SvgOptions = {}): Promise<string> {
  const result = await runGraphviz(renderDot(topology, opts), 'svg');
  if (result.status === 'failure') {
    // Our DOT is valid by construction: this is a bug, reported with Graphviz's words.
    throw new Error(`Graphviz could not draw the topology: ${result.errors.map((e) => e.message).join('; ')}`);
  }
  return result.output;
}
