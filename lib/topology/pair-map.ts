// A map keyed by two numbers (an observer and a target inode, an ifindex and
// its peer's): a map of maps, where a "a>b" string key cost a concatenation
// and a hash on every lookup, hundreds of times a namespace in a map.

export class PairMap<V> {
  readonly #outer = new Map<number, Map<number, V>>();

  get(a: number, b: number): V | undefined {
    return this.#outer.get(a)?.get(b);
  }

  has(a: number, b: number): boolean {
    return this.#outer.get(a)?.has(b) ?? false;
  }

  /** Every value, grouped by `a` (in the order each `a` was first set), each group in the order first set. */
  *values(): IterableIterator<V> {
    for (const inner of this.#outer.values()) yield* inner.values();
  }

  set(a: number, b: number, value: V): void {
    let inner = this.#outer.get(a);
    if (inner === undefined) this.#outer.set(a, (inner = new Map()));
    inner.set(b, value);
  }
}
