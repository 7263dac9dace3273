// enterNetns runs synchronous work only: the thread switches back as soon as
// fn returns, so anything awaited would run in the original namespace.
import { assertFunction } from '../validate';
import { runSwitched } from './thread-switch';

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function asyncRefused(): TypeError {
  return new TypeError(
    'enterNetns runs synchronous functions only: the thread ' +
      'switches back as soon as fn returns, so awaited work would run in the ' +
      'original namespace. For async work use ns.spawn(), ns.worker(), ' +
      'ns.listen()/ns.connect() or ns.socket(), which are placed in the namespace ' +
      'by construction.',
  );
}

/** Refuses what is not a function, and an async function, before anything is switched. */
export function assertSyncFunction(fn: unknown): asserts fn is () => unknown {
  assertFunction(fn, 'fn');
  if (fn.constructor?.name === 'AsyncFunction') throw asyncRefused();
}

/** runSwitched for a synchronous fn: a promise it returns anyway is refused. */
export function runSync<T>(fd: number, fn: () => T): T {
  const result = runSwitched(fd, fn);
  if (isPromiseLike(result)) {
    // Refused, so nobody will await it: its rejection must not end the process.
    Promise.resolve(result).catch(() => {});
    throw asyncRefused();
  }
  return result;
}
