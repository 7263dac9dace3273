// Long scans (every process, every namespace) written once as generators that
// yield between units of work, then run two ways: to the end at once (the
// synchronous API), or in slices that give the event loop a turn whenever a
// slice has run for a few milliseconds (the async API, which a server or a
// live view calls on a big host). Work stays on the main thread: moving it to
// the threadpool would fall into the trap of DESIGN.md §1.
import { setImmediate as turn } from 'node:timers/promises';

/** A scan that yields (nothing) between units of work and returns its result. */
export type Steps<T> = Generator<void, T, void>;

/** Runs a scan to its end without a pause. */
export function runAtOnce<T>(steps: Steps<T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/** How long a slice may keep the event loop: well under the 20 ms a user notices. */
const SLICE_MS = 5;

/** Runs a scan in slices of about `SLICE_MS`, letting the event loop run between them. */
export async function runSliced<T>(steps: Steps<T>, sliceMs = SLICE_MS): Promise<T> {
  let sliceEnd = performance.now() + sliceMs;
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    if (performance.now() < sliceEnd) continue;
    await turn();
    sliceEnd = performance.now() + sliceMs;
  }
}
