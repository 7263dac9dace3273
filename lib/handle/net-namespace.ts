// A handle on one network namespace: it owns one close-on-exec fd on an nsfs
// file, and the namespace stays alive at least as long as the handle is open.
// What can be done inside a namespace lives in its own modules (inside/,
// named/, rtnl/); the methods here are thin delegates to them, which import
// this class as a type only.
import type { ChildProcess } from 'node:child_process';
import type { Socket as DgramSocket } from 'node:dgram';
import fs from 'node:fs';
import { dirname } from 'node:path';
import type { Server, Socket } from 'node:net';
import { inspect } from 'node:util';
import type { Worker, WorkerOptions } from 'node:worker_threads';
import { NetnsError, errnoOf, rethrowing } from '../errors';
import { spawnIsolated } from '../inside/isolated-spawn';
import {
  type NsConnectOptions,
  type NsListenOptions,
  type NsUdpOptions,
  connectIn,
  listenIn,
  socketIn,
  udpSocketIn,
} from '../inside/sockets';
import { type NsSpawnOptions, spawnShared } from '../inside/spawn';
import { readSysctl, writeSysctl } from '../inside/sysctl';
import { workerIn } from '../inside/worker';
import { addAddressIn, deleteAddressIn } from '../configure/addresses';
import { createBridgeIn, deleteLinkIn } from '../configure/links';
import type { LinkRef, LinkSettings, MoveLinkOptions, RouteSpec } from '../configure/model';
import { assertMoveArguments, moveLinkInto } from '../configure/move';
import { addRouteIn } from '../configure/routes';
import { assertLinkSettings, setLinkIn } from '../configure/set-link';
import type { RunDirOptions } from '../named/run-dir';
import { namedPath } from '../named/run-dir';
import { type NamedFile, addNamed, attachNamed, deleteNamed } from '../named/verbs';
import type { Address, Link, Route, RouteQuery } from '../rtnl/model';
import { readAddresses, readInside, readLinks, readRoutes, selectRoutes } from '../rtnl/read';
import { asyncRefused, isAsyncFunction, isPromiseLike } from '../switch/async-refusal';
import { runSwitched, unshareDetached } from '../switch/thread-switch';
import { assertAbsolutePath, assertFunction, assertPid } from '../validate';
import { openNetnsOfPid } from './from-pid';
import { forget, watchForLeak } from './leak-registry';
import { type FdOpener, type NsfsFile, closeFd, openNetnsFile } from './nsfs-file';

const constructing = Symbol('NetNamespace.constructing');

interface Origin {
  path?: string;
  name?: string;
}

/**
 * A handle on one network namespace. It owns one close-on-exec fd on an nsfs
 * file, and the namespace lives at least as long as the handle is open. Every
 * file it opens is checked to be a *network* namespace (`NS_GET_NSTYPE`).
 *
 * Made by the static factories only: {@link NetNamespace.current},
 * {@link NetNamespace.fromPath}, {@link NetNamespace.fromName},
 * {@link NetNamespace.fromPid}, {@link NetNamespace.create}, and for named
 * namespaces (`ip netns` parity) {@link NetNamespace.createNamed} and
 * {@link NetNamespace.attach}.
 *
 * Using a closed handle throws `EBADF`. Closing a handle while an
 * {@link NetNamespace.enter} on it is running defers the close until that
 * `enter()` returns. A handle that is garbage-collected without `close()`
 * closes its fd and emits a `NETNS_HANDLE_LEAK` process warning;
 * `using ns = NetNamespace.create()` closes it at the end of the block.
 *
 * What it offers, by group:
 * - **Work inside, placed by construction**: `spawn`, `worker`, `listen`,
 *   `connect`, `udpSocket`, `socket`, `sysctl`/`setSysctl`. Each creates its
 *   process, thread or socket inside the namespace, so everything that
 *   follows happens there. What still happens outside: a hostname is resolved
 *   by `dns.lookup` on the libuv threadpool, in the original namespace, so
 *   `listen`/`connect` take IP addresses only.
 * - **Reading the network** over rtnetlink, from a socket made inside: `links`,
 *   `addresses`, `routes`; the calling thread never stays moved and no fd is
 *   left open.
 * - **Wiring**: `moveLink`, `setLink`, `deleteLink`, `createBridge`,
 *   `addAddress`/`deleteAddress`, `addRoute`. Names (1–15 bytes, no `/`, `:`,
 *   whitespace, not `.`/`..`), CIDRs (strict: v4 /0–32, v6 /0–128, no leading
 *   zeros or zones), routes and settings are checked before anything is
 *   opened. Every change happens whole or not at all, also where the kernel's
 *   own requests don't; a name in use is `EEXIST` and the existing link is
 *   untouched; an unknown link is `ENODEV` naming it. Errors carry the
 *   kernel's own message (`kernelMessage`) and the failed `step`.
 */
export class NetNamespace implements Disposable {
  /** The nsfs device of the namespace (with {@link NetNamespace.ino}, its identity). */
  readonly dev: number;
  /** The nsfs inode: `lsns`'s NS column, the number in `net:[INODE]`. */
  readonly ino: number;
  /** The file this handle was opened from, where there is one. */
  readonly path?: string;
  /** The run-dir name, for named namespaces. */
  readonly name?: string;
  #fd: number;
  readonly #openedBy: FdOpener;
  #closed = false;
  #entered = 0;

  /** Use the static factories; the token refuses `new` from JavaScript too. */
  private constructor(token: typeof constructing, file: NsfsFile, origin: Origin = {}) {
    if (token !== constructing) {
      throw new TypeError('use NetNamespace.current(), fromPath(), fromName(), fromPid() or create()');
    }
    this.#fd = file.fd;
    this.#openedBy = file.openedBy;
    this.dev = file.dev;
    this.ino = file.ino;
    if (origin.path !== undefined) this.path = origin.path;
    if (origin.name !== undefined) this.name = origin.name;
    watchForLeak(this, { fd: file.fd, openedBy: file.openedBy, id: this.id });
  }

  /** Wraps an already verified nsfs file. */
  static #adopt(file: NsfsFile, origin: Origin = {}): NetNamespace {
    return new NetNamespace(constructing, file, origin);
  }

  static #named({ file, path, name }: NamedFile): NetNamespace {
    return NetNamespace.#adopt(file, { path, name });
  }

  /** The calling thread's network namespace (not necessarily the main thread's). */
  static current(): NetNamespace {
    return NetNamespace.#adopt(openNetnsFile('/proc/thread-self/ns/net'));
  }

  /** Any nsfs file of a network namespace: /proc/PID/ns/net, /run/netns/NAME, ... */
  static fromPath(path: string): NetNamespace {
    assertAbsolutePath(path);
    return NetNamespace.#adopt(openNetnsFile(path), { path });
  }

  /**
   * A namespace named in the run dir: `/run/netns/NAME` (`ip netns exec NAME`,
   * to enter it). `NETNS_RUN_DIR` or `options.runDir` override the run dir;
   * an unknown name is `ENOENT` with a hint naming the run dir.
   */
  static fromName(name: string, options: RunDirOptions = {}): NetNamespace {
    const path = namedPath(name, options);
    let file: NsfsFile;
    try {
      file = openNetnsFile(path);
    } catch (error) {
      if (error instanceof NetnsError && error.code === 'ENOENT') {
        throw error.withHint(`no network namespace of that name in ${dirname(path)}`);
      }
      throw error;
    }
    return NetNamespace.#adopt(file, { path, name });
  }

  /**
   * The namespace of a running process, taken through a pidfd so that a pid
   * that exits (or is a zombie, or may be reused) while we look is refused
   * with `ESRCH`: a reused pid is never mistaken for it. On Linux 6.11+ the
   * namespace comes straight from the pidfd (`PIDFD_GET_NET_NAMESPACE`);
   * before, from `/proc/PID/ns/net`, checked against the pidfd afterwards.
   */
  static fromPid(pid: number): NetNamespace {
    assertPid(pid);
    return NetNamespace.#adopt(openNetnsOfPid(pid));
  }

  /** A new, empty network namespace held only by this handle; the calling thread stays where it is. */
  static create(): NetNamespace {
    return NetNamespace.#adopt(unshareDetached());
  }

  /**
   * `ip netns add NAME`: a new namespace bound to a name in the run dir,
   * exactly as iproute2 makes them (a file with the namespace bind-mounted
   * onto it): ours are seen by `ip netns`, and `ip netns add` ones by us.
   *
   * The run dir (`/run/netns`, or `/var/run/netns` where only that exists;
   * `NETNS_RUN_DIR` or `options.runDir` override it) is made a shared mount
   * of its own, under an `flock`, the way iproute2 does it: names are seen by
   * other mount namespaces, and concurrent first-time creators don't stack
   * mounts. Names follow iproute2's rules (not empty, at most 255 bytes, no
   * `/`, not `.` or `..`), checked before anything is touched. An existing
   * name is `EEXIST` and stays as it was. A failure halfway unmounts and
   * removes what was made.
   */
  static createNamed(name: string, options: RunDirOptions = {}): NetNamespace {
    return NetNamespace.#named(addNamed(name, options));
  }

  /**
   * `ip netns attach NAME PID`: names a running process's (or a handle's)
   * namespace. A pid is taken through a pidfd and bound from the held fd,
   * never by a path with a pid in it.
   *
   * The Docker fix: a container's namespace exists only at
   * `/proc/PID/ns/net`; `attach(name, pid)` binds it into the run dir so
   * `ip netns exec NAME ...` works, and the name keeps the namespace alive
   * after the process ends, until {@link NetNamespace.delete}. Same name rules
   * and all-or-nothing behaviour as {@link NetNamespace.createNamed}.
   */
  static attach(name: string, pidOrHandle: number | NetNamespace, options: RunDirOptions = {}): NetNamespace {
    namedPath(name, options); // a bad name is refused before the pid is looked at
    if (pidOrHandle instanceof NetNamespace) {
      return NetNamespace.#named(attachNamed(name, pidOrHandle.fd, options));
    }
    if (typeof pidOrHandle !== 'number') throw new TypeError('attach() takes a pid or a NetNamespace');
    assertPid(pidOrHandle);
    const held = openNetnsOfPid(pidOrHandle);
    try {
      return NetNamespace.#named(attachNamed(name, held.fd, options));
    } finally {
      closeFd(held.fd, held.openedBy);
    }
  }

  /**
   * `ip netns delete NAME`: removes the name; the namespace lives on while in
   * use. An unknown name is `ENOENT`; a file left without a mount is removed.
   */
  static delete(name: string, options: RunDirOptions = {}): void {
    deleteNamed(name, options);
  }

  /** The open close-on-exec fd; throws once the handle is closed. */
  get fd(): number {
    if (this.#closed) throw closedError(this);
    return this.#fd;
  }

  /** Whether {@link NetNamespace.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** `net:[INODE]`, as readlink /proc/PID/ns/net and lsns show it. */
  get id(): string {
    return `net:[${this.ino}]`;
  }

  /** Same namespace: same nsfs device and inode. */
  equals(other: NetNamespace): boolean {
    if (!(other instanceof NetNamespace)) throw new TypeError('equals() takes a NetNamespace');
    return this.dev === other.dev && this.ino === other.ino;
  }

  /** Whether the calling thread is in this namespace now (asks the kernel). */
  isCurrent(): boolean {
    if (this.#closed) throw closedError(this);
    const stat = rethrowing(() => fs.statSync('/proc/thread-self/ns/net'));
    return stat.dev === this.dev && stat.ino === this.ino;
  }

  /** Runs the synchronous fn on this thread inside the namespace: {@link enterNetns}`(this, fn)`. */
  enter<T>(fn: () => T): T {
    assertFunction(fn, 'fn');
    if (isAsyncFunction(fn)) throw asyncRefused();
    const fd = this.fd;
    this.#entered++;
    let result: T;
    try {
      result = runSwitched(fd, fn);
    } finally {
      this.#entered--;
      if (this.#closed && this.#entered === 0) this.#release();
    }
    if (isPromiseLike(result)) {
      // Refused, so nobody will await it: its rejection must not end the process.
      Promise.resolve(result).catch(() => {});
      throw asyncRefused();
    }
    return result;
  }

  /**
   * Starts a child process inside the namespace (`nsenter --net`); `options`
   * as `child_process.spawn`'s.
   *
   * With `mountNamespace: 'isolated'`, `ip netns exec` semantics: its own
   * mount namespace, `/` made a slave, a fresh `/sys` showing the namespace's
   * interfaces, and `/etc/netns/NAME/*` bound over `/etc/*`; stdio `'pipe'`,
   * `'inherit'` or `'ignore'`, `env`, `cwd`. The isolated child is started with
   * `sys.clone` (a multithreaded process cannot join a mount namespace
   * itself), and its exit is watched on the event loop through its pidfd (no
   * thread), so `unref()` works and the watch ends with the thread that
   * started it.
   */
  spawn(command: string, args: readonly string[] = [], options: NsSpawnOptions = {}): ChildProcess {
    const { mountNamespace = 'shared', ...spawnOptions } = options ?? {};
    if (mountNamespace === 'isolated') return spawnIsolated(this, command, args, spawnOptions);
    if (mountNamespace !== 'shared') {
      throw new TypeError(`mountNamespace must be 'shared' or 'isolated', got '${String(mountNamespace)}'`);
    }
    return spawnShared(this, command, args, spawnOptions);
  }

  /** A Worker whose thread, and every socket its event loop makes, lives in the namespace. */
  worker(filename: string | URL, options?: WorkerOptions): Worker {
    return workerIn(this, filename, options);
  }

  /**
   * A `net.Server` listening inside the namespace (default host 127.0.0.1,
   * port 0). IPv6 works, and a zone (`fe80::1%eth0`) is named inside the
   * namespace. IP addresses only: a hostname would be resolved outside.
   */
  listen(options: NsListenOptions = {}, connectionListener?: (socket: Socket) => void): Promise<Server> {
    return listenIn(this, options, connectionListener);
  }

  /** A `net.Socket` created inside the namespace and connecting there (IP addresses only). */
  connect(options: NsConnectOptions): Socket {
    return connectIn(this, options);
  }

  /** A UDP dgram.Socket created and bound inside the namespace. */
  udpSocket(options: NsUdpOptions = {}): Promise<DgramSocket> {
    return udpSocketIn(this, options);
  }

  /** socket(2) inside the namespace: a close-on-exec fd, yours to hand over or sys.close(). */
  socket(domain: number, type: number, protocol = 0): number {
    return socketIn(this, domain, type, protocol);
  }

  /** A `net.*` sysctl of this namespace (`net.ipv4.ip_forward` or `net/ipv4/ip_forward`); other keys are refused. */
  sysctl(key: string): string {
    return readSysctl(this, key);
  }

  /** Sets a `net.*` sysctl of this namespace (`net.ipv4.ip_forward`, `1`); other keys are refused. */
  setSysctl(key: string, value: string | number): void {
    writeSysctl(this, key, value);
  }

  /**
   * Its interfaces, as `ip -j -d link` shows them, field by field (read over
   * rtnetlink from inside). Dumps are read until `NLMSG_DONE`, in datagrams of
   * any size; one that raced a change (`NLM_F_DUMP_INTR`) is asked again, then
   * returned with a `NETNS_DUMP_INTERRUPTED` warning.
   */
  links(): Link[] {
    return readInside(this, readLinks);
  }

  /** Its IPv4 and IPv6 addresses, as `ip -j addr` shows them. */
  addresses(): Address[] {
    return readInside(this, (socket) => readAddresses(socket));
  }

  /**
   * Its routes, as `ip -j -d route` shows them: the main table unless asked
   * (`table: 'local' | 'all' | N`), both families unless `family: 4 | 6`.
   */
  routes(query: RouteQuery = {}): Route[] {
    const selection = selectRoutes(query); // refused before the namespace is entered
    return readInside(this, (socket) => readRoutes(socket, selection));
  }

  // Wiring (lib/configure): each change happens whole or not at all, names
  // and addresses are checked before anything is opened, errors carry the
  // kernel's own message, and the calling thread is never left moved.

  /**
   * `ip link set NAME netns TARGET [name NEW]`: moves a link into another
   * namespace (a handle, a run-dir name, an absolute path or `{ pid }`). It
   * arrives down and without addresses; a name taken there is `EEXIST` and the
   * link stays here (the new name is checked first). Returns where it is now.
   *
   * A target that died midway (its last process exited, its name was deleted
   * or re-pointed) gets the move undone rather than the link vanish with it.
   * A link moved back gets its name, ifindex, master, up state, addresses and
   * the routes straight out of it back (every table, replayed as
   * `ip route restore` does; not a multipath route or one through a nexthop
   * object); the kernel remakes its own routes.
   */
  moveLink(ifname: string, target: NetnsTarget, options: MoveLinkOptions = {}): LinkRef {
    assertMoveArguments(ifname, options);
    return withTarget(target, (to) => moveLinkInto(this, ifname, to, target, options));
  }

  /**
   * `ip link set NAME [up|down] [mtu N] [name NEW] [master BR|nomaster]`, all
   * or nothing: one change per request, and what was done is put back when a
   * later one fails (where `ip link set X mtu 1400 name TAKEN` keeps the mtu,
   * this does not). `master`: a bridge in the same namespace, or `null`
   * (`brctl addif` / `nomaster`); a refused new master leaves the port
   * detached.
   */
  setLink(ifname: string, settings: LinkSettings): void {
    assertLinkSettings(ifname, settings);
    setLinkIn(this, ifname, settings);
  }

  /** `ip link del NAME`; deleting one end of a veth pair deletes both. */
  deleteLink(ifname: string): void {
    deleteLinkIn(this, ifname);
  }

  /** `ip link add NAME type bridge`: a new bridge, down. */
  createBridge(name: string): LinkRef {
    return createBridgeIn(this, name);
  }

  /** `ip addr add CIDR dev NAME` ('10.0.0.1/24', 'fd00::1/64'), IPv4 and IPv6. */
  addAddress(ifname: string, cidr: string): void {
    addAddressIn(this, ifname, cidr);
  }

  /** `ip addr del CIDR dev NAME`. */
  deleteAddress(ifname: string, cidr: string): void {
    deleteAddressIn(this, ifname, cidr);
  }

  /** `ip route add TO [via GW] [dev NAME] [metric N]` (TO may be 'default'), IPv4 or IPv6. */
  addRoute(route: RouteSpec): void {
    addRouteIn(this, route);
  }

  /**
   * Closes the fd. Idempotent. Closing a handle that a running enter() on this
   * thread still needs defers the close until that enter() returns.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    forget(this);
    if (this.#entered === 0) this.#release();
  }

  /** {@link NetNamespace.close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  #release(): void {
    closeFd(this.#fd, this.#openedBy);
    this.#fd = -1;
  }

  toString(): string {
    return `NetNamespace(${this.name ?? this.path ?? this.id})`;
  }

  /** What `console.log` and `util.inspect` show: id, name, path, fd or closed. */
  [inspect.custom](): string {
    const fields = [`id: '${this.id}'`];
    if (this.name !== undefined) fields.push(`name: '${this.name}'`);
    if (this.path !== undefined) fields.push(`path: '${this.path}'`);
    fields.push(this.#closed ? 'closed' : `fd: ${this.#fd}`);
    return `NetNamespace { ${fields.join(', ')} }`;
  }
}

function closedError(ns: NetNamespace): NetnsError {
  return new NetnsError({
    errno: errnoOf('EBADF'),
    syscall: 'NetNamespace',
    description: `handle on ${ns.id} is closed`,
    hint: '',
  });
}

// Targets: what enterNetns and the functions that take "a namespace" accept.
// They live with the class, so that modules the class delegates to can take
// targets without importing the class back.

/**
 * A network namespace, as the calls that take one accept it: a
 * {@link NetNamespace} handle, a name in the run dir (`/run/netns/NAME`), an
 * absolute path to an nsfs file (`/proc/PID/ns/net`, a bind mount), or
 * `{ pid }` (taken through a pidfd). A string or `{ pid }` is opened and
 * closed for the call; keep a `NetNamespace` for repeated use.
 */
export type NetnsTarget = NetNamespace | string | { pid: number };

export interface ResolvedTarget {
  namespace: NetNamespace;
  /** True when the namespace was opened for this call and must be closed after it. */
  owned: boolean;
}

/** @internal Opens (or passes through) the namespace a target designates. */
export function resolveTarget(target: NetnsTarget, options: RunDirOptions = {}): ResolvedTarget {
  if (target instanceof NetNamespace) return { namespace: target, owned: false };
  if (typeof target === 'string') {
    const namespace = target.startsWith('/') ? NetNamespace.fromPath(target) : NetNamespace.fromName(target, options);
    return { namespace, owned: true };
  }
  if (typeof target === 'object' && target !== null && 'pid' in target) {
    return { namespace: NetNamespace.fromPid(target.pid), owned: true };
  }
  throw new TypeError(
    'target must be a NetNamespace, a namespace name, an absolute ' +
      `path or { pid }, got ${target === null ? 'null' : typeof target}`,
  );
}

/** @internal Runs fn with the resolved namespace, closing it afterwards if it was opened for fn. */
export function withTarget<T>(target: NetnsTarget, fn: (ns: NetNamespace) => T, options: RunDirOptions = {}): T {
  const { namespace, owned } = resolveTarget(target, options);
  try {
    return fn(namespace);
  } finally {
    if (owned) namespace.close();
  }
}
