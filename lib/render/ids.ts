// Identifiers for the pictures. Two kinds are handed out, both unique within
// one rendering:
// - keys: readable (`net:[4026531840]/eth0`, plotnetcfg's `ns/ifname` idea),
//   any characters; DOT quotes them, nothing else parses them.
// - slugs: `[A-Za-z0-9_]+` only, for formats such as Mermaid whose ids cannot
//   be quoted.
// Uniqueness is enforced here rather than assumed, because the model is input:
// two links may share a name, or a namespace id may contain a `/`.

/**
 * Starts that a slug must not have: a digit or nothing; `o`/`x` (Mermaid reads
 * `---o`/`---x` as edge heads); a keyword of Mermaid's flowchart grammar.
 */
const AWKWARD_START =
  /^(?:[0-9_ox]|$|end|graph|subgraph|flowchart|style|class|click|linkstyle|direction|default|call|href)/i;

export class IdAllocator {
  private readonly taken = new Set<string>();

  /**
   * `wanted` if free, else `wanted#2`, `wanted#3`, ...; with a `_` in front
   * when it starts with `%`, which Graphviz reserves for its anonymous objects
   * (it would replace the name by an internal `%N`).
   */
  key(wanted: string): string {
    const base = wanted.startsWith('%') ? `_${wanted}` : wanted;
    return this.claim(base, (n) => `${base}#${n}`);
  }

  /**
   * A Mermaid-safe id made from `hint`: every character outside
   * `[A-Za-z0-9_]` becomes `_`, a risky first character gets an `n_` prefix,
   * and a clash gets `_2`, `_3`, ...
   */
  slug(hint: string): string {
    let base = hint.replace(/[^A-Za-z0-9_]/g, '_');
    if (AWKWARD_START.test(base)) base = `n_${base}`;
    return this.claim(base, (n) => `${base}_${n}`);
  }

  private claim(wanted: string, variant: (n: number) => string): string {
    let candidate = wanted;
    for (let n = 2; this.taken.has(candidate); n++) candidate = variant(n);
    this.taken.add(candidate);
    return candidate;
  }
}

/** The number for a slug, when the model's number is a plain one; else undefined. */
export function slugNumber(value: number): string | undefined {
  return Number.isSafeInteger(value) && value >= 0 ? String(value) : undefined;
}
