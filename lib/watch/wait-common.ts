// What every wait shares: option checks, the timeout error carrying the last
// state seen, and the loop "check now, then on every event and after every
// resync" over a watch that is closed whatever the outcome.
import type { WatchEvent } from './events';

export class WaitTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(
    what: string,
    readonly timeout: number,
    /** The last state seen, as a sentence ("eth0 exists, down, no carrier"). */
    readonly lastState: string,
  ) {
    super(`timed out after ${timeout} ms waiting for ${what}: ${lastState}`);
    this.name = 'WaitTimeoutError';
  }
}

export function assertWaitOptions(options: unknown): asserts options is { timeout?: number; signal?: AbortSignal } {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  const { timeout, signal } = options as { timeout?: unknown; signal?: unknown };
  if (timeout !== undefined) {
    if (typeof timeout !== 'number' || Number.isNaN(timeout)) throw new TypeError('timeout must be a number (ms)');
    if (timeout < 0 || timeout > 2 ** 31 - 1) throw new RangeError(`timeout must be from 0 to ${2 ** 31 - 1} ms`);
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError('signal must be an AbortSignal');
}

/** A check's verdict: done with a value, failed, or not yet (undefined). */
export type Verdict<T> = { done: true; value: T } | { error: Error } | undefined;

/** A subscription: calls back on each 'event' (and 'synced' after a resync). */
interface Watched {
  on(event: 'event' | 'synced', listener: (event?: WatchEvent) => void): unknown;
  close(): Promise<void>;
}

export function settleWait<T>(
  watcher: Watched,
  options: { timeout?: number; signal?: AbortSignal },
  wait: { what: string; lastState: () => string; check: (event?: WatchEvent) => Verdict<T> },
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let finished = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (outcome: () => void) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      void watcher.close().then(outcome);
    };
    const onAbort = () => finish(() => reject(options.signal!.reason));
    const look = (event?: WatchEvent) => {
      if (finished) return;
      let verdict: Verdict<T>;
      try {
        verdict = wait.check(event);
      } catch (error) {
        finish(() => reject(error));
        return;
      }
      if (verdict === undefined) return;
      if ('error' in verdict) finish(() => reject(verdict.error));
      else finish(() => resolve(verdict.value));
    };
    if (options.signal?.aborted) {
      onAbort();
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.timeout !== undefined) {
      timer = setTimeout(() => {
        look(); // the state as it is now
        finish(() => reject(new WaitTimeoutError(wait.what, options.timeout!, wait.lastState())));
      }, options.timeout);
    }
    // The watch is subscribed and its model filled: look now, then on each change.
    look();
    watcher.on('event', look);
    watcher.on('synced', () => look());
  });
}
