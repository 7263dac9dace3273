// watch(): one subscription to link, address, route, nsid and namespace
// events of one namespace, several, or all of them (DESIGN.md §8).
//
// One socket in the observer's namespace (the calling thread's) hears every
// watched namespace: each gets an nsid there ("auto") and the socket listens
// with NETLINK_LISTEN_ALL_NSID, rather than a socket per namespace, which
// would keep each one alive. Each namespace's model is filled by a dump made
// after the subscription (so nothing slips between), and kept current by
// the events. A dump is read through a socket inside the namespace, not on
// the event socket with IFLA_TARGET_NETNSID: such a dump numbers
// IFLA_LINK_NETNSID in the *observer's* table, while the namespace's own
// events number it in its own, and a model fed both would flip. Events
// carry whole objects, so events queued before a dump and read after it
// only repeat what the dump showed (and are then not reported again).
//
// Overruns (ENOBUFS) are reported, the socket is drained, every namespace
// is dumped again and the difference is reported as synthetic events,
// between 'resync' and 'synced'; a receive error never ends the watch.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { resolveRunDir } from '../named/run-dir';
import { type NamespaceInfo, listNamespaces } from '../proc/list-namespaces';
import { handleOn } from '../handle/net-namespace';
import { openNamespace } from '../proc/open-namespace';
import { addressDumpRequest } from '../rtnl/addr-codec';
import { NETNSA_NSID, RTM_DELNSID, RTM_NEWNSID } from '../rtnl/constants';
import { RTGENMSG } from '../rtnl/headers';
import { linkDumpRequest } from '../rtnl/link-codec';
import { routeDumpRequest } from '../rtnl/route-codec';
import { RtnlSocket } from '../rtnl/transport';
import { type NetlinkMessage, messageAttributes } from '../rtnl/wire';
import { EventQueue, type WatchItem } from './event-queue';
import { EventSocket, GROUPS } from './event-socket';
import { RunDirWatch } from './run-dir-watch';
import { WATCH_KINDS, type WatchEvent, type WatchKind, type WatchNotice, type WatchedNetns } from './events';
import { type ModelSnapshot, NamespaceModel, kindOf } from './namespace-model';
import { assignNsid } from './nsids';
import {
  type NamespaceRef,
  type OpenedTarget,
  type WatchTarget,
  assertTarget,
  openSocketNamespace,
  openTarget,
} from './targets';

export interface WatchOptions {
  /** 'current' (default): the calling thread's namespace; 'all': every one, also those made later; or a list. */
  namespaces?: 'current' | 'all' | readonly WatchTarget[];
  /** What to report (default: all kinds). Links are followed in any case (the other kinds are named by them). */
  kinds?: readonly WatchKind[];
  /** Report what exists first ('exists' events), then 'ready'. Default false ('ready' still comes). */
  listExisting?: boolean;
  /** SO_RCVBUF(FORCE) of the event socket, in bytes; the kernel doubles it. Default: the system's. */
  receiveBufferSize?: number;
  /** Closes the watch when aborted. */
  signal?: AbortSignal;
  /** The most events async iteration holds for a slow reader before it resyncs it (default 4096). */
  maxQueue?: number;
  /** 'all': how often to look for namespaces no event announced, in ms (default 2000; 0: never). */
  rescanInterval?: number;
}

export interface WatchStats {
  /** Events reported. */
  events: number;
  /** Times events were lost: the kernel's buffer (ENOBUFS) or the iteration queue overflowed. */
  overruns: number;
  /** Re-reads of every watched namespace after an overrun. */
  resyncs: number;
  /** The event socket's receive buffer as the kernel granted it (bytes). */
  receiveBufferSize: number;
}

/** One namespace followed, with its model and a way to get back into it. */
interface Followed {
  netns: WatchedNetns;
  model: NamespaceModel;
  observer: boolean;
  /** Opens it again (for a dump); undefined once nothing leads there. */
  reopen(): OpenedTarget | undefined;
}

const NSFS_MAGIC = 0x6e736673;

function assertOptions(options: unknown): asserts options is WatchOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  const { namespaces, kinds, receiveBufferSize, signal, maxQueue, rescanInterval, listExisting } =
    options as WatchOptions;
  if (namespaces !== undefined && namespaces !== 'current' && namespaces !== 'all') {
    if (!Array.isArray(namespaces)) throw new TypeError("namespaces must be 'current', 'all' or an array of targets");
    namespaces.forEach((target, index) => assertTarget(target, `namespaces[${index}]`));
  }
  if (kinds !== undefined) {
    if (!Array.isArray(kinds)) throw new TypeError('kinds must be an array');
    for (const kind of kinds) {
      if (!WATCH_KINDS.includes(kind)) {
        throw new TypeError(`kinds: unknown kind ${JSON.stringify(kind)} (one of ${WATCH_KINDS.join(', ')})`);
      }
    }
  }
  const positive = (value: unknown, what: string, min: number) => {
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isInteger(value)) throw new TypeError(`${what} must be an integer`);
    if (value < min || value > 2 ** 31 - 1) throw new RangeError(`${what} must be from ${min} to ${2 ** 31 - 1}`);
  };
  positive(receiveBufferSize, 'receiveBufferSize', 1);
  positive(maxQueue, 'maxQueue', 1);
  positive(rescanInterval, 'rescanInterval', 0);
  if (listExisting !== undefined && typeof listExisting !== 'boolean') {
    throw new TypeError('listExisting must be a boolean');
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError('signal must be an AbortSignal');
}

export class Watcher extends EventEmitter implements AsyncIterable<WatchItem>, AsyncDisposable {
  readonly stats: WatchStats;
  /** Resolves once what existed was listed (with listExisting) and the watch is live. */
  readonly ready: Promise<void>;
  readonly #kinds: Set<WatchKind>;
  readonly #mode: 'current' | 'all' | 'list';
  /** The observer's inode: the namespace the event socket was made in (the calling thread's). */
  readonly #observerIno: number;
  readonly #socket: EventSocket;
  readonly #followed = new Map<number, Followed>();
  readonly #byNsid = new Map<number, Followed>();
  #self: Followed | undefined;
  #queue: EventQueue | undefined;
  readonly #maxQueue: number;
  #started = false;
  #pending: WatchItem[] = [];
  #closed = false;
  #resyncing = false;
  #refed = true;
  #rescanTimer: NodeJS.Timeout | undefined;
  #periodic: NodeJS.Timeout | undefined;
  #runDirWatch: RunDirWatch | undefined;
  readonly #confirming = new Set<string>();
  /** nsids heard from but not found by a rescan (held by an fd only, say). */
  readonly #unresolved = new Set<number>();
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = () => void this.close();
  #closing: Promise<void> | undefined;

  constructor(options: WatchOptions = {}) {
    super();
    assertOptions(options);
    const namespaces = options.namespaces ?? 'current';
    this.#mode = namespaces === 'current' || namespaces === 'all' ? namespaces : 'list';
    this.#kinds = new Set(options.kinds ?? WATCH_KINDS);
    this.#maxQueue = options.maxQueue ?? 4096;
    this.#signal = options.signal;
    const groups: number[] = [...GROUPS.link, ...GROUPS.nsid];
    if (this.#kinds.has('address')) groups.push(...GROUPS.address);
    if (this.#kinds.has('route')) groups.push(...GROUPS.route);

    const opened: OpenedTarget[] = [];
    let socket: EventSocket | undefined;
    try {
      // Targets are opened before anything else happens, so a bad one changes nothing.
      if (Array.isArray(namespaces)) for (const target of namespaces) opened.push(openTarget(target));
      // Subscribed before anything is listed: nothing slips between.
      socket = new EventSocket(
        { groups, allNsid: this.#mode !== 'current', receiveBufferSize: options.receiveBufferSize },
        {
          datagram: (messages, nsid) => this.#datagram(messages, nsid),
          overrun: () => this.#overrun('overrun'),
          failure: (error) => this.#report(error),
        },
      );
      this.#socket = socket;
      const observer = openSocketNamespace(socket.fd);
      this.#observerIno = observer.ref.ino;
      observer.close();
      this.stats = { events: 0, overruns: 0, resyncs: 0, receiveBufferSize: socket.receiveBufferSize };
      const listed = options.listExisting === true;
      this.#followObserver(listed);
      if (this.#mode === 'all') this.#rescan(listed ? 'exists' : undefined);
      for (const [index, target] of opened.entries()) {
        const original = (namespaces as readonly WatchTarget[])[index] as WatchTarget;
        this.#followTarget(target.ref, original, listed);
      }
    } catch (error) {
      socket?.close();
      throw error;
    } finally {
      for (const target of opened) target.close();
    }
    if (this.#mode === 'all') this.#watchForNew(options.rescanInterval ?? 2000);
    if (this.#signal?.aborted) queueMicrotask(this.#onAbort);
    else this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
    let ready!: () => void;
    this.ready = new Promise((resolve) => (ready = resolve));
    // Listeners are attached after watch() returns: what was listed is reported on the next tick.
    process.nextTick(() => {
      this.#started = true;
      const pending = this.#pending;
      this.#pending = [];
      for (const item of pending) this.#dispatch(item);
      if (!this.#closed) this.emit('ready');
      ready();
    });
  }

  // ------------------------------------------------------------ following --

  #newFollowed(netns: WatchedNetns, observer: boolean, reopen: () => OpenedTarget | undefined): Followed {
    const followed: Followed = {
      netns,
      observer,
      reopen,
      model: new NamespaceModel(netns, (event) => this.#deliver(event)),
    };
    this.#followed.set(netns.ino, followed);
    if (netns.nsid !== undefined) this.#byNsid.set(netns.nsid, followed);
    return followed;
  }

  /** The observer, opened for one use through the event socket. */
  #openObserver = (): OpenedTarget | undefined => {
    if (this.#closed) return undefined;
    return openSocketNamespace(this.#socket.fd);
  };

  /** An rtnetlink socket in the observer (to assign nsids), for one use. */
  #assignNsid(ref: NamespaceRef): number {
    const observer = openSocketNamespace(this.#socket.fd);
    try {
      using socket = RtnlSocket.inside(observer.ref);
      return assignNsid(socket, ref, 'auto');
    } finally {
      observer.close();
    }
  }

  #followObserver(listed: boolean): void {
    if (this.#mode === 'list') return;
    const names = namesIn(this.#observerIno);
    const netns: WatchedNetns = { ino: this.#observerIno, ...(names[0] === undefined ? {} : { name: names[0] }) };
    this.#self = this.#newFollowed(netns, true, this.#openObserver);
    this.#deliver({ kind: 'namespace', action: 'exists', netns }, !listed);
    this.#dump(this.#self, true, !listed);
  }

  /** A target of the list: followed through its handle, or reopened by name, path or pid (checked by inode). */
  #followTarget(ref: NamespaceRef, original: WatchTarget, listed: boolean): void {
    if (this.#followed.has(ref.ino)) return;
    const { ino, dev } = ref;
    const reopen = (): OpenedTarget | undefined => {
      try {
        const again = openTarget(original);
        if (again.ref.ino === ino && again.ref.dev === dev) return again;
        again.close();
      } catch {
        // gone, or the name now leads elsewhere
      }
      return undefined;
    };
    const isObserver = ino === this.#observerIno;
    const name = ref.name ?? (typeof original === 'string' && !original.startsWith('/') ? original : namesIn(ino)[0]);
    const nsid = isObserver ? undefined : this.#assignNsid(ref);
    const netns: WatchedNetns = {
      ino,
      ...(name === undefined ? {} : { name }),
      ...(nsid === undefined ? {} : { nsid }),
    };
    const followed = this.#newFollowed(netns, isObserver, isObserver ? this.#openObserver : reopen);
    if (isObserver) this.#self = followed;
    this.#deliver({ kind: 'namespace', action: 'exists', netns }, !listed);
    this.#dump(followed, true, !listed);
  }

  /** 'all': a namespace found by a listing; `action` says how to report it (undefined: silently). */
  #followFound(info: NamespaceInfo, action: 'exists' | 'add' | undefined): void {
    if (this.#followed.has(info.ino)) return;
    let handle;
    try {
      handle = handleOn(openNamespace(info));
    } catch {
      return; // gone since it was listed
    }
    let followed: Followed;
    try {
      const nsid = this.#assignNsid(handle);
      const netns: WatchedNetns = {
        ino: info.ino,
        ...(info.names[0] === undefined ? {} : { name: info.names[0] }),
        nsid,
      };
      const reopen = (): OpenedTarget | undefined => {
        try {
          const again = handleOn(openNamespace(info));
          return { ref: again, close: () => again.close() };
        } catch {
          const now = listNamespaces({ nsid: false, owners: false }).find((other) => other.ino === info.ino);
          if (now === undefined) return undefined;
          Object.assign(info, now);
          try {
            const again = handleOn(openNamespace(now));
            return { ref: again, close: () => again.close() };
          } catch {
            return undefined;
          }
        }
      };
      followed = this.#newFollowed(netns, false, reopen);
      this.#deliver({ kind: 'namespace', action: action ?? 'exists', netns }, action === undefined);
    } catch (error) {
      this.#report(error as Error);
      return;
    } finally {
      handle.close();
    }
    this.#dump(followed, true, action === undefined);
  }

  /** Reads links, addresses and routes of a followed namespace into its model. */
  #dump(followed: Followed, first: boolean, silent = false): boolean {
    const opened = followed.reopen();
    if (opened === undefined) return false;
    let socket: RtnlSocket | undefined;
    try {
      socket = RtnlSocket.inside(opened.ref);
      const read = (what: string, build: (seq: number) => Buffer) => socket!.dump({ what }, build).messages;
      const links = read('RTM_GETLINK', (seq) => linkDumpRequest(seq));
      const withAddresses = this.#kinds.has('address');
      const withRoutes = this.#kinds.has('route');
      const addresses = withAddresses ? read('RTM_GETADDR', (seq) => addressDumpRequest(seq)) : [];
      const routes = withRoutes ? read('RTM_GETROUTE', (seq) => routeDumpRequest(seq)) : [];
      const { model } = followed;
      this.#silently(silent, () => {
        model.beginDump();
        for (const message of [...links, ...addresses, ...routes]) model.applyDumped(message, first);
        model.endDump({ links: true, addresses: withAddresses, routes: withRoutes });
      });
      return true;
    } catch (error) {
      this.#report(error as Error);
      return false;
    } finally {
      socket?.close();
      opened.close();
    }
  }

  #silent = false;

  #silently(silent: boolean, fn: () => void): void {
    const before = this.#silent;
    this.#silent = silent;
    try {
      fn();
    } finally {
      this.#silent = before;
    }
  }

  // -------------------------------------------------------------- events --

  #datagram(messages: NetlinkMessage[], nsid: number | undefined): void {
    const from = nsid === undefined ? this.#self : this.#byNsid.get(nsid);
    for (const message of messages) {
      if (message.type === RTM_NEWNSID || message.type === RTM_DELNSID) {
        this.#nsidMessage(message, from, nsid === undefined);
        continue;
      }
      if (kindOf(message.type) === undefined) continue;
      if (from === undefined) {
        // An nsid not followed (yet): look once, not on each of its events.
        if (this.#mode === 'all' && nsid !== undefined && !this.#unresolved.has(nsid)) {
          this.#unresolved.add(nsid);
          this.#scheduleRescan(0);
        }
        continue;
      }
      try {
        from.model.applyEvent(message);
      } catch (error) {
        this.#report(error as Error);
      }
    }
  }

  #nsidMessage(message: NetlinkMessage, from: Followed | undefined, inObserver: boolean): void {
    const id = messageAttributes(message, RTGENMSG, 'nsid').s32(NETNSA_NSID);
    if (id === undefined || id < 0) return;
    const added = message.type === RTM_NEWNSID;
    if (from !== undefined)
      this.#deliver({ kind: 'nsid', action: added ? 'add' : 'delete', netns: from.netns, nsid: id });
    if (!inObserver) return;
    this.#unresolved.delete(id);
    if (added) {
      if (this.#mode === 'all' && !this.#byNsid.has(id)) this.#scheduleRescan(0);
      return;
    }
    // The observer dropped an id: its namespace died (ids cannot be removed otherwise).
    const dead = this.#byNsid.get(id);
    if (dead === undefined) return;
    this.#byNsid.delete(id);
    this.#followed.delete(dead.netns.ino);
    dead.model.clear();
    this.#deliver({ kind: 'namespace', action: 'delete', netns: dead.netns });
  }

  #deliver(event: WatchEvent, silent = this.#silent): void {
    if (silent || this.#closed || !this.#kinds.has(event.kind)) return;
    this.stats.events++;
    if (!this.#started) this.#pending.push(event);
    else this.#dispatch(event);
  }

  #notice(notice: WatchNotice): void {
    if (!this.#started) this.#pending.push(notice);
    else this.#dispatch(notice);
  }

  #dispatch(item: WatchItem): void {
    if (this.#closed) return;
    if (item.kind === 'resync') this.emit('resync', { reason: item.reason });
    else if (item.kind === 'synced') this.emit('synced');
    else this.emit('event', item);
    this.#queue?.push(item);
  }

  #report(error: Error): void {
    if (this.#closed) return;
    // Reported to those who listen; never thrown into the loop: a watch goes on.
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  // ------------------------------------------------------------- overrun --

  #overrun(reason: 'overrun' | 'overflow'): void {
    this.stats.overruns++;
    if (this.#resyncing) return; // the resync in flight reads after this
    this.#resyncing = true;
    this.#notice({ kind: 'resync', reason });
    setImmediate(() => this.#resync());
  }

  #resync(): void {
    if (this.#closed) return;
    // Whatever is still queued is older than the dumps: read it first.
    this.#socket.drain();
    for (const followed of [...this.#followed.values()]) this.#dump(followed, false);
    this.stats.resyncs++;
    this.#resyncing = false;
    this.#notice({ kind: 'synced' });
  }

  // --------------------------------------------------- new namespaces ('all') --

  #watchForNew(interval: number): void {
    const runDir = resolveRunDir();
    this.#runDirWatch = new RunDirWatch(
      runDir,
      (file) => (file === undefined ? this.#scheduleRescan(0) : this.#confirmNsfs(path.join(runDir, file))),
      (error) => this.#report(error),
    );
    if (!this.#refed) this.#runDirWatch.unref();
    if (interval > 0) {
      this.#periodic = setInterval(() => this.#rescan('add'), interval);
      if (!this.#refed) this.#periodic.unref();
    }
  }

  /** The run dir's file appears before its bind mount does: wait (briefly) for nsfs, then look. */
  #confirmNsfs(file: string, tries = 40): void {
    if (this.#closed) return;
    let magic: number | undefined;
    try {
      magic = fs.statfsSync(file).type;
    } catch {
      return; // removed: a namespace's death comes as RTM_DELNSID
    }
    if (magic === NSFS_MAGIC) {
      this.#confirming.delete(file);
      this.#scheduleRescan(0);
    } else if (tries > 0) {
      this.#confirming.add(file);
      const timer = setTimeout(() => this.#confirmNsfs(file, tries - 1), 25);
      if (!this.#refed) timer.unref();
    } else {
      this.#confirming.delete(file);
    }
  }

  #scheduleRescan(delay: number): void {
    if (this.#rescanTimer !== undefined || this.#closed) return;
    this.#rescanTimer = setTimeout(() => {
      this.#rescanTimer = undefined;
      this.#rescan('add');
    }, delay);
    if (!this.#refed) this.#rescanTimer.unref();
  }

  #rescan(action: 'exists' | 'add' | undefined): void {
    if (this.#closed) return;
    let found: NamespaceInfo[];
    try {
      found = listNamespaces({ nsid: false, owners: false });
    } catch (error) {
      this.#report(error as Error);
      return;
    }
    for (const info of found) {
      if (info.ino === this.#observerIno) continue;
      const known = this.#followed.get(info.ino);
      if (known !== undefined) {
        if (known.netns.name === undefined && info.names[0] !== undefined) known.netns.name = info.names[0];
        continue;
      }
      this.#followFound(info, action);
    }
  }

  // ------------------------------------------------------------- control --

  /** What the watch holds now, per namespace (the model events were computed against). */
  snapshot(): Array<{ netns: WatchedNetns } & ModelSnapshot> {
    return [...this.#followed.values()].map(({ netns, model }) => ({ netns: { ...netns }, ...model.snapshot() }));
  }

  /** @internal The model of one followed namespace, by inode. */
  modelOf(ino: number): NamespaceModel | undefined {
    return this.#followed.get(ino)?.model;
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
    this.#refed = true;
    this.#socket.ref();
    this.#runDirWatch?.ref();
    this.#periodic?.ref();
    this.#rescanTimer?.ref();
    return this;
  }

  /** Lets Node exit while the watch is open. */
  unref(): this {
    this.#refed = false;
    this.#socket.unref();
    this.#runDirWatch?.unref();
    this.#periodic?.unref();
    this.#rescanTimer?.unref();
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
    clearInterval(this.#periodic);
    clearTimeout(this.#rescanTimer);
    this.#runDirWatch?.close();
    this.#queue?.end();
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
    if (this.#queue === undefined) {
      this.#queue = new EventQueue(this.#maxQueue, () => {
        this.stats.overruns++;
        return this.snapshot()
          .flatMap(({ netns, links, addresses, routes }) => [
            ...links.map((link): WatchEvent => ({ kind: 'link', action: 'exists', netns, link, synthetic: true })),
            ...addresses.map((address): WatchEvent => ({
              kind: 'address',
              action: 'exists',
              netns,
              address,
              synthetic: true,
            })),
            ...routes.map((route): WatchEvent => ({ kind: 'route', action: 'exists', netns, route, synthetic: true })),
          ])
          .filter((event) => this.#kinds.has(event.kind));
      });
      if (this.#closed) this.#queue.end();
    }
    const queue = this.#queue;
    return {
      next: () => queue.next(),
      return: async () => {
        await this.close();
        return { value: undefined, done: true };
      },
    };
  }
}

/** Run-dir names of a namespace, by inode (a stat each). */
function namesIn(ino: number): string[] {
  const runDir = resolveRunDir();
  let entries: string[];
  try {
    entries = fs.readdirSync(runDir);
  } catch {
    return [];
  }
  return entries.filter((entry) => {
    try {
      return fs.statSync(path.join(runDir, entry)).ino === ino;
    } catch {
      return false;
    }
  });
}

/** Starts a watch; see WatchOptions. */
export function watch(options: WatchOptions = {}): Watcher {
  return new Watcher(options);
}
