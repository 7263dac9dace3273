// enterNetns(target, fn): the one-call way to run synchronous work inside a
// namespace named by a handle, a run-dir name, an absolute path or a pid.
import { NetNamespace } from '../handle/net-namespace';
import type { RunDirOptions } from '../named/run-dir';
import { assertFunction } from '../validate';

export type NetnsTarget = NetNamespace | string | { pid: number };

export interface ResolvedTarget {
  namespace: NetNamespace;
  /** True when the namespace was opened for this call and must be closed after it. */
  owned: boolean;
}

/** Opens (or passes through) the namespace a target designates. */
export function resolveTarget(target: NetnsTarget, options: RunDirOptions = {}): ResolvedTarget {
  if (target instanceof NetNamespace) return { namespace: target, owned: false };
  if (typeof target === 'string') {
    const namespace = target.startsWith('/')
      ? NetNamespace.fromPath(target)
      : NetNamespace.fromName(target, options);
    return { namespace, owned: true };
  }
  if (typeof target === 'object' && target !== null && 'pid' in target) {
    return { namespace: NetNamespace.fromPid(target.pid), owned: true };
  }
  throw new TypeError('target must be a NetNamespace, a namespace name, an absolute ' +
    `path or { pid }, got ${target === null ? 'null' : typeof target}`);
}

/** Runs fn with the resolved namespace, closing it afterwards if it was opened for fn. */
export function withTarget<T>(target: NetnsTarget, fn: (ns: NetNamespace) => T,
  options: RunDirOptions = {}): T {
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
