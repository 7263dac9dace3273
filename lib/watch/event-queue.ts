// The queue behind a watch's async iteration: bounded, as fsPromises.watch's
// maxQueue. When the reader falls that far behind, what is queued is
// dropped and replaced by a resync: a 'resync' notice, the whole model as
// synthetic 'exists' events, then 'synced', so that the reader ends up with
// the right picture and knows it missed the way there.
import type { WatchEvent, WatchNotice } from './events';

export type WatchItem = WatchEvent | WatchNotice;

export class EventQueue implements AsyncIterator<WatchItem> {
  readonly #items: WatchItem[] = [];
  readonly #waiting: Array<(result: IteratorResult<WatchItem>) => void> = [];
  #ended = false;

  constructor(
    readonly maxQueue: number,
    /** Called on overflow: counts it and returns the model to re-list. */
    readonly onOverflow: () => WatchEvent[],
  ) {}

  push(item: WatchItem): void {
    if (this.#ended) return;
    const waiter = this.#waiting.shift();
    if (waiter !== undefined) {
      waiter({ value: item, done: false });
      return;
    }
    if (this.#items.length >= this.maxQueue) {
      this.#items.length = 0;
      this.#items.push({ kind: 'resync', reason: 'overflow' }, ...this.onOverflow(), { kind: 'synced' });
      return;
    }
    this.#items.push(item);
  }

  end(): void {
    this.#ended = true;
    this.#items.length = 0;
    for (const waiter of this.#waiting.splice(0)) waiter({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<WatchItem>> {
    const item = this.#items.shift();
    if (item !== undefined) return Promise.resolve({ value: item, done: false });
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.#waiting.push(resolve));
  }
}
