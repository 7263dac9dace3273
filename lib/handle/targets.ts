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
 * Runs the synchronous fn on the calling thread inside the target network
 * namespace and returns its value. The thread always switches back, also when
 * fn throws; calls nest. A fn returning a promise is refused with a TypeError.
 * If the thread cannot switch back, the process aborts (a worker thread ends).
 */
export function enterNetns<T>(target: NetnsTarget, fn: () => T): T {
  assertFunction(fn, 'fn');
  if (target instanceof NetNamespace) return target.enter(fn); // hot path: no closure
  return withTarget(target, (ns) => ns.enter(fn));
}

/** ip netns pids NAME: the processes (thread-group leaders) in the namespace. */
export function pidsOf(target: NetnsTarget, options: RunDirOptions = {}): number[] {
  return withTarget(target, pidsIn, options);
}

/** One end of the pair to create: its name, and its namespace (default: the calling thread's). */
export interface VethEndSpec {
  name: string;
  /** A handle, a run-dir name, an absolute path or `{ pid }`. */
  ns?: NetnsTarget;
}

/**
 * Creates a veth pair with each end directly in its namespace. Both names
 * are checked before anything is opened; a name that exists already is
 * EEXIST and nothing is created; the calling thread never moves (a socket is
 * made inside a namespace only when neither end is in the caller's).
 */
export function createVeth(end: VethEndSpec, peer: VethEndSpec): VethPair {
  assertEndSpec(end, 'veth end');
  assertEndSpec(peer, 'veth peer');
  const ends: Array<PlacedEnd & { namespace: NetNamespace; owned: boolean }> = [];
  const place = (spec: VethEndSpec) => {
    const { namespace, owned } =
      spec.ns === undefined ? { namespace: NetNamespace.current(), owned: true } : resolveTarget(spec.ns);
    ends.push({ name: spec.name, target: spec.ns, namespace, owned });
  };
  try {
    place(end);
    place(peer);
    return createVethPair(ends[0], ends[1]);
  } finally {
    for (const placed of ends) if (placed.owned) placed.namespace.close();
  }
}
