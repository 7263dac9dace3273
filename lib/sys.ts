// The raw system calls, one to one, for callers who want them. They throw
// NetnsError on failure and do no policy: sys.setns moves the calling thread
// without enterNetns knowing, so prefer enterNetns/NetNamespace.
import os from 'node:os';
import {
  type CloneSpec,
  type ClonedChild,
  type NativeBinding,
  type NativeConstants,
  type NativeFailure,
  native,
} from './binding';
import { check, failedWith } from './errors';
import { simulatedMissing } from './kernel-seam';

/** The native call with its failure thrown instead of returned. */
type Checked<F> = F extends (...args: infer A) => infer R ? (...args: A) => Exclude<R, NativeFailure> : never;

/** The native calls sys passes through as they are (checked). */
type PlainCall =
  | 'setns'
  | 'unshare'
  | 'umount2'
  | 'flock'
  | 'pidfdSendSignal'
  | 'pidfdGetNetNamespace'
  | 'pidfdGetfd'
  | 'nsGetNstype'
  | 'nsGetUserns'
  | 'nsGetParent'
  | 'nsGetOwnerUid'
  | 'close'
  | 'bind'
  | 'setsockoptInt'
  | 'send'
  | 'recv'
  | 'socketNetns'
  | 'pipe'
  | 'gettid';

/** Stops or keeps watching a child; see sys.waitPidfd. */
export interface PidfdWatcher {
  /** Keeps the event loop alive until the child exits (the default). */
  ref(): void;
  /** Lets the process exit while the child still runs. */
  unref(): void;
  /** Stops watching without reaping; the callback is not called. */
  stop(): void;
}

/**
 * Called once a child watched by `sys.waitPidfd` exits: `errno` when waiting
 * failed, else its exit `code` or the `signal` that ended it.
 */
export type ChildExitCallback = (errno: number | null, code: number | null, signal: NodeJS.Signals | null) => void;

/** The type of {@link sys}. */
export type Sys = { readonly [K in PlainCall]: Checked<NativeBinding[K]> } & {
  /** The kernel constants the calls take (`CLONE_NEWNET`, `MS_BIND`, `AF_NETLINK`, ...). */
  readonly constants: Readonly<NativeConstants>;
  /** mount(2); pass null for an unused source, fstype or data. */
  mount(source: string | null, target: string, fstype: string | null, flags: number, data?: string | null): void;
  /** pidfd_open(2); the fd is always close-on-exec. */
  pidfdOpen(pid: number, flags?: number): number;
  /** socket(2) on the calling thread, always SOCK_CLOEXEC; close with sys.close or hand to net/dgram. */
  socket(domain: number, type: number, protocol?: number): number;
  /**
   * clone3(2) a child that joins/creates namespaces (CLONE_NEW* flags only)
   * and runs mount steps, then execs `spec.file`; clone(2) with CLONE_PIDFD
   * where clone3 is refused. Returns its pid and a pidfd; a failing step or
   * exec throws (the child is reaped). Await the exit with waitPidfd.
   */
  clone(spec: CloneSpec): ClonedChild;
  /**
   * Calls back once the child exits and is reaped, from this thread's event
   * loop, which it keeps alive until then (see unref). Watches its own
   * duplicate of the fd: the caller may close `pidfd` right away. An fd that
   * is not a pidfd is refused at once (EBADF), with nothing kept.
   */
  waitPidfd(pidfd: number, callback: ChildExitCallback): PidfdWatcher;
};

const signalNames = new Map<number, NodeJS.Signals>(
  Object.entries(os.constants.signals).map(([name, number]) => [number, name as NodeJS.Signals]),
);

const copyArray = (value: unknown): unknown => (Array.isArray(value) ? Array.from(value as unknown[]) : value);

function plainStep(step: unknown): unknown {
  if (typeof step !== 'object' || step === null) return step;
  const { op, fd, flags, optional, source, target, fstype, mountFlags, data } = step as Record<string, unknown>;
  return { op, fd, flags, optional, source, target, fstype, mountFlags, data };
}

/**
 * A plain copy of the spec, read here in JavaScript: a getter or Proxy trap
 * that throws does so in JS, where the caller's try/catch is seen (thrown
 * under a native call, it would abort a process run with
 * --abort-on-uncaught-exception). The addon then checks every value.
 */
function plainSpec(spec: CloneSpec): CloneSpec {
  if (typeof spec !== 'object' || spec === null) throw new TypeError('spec must be an object');
  const { file, argv, envp, cwd, stdio, cloneFlags, steps } = spec;
  const copy = {
    file,
    argv: copyArray(argv),
    envp: copyArray(envp),
    cwd,
    stdio: copyArray(stdio),
    cloneFlags,
    steps: Array.isArray(steps) ? Array.from(steps as unknown[], plainStep) : steps,
  };
  return copy as CloneSpec;
}

/** clone3, or clone(CLONE_PIDFD) where clone3 is refused (seccomp, old kernels, valgrind). */
function clone(given: CloneSpec): ClonedChild {
  const spec = plainSpec(given);
  if (!simulatedMissing('clone3')) {
    const result = native.clone3(spec);
    if (!failedWith(result, 'ENOSYS')) return check(result);
  }
  return check(native.clone(spec));
}

function waitPidfd(pidfd: number, callback: ChildExitCallback): PidfdWatcher {
  if (typeof callback !== 'function') throw new TypeError('callback must be a function');
  const watch = check(
    native.watchPidfd((errno, code, signal) => {
      callback(errno, code, signal === null ? null : (signalNames.get(signal) ?? null));
    }),
  );
  check(watch.start(pidfd));
  return {
    ref: () => watch.ref(),
    unref: () => watch.unref(),
    stop: () => watch.stop(),
  };
}

// Four parameters cover every plain call; fixed arity (no rest/spread) keeps
// the wrapper as cheap as the call it wraps. Missing ones arrive undefined,
// which the addon refuses like any other wrong argument.
function checked<K extends PlainCall>(name: K): Checked<NativeBinding[K]> {
  const call = native[name] as (a?: unknown, b?: unknown, c?: unknown, d?: unknown) => unknown;
  return { [name]: (a?: unknown, b?: unknown, c?: unknown, d?: unknown) => check(call(a, b, c, d)) }[name] as Checked<
    NativeBinding[K]
  >;
}

const plainCalls: PlainCall[] = [
  'setns',
  'unshare',
  'umount2',
  'flock',
  'pidfdSendSignal',
  'pidfdGetNetNamespace',
  'pidfdGetfd',
  'nsGetNstype',
  'nsGetUserns',
  'nsGetParent',
  'nsGetOwnerUid',
  'close',
  'bind',
  'setsockoptInt',
  'send',
  'recv',
  'socketNetns',
  'pipe',
  'gettid',
];

/**
 * The raw system calls, one to one: `setns`, `unshare`, `clone`, `waitPidfd`,
 * `mount`, `umount2`, `flock`, `pidfdOpen`, `pidfdSendSignal`,
 * `pidfdGetNetNamespace`, `pidfdGetfd`, `nsGetNstype`, `nsGetUserns`,
 * `nsGetParent`, `nsGetOwnerUid`, `socket`, `bind`, `setsockoptInt`, `send`,
 * `recv`, `socketNetns` (`SIOCGSKNS`), `pipe`, `close`, `gettid`, and
 * `constants`. Each throws {@link NetnsError}; every fd they return is
 * close-on-exec.
 *
 * They apply no policy: `sys.setns` moves the calling thread without
 * {@link enterNetns} knowing, so prefer `enterNetns` and {@link NetNamespace}.
 * `sys.clone(spec)` takes namespace flags only (`CLONE_NEW*`: anything else
 * would share or corrupt this process's state), uses `clone3` and falls back
 * to `clone(CLONE_PIDFD)` where `clone3` is refused (Docker's seccomp
 * profile, valgrind); `sys.waitPidfd(pidfd, cb)` watches a duplicate of the
 * fd on the event loop and returns `{ ref, unref, stop }`.
 */
export const sys: Sys = Object.freeze({
  ...(Object.fromEntries(plainCalls.map((name) => [name, checked(name)])) as {
    [K in PlainCall]: Checked<NativeBinding[K]>;
  }),
  constants: Object.freeze({ ...native.constants }),
  mount: (source: string | null, target: string, fstype: string | null, flags: number, data: string | null = null) =>
    check(native.mount(source, target, fstype, flags, data)),
  pidfdOpen: (pid: number, flags = 0) => check(native.pidfdOpen(pid, flags)),
  socket: (domain: number, type: number, protocol = 0) => check(native.socket(domain, type, protocol)),
  clone,
  waitPidfd,
});
