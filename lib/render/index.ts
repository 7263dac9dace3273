// Pictures of a topology() map: pure functions from the model to text, with
// no I/O. One import for the command line and the library's public exports.
export { renderText, type TextOptions } from './text';
export { renderDot, type DotOptions } from './dot';
export { renderMermaid, type MermaidOptions } from './mermaid';
export { renderJson } from './json';
