// Quoting for Graphviz DOT. Every id and attribute value is written as a
// quoted string, the one DOT form that can hold any text: inside it only `"`
// needs escaping, and `\` is doubled so that a name ending in `\` cannot
// escape the closing quote, and a name holding `\N` or `\G` is not read as
// one of the label escapes (Graphviz's escString) that expand to other text.
// `&` is written `&amp;` too: Graphviz decodes HTML entities in every label,
// so a name holding `&lt;` would otherwise be drawn as `<`; and its SVG keeps
// whatever looks like an entity in an id as it is, so an id holding `&foo;`
// or `&#0;` would otherwise make the SVG ill-formed XML (`<title>` shows ids).
import { visibleText } from './visible';

/** A string already quoted for DOT; the brand keeps unquoted text out of the output. */
export type DotQuoted = string & { readonly dotQuoted: unique symbol };

/** `text` as a DOT quoted string. Control characters are made visible, so no raw newline gets in. */
export function dotString(text: string): DotQuoted {
  return `"${escapeInQuotes(text)}"` as DotQuoted;
}

/**
 * A multi-line label: each line escaped, joined by DOT's centred line break
 * `\n`. An empty line is written as one space, which looks the same: Graphviz
 * 16.1 (its WebAssembly build, at least) may crash on a label that starts
 * with an empty line.
 */
export function dotLabel(lines: readonly string[]): DotQuoted {
  return `"${lines.map((line) => (line === '' ? ' ' : escapeInQuotes(line))).join('\\n')}"` as DotQuoted;
}

/** ` [name="value", ...]`, or nothing for no attributes. */
export function dotAttributes(attributes: Readonly<Record<string, DotQuoted | undefined>>): string {
  const pairs = Object.entries(attributes)
    .filter((entry): entry is [string, DotQuoted] => entry[1] !== undefined)
    .map(([name, value]) => `${name}=${value}`);
  return pairs.length === 0 ? '' : ` [${pairs.join(', ')}]`;
}

function escapeInQuotes(text: string): string {
  return visibleText(text).replace(/["\\&]/g, (char) => (char === '&' ? '&amp;' : `\\${char}`));
}
