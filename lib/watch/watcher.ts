// watch(): one subscription to link, address, route, nsid and namespace
// events of one namespace, several, or all of them (DESIGN.md §8). This file
// is its lifecycle: what is opened and in which order, 'ready', ref/unref,
// close, async iteration. The parts: following.ts (the namespaces followed
// and their models), datagram-routing.ts (what each datagram means),
// namespace-discovery.ts ('all': namespaces no event announces), resync.ts
// (after an overrun), event-outlet.ts (where events go).
//
// One socket in the observer's namespace (the calling thread's) hears every
// watched namespace: each gets an nsid there ("auto") and the socket listens
// with NETLINK_LISTEN_ALL_NSID, rather than a socket per namespace, which
// would keep each one alive. Events carry whole objects, so events queued
// before a dump and read after it only repeat what the dump showed (and are
// then not reported again). A receive error never ends the watch.
import { EventEmitter } from 'node:events';
import { routeDatagram, type RoutingHooks } from './datagram-routing';
import type { WatchItem } from './event-queue';
import { EventOutlet, existingEvents } from './event-outlet';
import { EventSocket, GROUPS } from './event-socket';
import { WATCH_KINDS, type WatchKind, type WatchedNetns } from './events';
import { Following } from './following';
import { NamespaceDiscovery } from './namespace-discovery';
import type { ModelSnapshot, NamespaceModel } from './namespace-model';
import { Resync } from './resync';
import { type OpenedTarget, type WatchTarget, openSocketNamespace, openTarget } from './targets';
import { type WatchOptions, type WatchStats, assertWatchOptions } from './watch-options';

export class Watcher extends EventEmitter implements AsyncIterable<WatchItem>, AsyncDisposable {
  readonly stats: WatchStats;
  /** Resolves once what existed was listed (with listExisting) and the watch is live. */
  readonly ready: Promise<void>;
  readonly #socket: EventSocket;
  readonly #outlet: EventOutlet;
  readonly #following: Following;
  readonly #discovery: NamespaceDiscovery | undefined;
  readonly #routing: RoutingHooks;
  readonly #resync: Resync;
  readonly #maxQueue: number;
  #closed = false;
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = () => void this.close();
  #closing: Promise<void> | undefined;

  constructor(options: WatchOptions = {}) {
    super();
    assertWatchOptions(options);
    const namespaces = options.namespaces ?? 'current';
    const mode = namespaces === 'current' || namespaces === 'all' ? namespaces : 'list';
    const kinds = new Set<WatchKind>(options.kinds ?? WATCH_KINDS);
    this.#maxQueue = options.maxQueue ?? 4096;
    this.#signal = options.signal;
    const groups: number[] = [...GROUPS.link, ...GROUPS.nsid];
    if (kinds.has('address')) groups.push(...GROUPS.address);
    if (kinds.has('route')) groups.push(...GROUPS.route);

    const opened: OpenedTarget[] = [];
    let socket: EventSocket | undefined;
    try {
      // Targets are opened before anything else happens, so a bad one changes nothing.
      if (Array.isArray(namespaces)) for (const target of namespaces) opened.push(openTarget(target));
      // Subscribed before anything is listed: nothing slips between.
      socket = new EventSocket(
        { groups, allNsid: mode !== 'current', receiveBufferSize: options.receiveBufferSize },
        {
          datagram: (messages, nsid) => routeDatagram(messages, nsid, this.#routing),
          overrun: () => this.#resync.overrun('overrun'),
          failure: (error) => this.#outlet.report(error),
        },
      );
      this.#socket = socket;
      const observer = openSocketNamespace(socket.fd);
      const observerIno = observer.ref.ino;
      observer.close();
      this.stats = { events: 0, overruns: 0, resyncs: 0, receiveBufferSize: socket.receiveBufferSize };
      const outlet = new EventOutlet(this, kinds, this.stats);
      this.#outlet = outlet;
      const closed = () => this.#closed;
      const report = (error: Error) => outlet.report(error);
      const deliver = outlet.deliver.bind(outlet);
      const following = new Following({ socketFd: () => this.#socket.fd, observerIno, kinds, deliver, report, closed });
      this.#following = following;
      const discovery = mode === 'all' ? new NamespaceDiscovery({ observerIno, following, report, closed }) : undefined;
      this.#discovery = discovery;
      this.#routing = { following, discovery, deliver, report };
      this.#resync = new Resync({
        stats: this.stats,
        following,
        notice: (notice) => outlet.notice(notice),
        drain: () => this.#socket.drain(),
        closed,
      });
      const listed = options.listExisting === true;
      if (mode !== 'list') following.followObserver(listed);
      discovery?.rescan(listed ? 'exists' : undefined);
      for (const [index, target] of opened.entries()) {
        const original = (namespaces as readonly WatchTarget[])[index] as WatchTarget;
        following.followTarget(target.ref, original, listed);
      }
    } catch (error) {
      socket?.close();
      throw error;
    } finally {
      for (const target of opened) target.close();
    }
    this.#discovery?.start(options.rescanInterval ?? 2000);
    if (this.#signal?.aborted) queueMicrotask(this.#onAbort);
    else this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
    let ready!: () => void;
    this.ready = new Promise((resolve) => (ready = resolve));
    // Listeners are attached after watch() returns: what was listed is reported on the next tick.
    process.nextTick(() => {
      this.#outlet.start();
      if (!this.#closed) this.emit('ready');
      ready();
    });
  }

  /** What the watch holds now, per namespace (the model events were computed against). */
  snapshot(): Array<{ netns: WatchedNetns } & ModelSnapshot> {
    return this.#following.all().map(({ netns, model }) => ({ netns: { ...netns }, ...model.snapshot() }));
  }

  /** @internal The model of one followed namespace, by inode. */
  modelOf(ino: number): NamespaceModel | undefined {
    return this.#following.get(ino)?.model;
  }

  /** @internal For tests and benchmarks: stops reading the event socket until resume(). */
  pauseReading(): void {
    this.#socket.pause();
  }

  /** @internal */
  resumeReading(): void {
    this.#socket.resume();
  }

  /** Keeps Node running while the watch is open (the default). */
  ref(): this {
    this.#socket.ref();
    this.#discovery?.ref();
    return this;
  }

  /** Lets Node exit while the watch is open. */
  unref(): this {
    this.#socket.unref();
    this.#discovery?.unref();
    return this;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Ends the watch: its socket, timers and run-dir watch; iteration ends. Resolves once all are released. */
  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    this.#closed = true;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#socket.close();
    this.#discovery?.close();
    this.#outlet.close();
    // The fd watch's handle closes on the loop's close phase: resolve after it.
    this.#closing = new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
    void this.#closing.then(() => this.emit('close'));
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Events and resync notices, in order; a reader that falls maxQueue behind is resynced (see EventQueue). */
  [Symbol.asyncIterator](): AsyncIterator<WatchItem> {
    const queue = this.#outlet.queue(this.#maxQueue, () => existingEvents(this.snapshot()));
    return {
      next: () => queue.next(),
      return: async () => {
        await this.close();
        return { value: undefined, done: true };
      },
    };
  }
}

/** Starts a watch; see WatchOptions. */
export function watch(options: WatchOptions = {}): Watcher {
  return new Watcher(options);
}
