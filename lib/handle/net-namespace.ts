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

export class NetNamespace implements Disposable {
  readonly dev: number;
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

  /** A namespace named in the run dir (ip netns). */
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
   * that exits (and may be reused) while we look is refused with ESRCH.
   */
  static fromPid(pid: number): NetNamespace {
    assertPid(pid);
    return NetNamespace.#adopt(openNetnsOfPid(pid));
  }

  /** A new, empty network namespace held only by this handle; the calling thread stays where it is. */
  static create(): NetNamespace {
    return NetNamespace.#adopt(unshareDetached());
  }

  /** ip netns add NAME: a new namespace bound to a name in the run dir. */
  static createNamed(name: string, options: RunDirOptions = {}): NetNamespace {
    return NetNamespace.#named(addNamed(name, options));
  }

  /**
   * ip netns attach NAME PID: names a running process's (or a handle's)
   * namespace. A pid is taken through a pidfd and bound from the held fd.
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

  /** ip netns delete NAME: removes the name; the namespace lives on while in use. */
  static delete(name: string, options: RunDirOptions = {}): void {
    deleteNamed(name, options);
  }

  /** The open close-on-exec fd; throws once the handle is closed. */
  get fd(): number {
    if (this.#closed) throw closedError(this);
    return this.#fd;
  }

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

  /** Runs the synchronous fn on this thread inside the namespace; see enterNetns. */
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
   * Starts a child process inside the namespace (`nsenter --net`). With
   * `mountNamespace: 'isolated'`, `ip netns exec` semantics: its own mount
   * namespace, a fresh /sys, and /etc/netns/NAME/* over /etc/*.
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

  /** A net.Server listening inside the namespace (default host 127.0.0.1, port 0). */
  listen(options: NsListenOptions = {}, connectionListener?: (socket: Socket) => void): Promise<Server> {
    return listenIn(this, options, connectionListener);
  }

  /** A net.Socket created inside the namespace and connecting there. */
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

  /** A net.* sysctl of this namespace (`net.ipv4.ip_forward` or `net/ipv4/ip_forward`). */
  sysctl(key: string): string {
    return readSysctl(this, key);
  }

  setSysctl(key: string, value: string | number): void {
    writeSysctl(this, key, value);
  }

  /** Its interfaces, as `ip -d link` shows them (read over rtnetlink from inside). */
  links(): Link[] {
    return readInside(this, readLinks);
  }

  /** Its IPv4 and IPv6 addresses, as `ip addr` shows them. */
  addresses(): Address[] {
    return readInside(this, (socket) => readAddresses(socket));
  }

  /** Its routes, as `ip route` shows them: the main table unless asked otherwise. */
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
   * arrives down and without addresses; a name taken there is EEXIST and the
   * link stays here. Returns where it is now.
   */
  moveLink(ifname: string, target: NetnsTarget, options: MoveLinkOptions = {}): LinkRef {
    assertMoveArguments(ifname, options);
    return withTarget(target, (to) => moveLinkInto(this, ifname, to, target, options));
  }

  /** `ip link set NAME [up|down] [mtu N] [name NEW] [master BR|nomaster]`, all or nothing. */
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

  /** `ip addr add CIDR dev NAME` ('10.0.0.1/24', 'fd00::1/64'). */
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
