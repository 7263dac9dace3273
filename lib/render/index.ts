// Pictures of a topology() map: pure functions from the model to text, with
// no I/O (but renderSvg, which loads Graphviz's WebAssembly on first use).
// One import for the command line and the library's public exports.
export { renderText, type TextOptions } from './text';
export { renderDot, type DotOptions } from './dot';
export { renderSvg, type SvgOptions } from './svg';
export { renderMermaid, type MermaidOptions } from './mermaid';
export { renderJson } from './json';
