// The handle: the NamespaceRef (lib/ref.ts) the layers below take. What can be
// done inside lives there as free functions, which verbs.ts installs as methods.
import { inspect } from 'node:util';
import type { LinkRef, MoveLinkOptions } from '../configure/model';
import { assertMoveArguments, moveLinkInto } from '../configure/move';
import { NetnsError, errnoOf } from '../errors';
import { type RunDirOptions, namedPath } from '../named/run-dir';
import { addNamed, attachNamed, attachNamedPid, deleteNamed, openNamed, wrapNamed } from '../named/verbs';
import { type NsfsFile, closeFd, isThreadIn, openNetnsFile } from '../nsfs/nsfs-file';
import type { NamespaceRef, Target } from '../ref';
import { assertSyncFunction, runSync } from '../switch/async-refusal';
import { unshareDetached } from '../switch/thread-switch';
import { releaseKept } from './kept';
import { forget, closeWhenAbandoned } from './leak-registry';
import type { NamespaceMethods } from './methods';
import { type OpenedFile, openPath, openPid, openTarget } from './open-target';
import { installVerbs } from './verbs';

const constructing = Symbol('NetNamespace.constructing');

/** @internal Wraps a verified nsfs file, opened by a layer below (proc/, named/), in a handle. */
export let handleOn: (opened: OpenedFile) => NetNamespace;

/**
 * A handle on a *network* namespace (checked with `NS_GET_NSTYPE`): one close-on-exec fd, which keeps it alive.
 * Closed, it throws `EBADF`; collected unclosed, it warns `NETNS_HANDLE_LEAK`; left open in a worker thread, it is
 * closed when the worker ends. Its methods: {@link NamespaceMethods}.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface below
export class NetNamespace implements NamespaceRef, Disposable {
  /** The nsfs device; with {@link NetNamespace.ino}, its identity. */
  readonly dev: number;
  /** The nsfs inode: `lsns`'s NS column, the number in `net:[INODE]`. */
  readonly ino: number;
  /** The file this handle was opened from, where there is one. */
  readonly path?: string;
  /** The run-dir name, for named namespaces. */
  readonly name?: string;
  #fd: number;
  #closed = false;
  #entered = 0;

  /** Use the static factories; the token refuses `new` from JavaScript too. */
  private constructor(token: typeof constructing, file: NsfsFile, origin: Omit<OpenedFile, 'file'> = {}) {
    if (token !== constructing) {
      throw new TypeError('use NetNamespace.current(), fromPath(), fromName(), fromPid() or create()');
    }
    this.#fd = file.fd;
    this.dev = file.dev;
    this.ino = file.ino;
    if (origin.path !== undefined) this.path = origin.path;
    if (origin.name !== undefined) this.name = origin.name;
    closeWhenAbandoned(this, { fd: file.fd, ino: file.ino });
  }

  static {
    handleOn = ({ file, path, name }) => new NetNamespace(constructing, file, { path, name });
  }

  /** The calling thread's network namespace (not necessarily the main thread's). */
  static current(): NetNamespace {
    return handleOn({ file: openNetnsFile('/proc/thread-self/ns/net') });
  }

  /** Any nsfs file of a network namespace: /proc/PID/ns/net, /run/netns/NAME, ... */
  static fromPath(path: string): NetNamespace {
    return handleOn(openPath(path));
  }

  /** `/run/netns/NAME` (`NETNS_RUN_DIR` or `options.runDir` override the run dir); unknown: `ENOENT`. */
  static fromName(name: string, options: RunDirOptions = {}): NetNamespace {
    return handleOn(openNamed(name, options));
  }

  /**
   * The namespace of a running process, taken through a pidfd so that a pid
   * that exits (or is a zombie, or is reused) while we look is refused with
   * `ESRCH`. On Linux 6.11+ the namespace comes straight from the pidfd.
   */
  static fromPid(pid: number): NetNamespace {
    return handleOn(openPid(pid));
  }

  /** A new, empty network namespace held only by this handle; the calling thread stays where it is. */
  static create(): NetNamespace {
    return handleOn({ file: unshareDetached() });
  }

  /** `ip netns add NAME`, as iproute2 does it; `EEXIST` for a name in use; a failure leaves nothing. */
  static createNamed(name: string, options: RunDirOptions = {}): NetNamespace {
    return wrapNamed(addNamed(name, options), handleOn);
  }

  /**
   * ip netns attach NAME PID: names a running process's (or a handle's)
   * namespace. A pid is taken through a pidfd and bound from the held fd. The
   * Docker fix: the name keeps a container's namespace, visible to `ip netns`.
   */
  static attach(name: string, pidOrHandle: number | NetNamespace, options: RunDirOptions = {}): NetNamespace {
    namedPath(name, options); // a bad name is refused before the pid is looked at
    if (pidOrHandle instanceof NetNamespace) return wrapNamed(attachNamed(name, pidOrHandle.fd, options), handleOn);
    return wrapNamed(attachNamedPid(name, pidOrHandle, options), handleOn);
  }

  /** `ip netns delete NAME`: removes the name (`ENOENT` if unknown); the namespace lives on while in use. */
  static delete(name: string, options: RunDirOptions = {}): void {
    deleteNamed(name, options);
  }

  /** The open close-on-exec fd; throws once the handle is closed. */
  get fd(): number {
    if (!this.#closed) return this.#fd;
    const description = `handle on ${this.id} is closed`;
    throw new NetnsError({ errno: errnoOf('EBADF'), syscall: 'NetNamespace', description });
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
    void this.fd; // throws once closed
    return isThreadIn(this);
  }

  /** Runs the synchronous fn on this thread inside the namespace: {@link enterNetns}`(this, fn)`. */
  enter<T>(fn: () => T): T {
    assertSyncFunction(fn);
    const fd = this.fd;
    this.#entered++;
    try {
      return runSync(fd, fn);
    } finally {
      this.#entered--;
      if (this.#closed && this.#entered === 0) this.#release();
    }
  }

  /**
   * `ip link set NAME netns TARGET [name NEW]`: it arrives down, without addresses; a name taken there
   * is `EEXIST`; a target that dies midway gets the move undone. Returns where it is.
   */
  moveLink(ifname: string, target: NetnsTarget, options: MoveLinkOptions = {}): LinkRef {
    assertMoveArguments(ifname, options);
    using opened = target instanceof NetNamespace ? undefined : handleOn(openTarget(target));
    return moveLinkInto(this, ifname, opened ?? (target as NetNamespace), target, options);
  }

  /** Closes the fd; idempotent. A running enter() on this handle defers it until that returns. */
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
    releaseKept(this); // its rtnetlink socket, say: see kept.ts
    closeFd(this.#fd);
    this.#fd = -1;
  }

  toString(): string {
    return `NetNamespace(${this.name ?? this.path ?? this.id})`;
  }

  [inspect.custom](): string {
    const known = [`id: '${this.id}'`, this.name && `name: '${this.name}'`, this.path && `path: '${this.path}'`];
    const fields = [...known, this.#closed ? 'closed' : `fd: ${this.#fd}`].filter(Boolean);
    return `NetNamespace { ${fields.join(', ')} }`;
  }
}

// The methods that act inside the namespace: typed by methods.ts, installed from verbs.ts.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface NetNamespace extends NamespaceMethods {}
installVerbs(NetNamespace.prototype);

/** A namespace as calls accept it: a handle, a run-dir name, an nsfs path or `{ pid }` (opened for the call). */
export type NetnsTarget = Target<NetNamespace>;
