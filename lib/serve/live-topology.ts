// The topology kept current for the live page: one watch over every
// namespace, and topology() read again after its events. Events come in
// bursts (a veth pair is a dozen of them), so reads are coalesced: at most
// one per `coalesceMs` after an event, never two at once. A read that finds
// what the last one found (the canonical JSON is byte-stable) makes no new
// generation, so clients are told only of real changes.
import { EventEmitter } from 'node:events';
import { renderJson } from '../render/json';
import { renderSvg } from '../render/svg';
import { topology, type TopologyOptions } from '../topology/topology';
import type { Topology } from '../topology/model';
import { watch, type Watcher } from '../watch/watcher';

/** One state of the map, numbered; its SVG is drawn on first request. */
export interface Generation {
  /** Counts up from 1 with each change seen. */
  readonly number: number;
  readonly map: Topology;
  /** renderJson(map), parsed once (the canonical order, for clients). */
  readonly model: unknown;
  /** Set when this generation follows a watch resync (events were lost). */
  readonly afterResync: boolean;
}

export interface LiveTopologyOptions {
  /** What topology() maps (its options; `namespaces` is not for a live map of the host). */
  topology?: Omit<TopologyOptions, 'namespaces'>;
  /** The least time between an event and the read it causes, and between two reads, in ms (default 100). */
  coalesceMs?: number;
  /** The watch's event socket buffer (WatchOptions.receiveBufferSize); default: the system's. */
  receiveBufferSize?: number;
}

/**
 * Emits 'generation' (Generation) for each changed map, and 'error' (Error)
 * when a read fails (the last good generation stays).
 */
export class LiveTopology extends EventEmitter {
  readonly #options: Omit<TopologyOptions, 'namespaces'>;
  readonly #coalesceMs: number;
  readonly #watcher: Watcher;
  #current: Generation | undefined;
  #json = '';
  #svg: { number: number; text: Promise<string> } | undefined;
  #timer: NodeJS.Timeout | undefined;
  #reading = false;
  #dirty = false;
  #resyncPending = false;
  #closed = false;
  /** The watch is live: events from now on schedule reads (before, the first read covers them). */
  #started = false;
  /** Reads of the host made (for tests and stats). */
  reads = 0;
  /** Resolves with the first generation. */
  readonly first: Promise<Generation>;

  constructor(options: LiveTopologyOptions = {}) {
    super();
    this.#options = options.topology ?? {};
    this.#coalesceMs = options.coalesceMs ?? 100;
    this.first = new Promise((resolve) => this.once('generation', resolve));
    // Nothing here keeps the process alive on its own: the server does.
    this.#watcher = watch({ namespaces: 'all', receiveBufferSize: options.receiveBufferSize }).unref();
    this.#watcher.on('event', () => this.#schedule());
    this.#watcher.on('resync', () => {
      this.#resyncPending = true;
      this.#schedule();
    });
    this.#watcher.on('error', (error: Error) => this.#fail(error));
    // Subscribe, then read: a change made between the two is in the read or in an event after it.
    void this.#watcher.ready.then(() => {
      this.#started = true;
      this.#dirty = true;
      return this.#read();
    });
  }

  /** The latest generation, or undefined before the first read ends. */
  get current(): Generation | undefined {
    return this.#current;
  }

  /** The SVG of the latest generation (drawn once per generation). */
  svg(): Promise<{ number: number; text: string }> {
    return this.first.then(async () => {
      const current = this.#current!;
      if (this.#svg?.number !== current.number) {
        this.#svg = { number: current.number, text: renderSvg(current.map) };
      }
      return { number: current.number, text: await this.#svg.text };
    });
  }

  close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    return this.#watcher.close();
  }

  #schedule(): void {
    this.#dirty = true;
    if (this.#closed || this.#reading || this.#timer !== undefined || !this.#started) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#read();
    }, this.#coalesceMs);
  }

  async #read(): Promise<void> {
    if (this.#closed || !this.#dirty) return;
    this.#dirty = false;
    this.#reading = true;
    const afterResync = this.#resyncPending;
    this.#resyncPending = false;
    try {
      const map = await topology(this.#options);
      this.reads++;
      const json = renderJson(map);
      if (!this.#closed && (json !== this.#json || afterResync)) {
        this.#json = json;
        const number = (this.#current?.number ?? 0) + 1;
        this.#current = { number, map, model: JSON.parse(json), afterResync };
        this.emit('generation', this.#current);
      }
    } catch (error) {
      this.#fail(error as Error);
      // Try again (a namespace that went away mid-read, say); clients keep the last good map.
      this.#dirty = true;
    } finally {
      this.#reading = false;
    }
    // Events that came during the read: read again, after the pause.
    if (this.#dirty) this.#schedule();
  }

  #fail(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }
}
