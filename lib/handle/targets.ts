// The public functions that take a target (a handle, a run-dir name, an
// absolute path or `{ pid }`) rather than a handle: each opens what it was
// given, hands the layer below a NamespaceRef, and closes what it opened.
import { type PlacedEnd, assertEndSpec, createVethPair } from '../configure/veth';
import type { VethPair } from '../configure/model';
import type { RunDirOptions } from '../named/run-dir';
import { pidsIn } from '../proc/registry';
import { assertFunction } from '../validate';
import { NetNamespace, type NetnsTarget, handleOn } from './net-namespace';
import { openTarget } from './open-target';

export type { NetnsTarget };

/** @internal Opens (or passes through) the namespace a target designates; `owned` when opened for this call. */
export function resolveTarget(
  target: NetnsTarget,
  options: RunDirOptions = {},
): { namespace: NetNamespace; owned: boolean } {
  if (target instanceof NetNamespace) return { namespace: target, owned: false };
  return { namespace: handleOn(openTarget(target, options)), owned: true };
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

/**
 * Runs the synchronous `fn` on the calling thread inside the target network
 * namespace and returns its value. `target` is a {@link NetNamespace}, a name
 * in the run dir (`/run/netns/NAME`), an absolute path to an nsfs file
 * (`/proc/PID/ns/net`, a bind mount), or `{ pid }`.
 *
 * - The thread always switches back, also when `fn` throws, and also when `fn`
 *   has used up the JavaScript stack: between the switch and the switch back
 *   no JavaScript runs that could fail. Calls nest.
 * - An `async` function, or one that returns a promise, is refused with a
 *   `TypeError`: the thread switches back as soon as `fn` returns, so awaited
 *   work would run outside. Use the tools that place work inside by
 *   construction ({@link NetNamespace.spawn}, {@link NetNamespace.worker},
 *   {@link NetNamespace.listen}/{@link NetNamespace.connect}).
 * - Inside, only synchronous work follows the switch: `child_process.spawn`
 *   puts the child inside, `new Worker()` the worker thread,
 *   `os.networkInterfaces()` sees the inside; but `net.connect()` and
 *   `server.listen()` create their socket later, after the thread is back,
 *   outside. Async `fs` runs on the libuv threadpool, which this package
 *   starts at load, in the original namespace.
 * - If the kernel refuses the way back, the thread is not safe to run anything
 *   else: the process aborts with a message on stderr. In a worker thread,
 *   only that worker ends (exit code 70).
 * - A target given as a string or `{ pid }` is opened and closed for the call;
 *   keep a `NetNamespace` for repeated use.
 * - `enterNetns` keeps its own per-thread record of where the thread is
 *   (asking the kernel costs more than switching); calling `sys.setns`
 *   yourself bypasses that record.
 *
 * @example
 * ```js
 * const names = enterNetns('red', () => Object.keys(os.networkInterfaces()));
 * ```
 */
export function enterNetns<T>(target: NetnsTarget, fn: () => T): T {
  assertFunction(fn, 'fn');
  if (target instanceof NetNamespace) return target.enter(fn); // hot path: no closure
  return withTarget(target, (ns) => ns.enter(fn));
}

/**
 * `ip netns pids NAME`: the processes (thread-group leaders) in the namespace;
 * `target` as {@link enterNetns} takes it.
 */
export function pidsOf(target: NetnsTarget, options: RunDirOptions = {}): number[] {
  return withTarget(target, pidsIn, options);
}

/**
 * One end of the pair to create: its name, its namespace (default: the
 * calling thread's), and whether it is up. Any other key is refused
 * (TypeError), so that a misspelt one is not silently ignored.
 */
export interface VethEndSpec {
  /** Its name (1–15 bytes). */
  name: string;
  /** A handle, a run-dir name, an absolute path or `{ pid }`. */
  ns?: NetnsTarget;
  /**
   * Up when createVeth returns (`ip link add A up type veth peer …`). One end
   * is created up by the creating request itself; when both ends ask for it,
   * the second is set up by a request of its own (the kernel refuses to
   * create a veth peer up: ENOTCONN). Default false: the end arrives down.
   */
  up?: boolean;
}

/**
 * Creates a veth pair with each end directly in its namespace. Both ends
 * (names, `up`, and no key besides `name`, `ns` and `up`) are checked before
 * anything is opened; a name that exists already is EEXIST and nothing is
 * created; the calling thread never moves (a socket is made inside a
 * namespace only when neither end is in the caller's, or when the end that
 * is not asks to be `up`).
 *
 * `ip link add A type veth peer name B netns N`, with each end made straight
 * in its namespace: `ns` is a handle, a run-dir name, a path or `{ pid }`
 * (default the calling thread's). Returns `{ a, b }`, each
 * `{ ns: 'net:[INO]', ifindex, name }`. The pair arrives without addresses,
 * and down unless an end asks for `up: true` (then that end is up when the
 * call returns; if setting it up fails, the pair is deleted again).
 *
 * @example
 * ```js
 * const red = NetNamespace.createNamed('red');
 * createVeth({ name: 'eth0', ns: red, up: true }, { name: 'veth-red', up: true }); // peer: the caller's namespace
 * red.addAddress('eth0', '10.0.0.2/24');                       // or 'fd00::2/64'
 * red.setLink('eth0', { mtu: 1400 });
 * red.addRoute({ to: 'default', via: '10.0.0.1' });
 * ```
 */
export function createVeth(end: VethEndSpec, peer: VethEndSpec): VethPair {
  assertEndSpec(end, 'veth end');
  assertEndSpec(peer, 'veth peer');
  const ends: Array<PlacedEnd & { namespace: NetNamespace; owned: boolean }> = [];
  const place = (spec: VethEndSpec) => {
    const { namespace, owned } =
      spec.ns === undefined ? { namespace: NetNamespace.current(), owned: true } : resolveTarget(spec.ns);
    ends.push({ name: spec.name, target: spec.ns, namespace, owned, up: spec.up });
  };
  try {
    place(end);
    place(peer);
    return createVethPair(ends[0], ends[1]);
  } finally {
    for (const placed of ends) if (placed.owned) placed.namespace.close();
  }
}
