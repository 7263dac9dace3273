// A value computed at most once, on first use; a failure is kept and thrown
// again, so that one failing step is tried once and reported the same way.
import type { Steps } from '../steps';

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

  /**
   * Computes it by `steps` (see steps.ts) unless it was computed already; a
   * failure is kept, as get() keeps one. Abandoned midway, it stays uncomputed.
   */
  *settleSteps(steps: () => Steps<T>): Steps<void> {
    if (this.#state !== undefined) return;
    try {
      this.#state = { value: yield* steps() };
    } catch (error) {
      this.#state = { error };
    }
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
