// enterNetns(target, fn): the one-call way to run synchronous work inside a
// namespace named by a handle, a run-dir name, an absolute path or a pid.
import { NetNamespace, type NetnsTarget, withTarget } from '../handle/net-namespace';
import { assertFunction } from '../validate';

export type { NetnsTarget };

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
