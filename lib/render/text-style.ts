// Colours for the text tree, chosen as `ip -c` chooses them (interface names
// cyan, UP green, DOWN red, IPv4 magenta, IPv6 blue). Without colour every
// function returns its text unchanged, so plain output has no escape at all.

export interface Palette {
  heading(text: string): string;
  name(text: string): string;
  /** An operstate: UP green, DOWN red, anything else as ip leaves it, uncoloured. */
  state(text: string): string;
  address(text: string, family: 4 | 6): string;
  warning(text: string): string;
  error(text: string): string;
  /** Tree-drawing glyphs, dimmed. */
  tree(text: string): string;
}

const SGR = { bold: 1, dim: 2, red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36 } as const;

function sgr(code: number, text: string): string {
  return text.trim() === '' ? text : `\u001b[${code}m${text}\u001b[0m`;
}

const PLAIN: Palette = {
  heading: (text) => text,
  name: (text) => text,
  state: (text) => text,
  address: (text) => text,
  warning: (text) => text,
  error: (text) => text,
  tree: (text) => text,
};

const ANSI: Palette = {
  heading: (text) => sgr(SGR.bold, text),
  name: (text) => sgr(SGR.cyan, text),
  state: (text) => (text === 'UP' ? sgr(SGR.green, text) : text === 'DOWN' ? sgr(SGR.red, text) : text),
  address: (text, family) => sgr(family === 4 ? SGR.magenta : SGR.blue, text),
  warning: (text) => sgr(SGR.yellow, text),
  error: (text) => sgr(SGR.red, text),
  tree: (text) => sgr(SGR.dim, text),
};

export function paletteFor(color: boolean): Palette {
  return color ? ANSI : PLAIN;
}
