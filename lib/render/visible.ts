// Names come from the host and are not to be trusted: a run-dir file name or a
// process's command line can hold any character. Before any renderer sees a
// string, control and format characters become visible escapes, so that no
// name can move a terminal's cursor, split a line of a picture, or hide text
// behind a bidi override or a zero-width character.

// Cc: C0/C1 controls and DEL; Cf: format (bidi, zero-width, BOM, soft hyphen);
// Zl/Zp: line and paragraph separators; Cs: lone surrogates (not valid UTF-8).
const HIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeHidden(char: string): string {
  const named = NAMED[char];
  if (named !== undefined) return named;
  const code = char.codePointAt(0) ?? 0;
  return `\\u{${code.toString(16).toUpperCase()}}`;
}

/** The string with every control or invisible character written as an escape (`\n`, `\u{202E}`). */
export function visibleText(text: string): string {
  return text.replace(HIDDEN, escapeHidden);
}

/** At most `max` characters (code points), with `…` when cut. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}
