// A value computed at most once, on first use (or computed elsewhere, in
// steps, and kept); a failure is kept and thrown again, so that one failing
// step is tried once and reported the same way.

export class Once<T> {
  #state?: { value: T } | { error: unknown };

  constructor(private readonly compute: () => T) {}

  /** One computed elsewhere (several asked together): its value, or its failure to throw again. */
  static settled<T>(state: { value: T } | { error: unknown }): Once<T> {
    const once = new Once<T>(() => {
      throw new Error('a settled Once is never computed');
    });
    once.#state = state;
    return once;
  }

  get(): T {
    this.#state ??= attempt(this.compute);
    if ('error' in this.#state) throw this.#state.error;
    return this.#state.value;
  }

  /** Whether it has its value or its failure (computed, or kept). */
  get done(): boolean {
    return this.#state !== undefined;
  }

  /** Keeps a value or failure computed elsewhere (in steps: see steps.ts), unless it has one already. */
  keep(state: { value: T } | { error: unknown }): void {
    this.#state ??= state;
  }

  /** The value if it was computed, without computing it. */
  peek(): T | undefined {
    return this.#state && 'value' in this.#state ? this.#state.value : undefined;
  }
}

function attempt<T>(compute: () => T): { value: T } | { error: unknown } {
  try {
    return { value: compute() };
  } catch (error) {
    return { error };
  }
}
