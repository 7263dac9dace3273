// Where a watch's events and notices go: counted, filtered by the kinds asked
// for, held until the caller could attach listeners (the tick after watch()
// returns), then emitted ('event', 'resync', 'synced') and queued for async
// iteration. Errors go to 'error' listeners only: a watch never throws into
// the loop.
import type { EventEmitter } from 'node:events';
import { EventQueue, type WatchItem } from './event-queue';
import type { WatchEvent, WatchKind, WatchNotice, WatchedNetns } from './events';
import type { ModelSnapshot } from './namespace-model';
import type { WatchStats } from './watch-options';

export class EventOutlet {
  readonly #emitter: EventEmitter;
  readonly #kinds: ReadonlySet<WatchKind>;
  readonly #stats: WatchStats;
  #started = false;
  #pending: WatchItem[] = [];
  #queue: EventQueue | undefined;
  #closed = false;

  constructor(emitter: EventEmitter, kinds: ReadonlySet<WatchKind>, stats: WatchStats) {
    this.#emitter = emitter;
    this.#kinds = kinds;
    this.#stats = stats;
  }

  /** Reports an event, if it is of a kind asked for. */
  deliver(event: WatchEvent): void {
    if (this.#closed || !this.#kinds.has(event.kind)) return;
    this.#stats.events++;
    if (!this.#started) this.#pending.push(event);
    else this.#dispatch(event);
  }

  /** Reports where a resync starts or ends. */
  notice(notice: WatchNotice): void {
    if (!this.#started) this.#pending.push(notice);
    else this.#dispatch(notice);
  }

  /** Listeners can be attached now: what was held goes out, in order. */
  start(): void {
    this.#started = true;
    const pending = this.#pending;
    this.#pending = [];
    for (const item of pending) this.#dispatch(item);
  }

  report(error: Error): void {
    if (this.#closed) return;
    // Reported to those who listen; never thrown into the loop: a watch goes on.
    if (this.#emitter.listenerCount('error') > 0) this.#emitter.emit('error', error);
  }

  /**
   * The queue async iteration reads, made on first use; a reader that falls
   * `maxQueue` behind is given `relist()` instead (see EventQueue), counted
   * as an overrun.
   */
  queue(maxQueue: number, relist: () => WatchEvent[]): EventQueue {
    if (this.#queue === undefined) {
      this.#queue = new EventQueue(maxQueue, () => {
        this.#stats.overruns++;
        return relist().filter((event) => this.#kinds.has(event.kind));
      });
      if (this.#closed) this.#queue.end();
    }
    return this.#queue;
  }

  /** Nothing goes out any more; iteration ends. */
  close(): void {
    this.#closed = true;
    this.#queue?.end();
  }

  #dispatch(item: WatchItem): void {
    if (this.#closed) return;
    if (item.kind === 'resync') this.#emitter.emit('resync', { reason: item.reason });
    else if (item.kind === 'synced') this.#emitter.emit('synced');
    else this.#emitter.emit('event', item);
    this.#queue?.push(item);
  }
}

/** What the models hold, as synthetic 'exists' events (a relisting for a reader that fell behind). */
export function existingEvents(snapshot: ReadonlyArray<{ netns: WatchedNetns } & ModelSnapshot>): WatchEvent[] {
  return snapshot.flatMap(({ netns, links, addresses, routes }) => [
    ...links.map((link): WatchEvent => ({ kind: 'link', action: 'exists', netns, link, synthetic: true })),
    ...addresses.map((address): WatchEvent => ({ kind: 'address', action: 'exists', netns, address, synthetic: true })),
    ...routes.map((route): WatchEvent => ({ kind: 'route', action: 'exists', netns, route, synthetic: true })),
  ]);
}
