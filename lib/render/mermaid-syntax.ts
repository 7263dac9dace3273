// Quoting for Mermaid flowcharts. Ids cannot be quoted, so they are generated
// slugs (`[A-Za-z0-9_]`, see ids.ts); labels are always `"..."` strings, in
// which every ASCII character outside a small harmless set is written as a
// Mermaid entity code (`#34;`), which Mermaid turns into an HTML entity when
// it draws. Besides `"` (the end of the string) that covers:
// - `<` `>` `&`: labels may be drawn as HTML;
// - `#` `;`: an entity code of the name's own making;
// - `%` `{` `}` `'`: Mermaid looks for `%%{init: ...}%%` directives anywhere in
//   the text, quotes or not, and reads `'` as `"` there;
// - `:`, only in a label that holds "style" or "classDef": on such a line
//   Mermaid trims the last `;` off `style...:...#...;`, which would break our
//   own last entity code (elsewhere a colon stays readable: `fd00::1/64`);
// - `` ` ``: a label that starts with a backtick is Markdown;
// - spaces at either end of a line: Mermaid trims them.
// The four characters Mermaid uses internally to carry entity codes through
// its parser (`ﬂ°¶ß`) are encoded too, so a name cannot forge one.
import { visibleText } from './visible';

const HARMLESS = /[A-Za-z0-9 ._,/@()+=\-?![\]]/;
const PLACEHOLDER = /[\uFB02\u00B0\u00B6\u00DF]/;
/** The words of Mermaid's `;`-trimming rewrite (mermaidAPI encodeEntities). */
const TRIM_TRIGGER = /style|classDef/;

/**
 * One line of a label, entity-encoded for use between Mermaid's double quotes.
 * `encodeColons` for text that shares a line with "style" or "classDef".
 */
export function mermaidText(text: string, encodeColons = TRIM_TRIGGER.test(visibleText(text))): string {
  const chars = Array.from(visibleText(text));
  // Mermaid trims a label: spaces at either end are kept as codes.
  const inner = chars.map((char, i) => (char === ' ' ? -1 : i)).filter((i) => i >= 0);
  const atEdge = (i: number): boolean => inner.length === 0 || i < inner[0] || i > inner[inner.length - 1];
  return chars
    .map((char, i) => (needsCode(char, encodeColons, atEdge(i)) ? `#${char.codePointAt(0)};` : char))
    .join('');
}

function needsCode(char: string, encodeColons: boolean, atEdge: boolean): boolean {
  const nonAscii = (char.codePointAt(0) ?? 0) > 0x7f;
  if (nonAscii) return PLACEHOLDER.test(char);
  if (char === ':') return encodeColons;
  if (char === ' ') return atEdge;
  return !HARMLESS.test(char);
}

/**
 * A quoted label, lines joined by Mermaid's line break `<br>`; all on one line
 * of output. Never `""`: Mermaid's grammar refuses an empty string.
 */
export function mermaidLabel(lines: readonly string[]): string {
  const encodeColons = lines.some((line) => TRIM_TRIGGER.test(visibleText(line)));
  const text = lines.map((line) => mermaidText(line, encodeColons)).join('<br>');
  return `"${text === '' ? ' ' : text}"`;
}
