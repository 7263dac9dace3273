// enterNetns(target, fn): the one-call way to run synchronous work inside a
// namespace named by a handle, a run-dir name, an absolute path or a pid.
import { NetNamespace, type NetnsTarget, withTarget } from '../handle/net-namespace';
import { assertFunction } from '../validate';

export type { NetnsTarget };

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
