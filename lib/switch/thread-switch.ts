// Moves the calling thread between network namespaces and always back.
//
// setns(2) changes only the calling thread, and each thread has its own JS
// realm, so this module's state is per thread: the fd of the namespace the
// thread started in ("home") and a stack of the namespaces entered on top.
// Asking the kernel where the thread is (/proc/thread-self/ns/net) costs more
// than the two setns calls themselves, so the stack is the record.
//
// The way back must not depend on JavaScript being able to run: fn may have
// used up the stack (a RangeError can be thrown by any JS call then, but a
// call into the addon makes no stack check). So between the switch and the
// switch back there is no JS call outside a try, the record is restored by
// assignment, and only a kernel refusal takes the fatal path.
import fs from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import { type NativeFailure, native } from '../binding';
import { check, toNetnsError } from '../errors';
import { type NsfsFile, assertNetnsFd, openThreadNetns } from '../nsfs/nsfs-file';

const CLONE_NEWNET = native.constants.CLONE_NEWNET;

let homeFd = -1;
/** The namespaces entered, bottom first: entered[0 .. depth). Entries above depth are stale. */
const entered: number[] = [];
// Kept apart from the array so that it is restored by plain assignment: setting
// an array's length is a runtime call that cost as much as a setns.
let depth = 0;

// The home fd lives as long as the thread's JS environment. It is the addon's
// own fd, which the environment owns and closes at its end (a worker's end,
// terminate() too): node:fs would not close it, in a worker started with
// trackUnmanagedFds: false.
function openHome(): number {
  const fd = check(native.open('/proc/thread-self/ns/net', fs.constants.O_RDONLY));
  try {
    assertNetnsFd(fd, '/proc/thread-self/ns/net');
    check(native.ownFd(fd));
  } catch (error) {
    native.close(fd);
    throw error;
  }
  homeFd = fd;
  return fd;
}

/** The fd of the namespace this thread is in, as far as this library moved it. */
function currentFd(): number {
  if (depth > 0) return entered[depth - 1];
  return homeFd >= 0 ? homeFd : openHome();
}

/**
 * A thread stuck in a foreign namespace would open sockets and spawn children
 * there, silently. Nothing may run on it any more (like Go's pkg/ns, which
 * leaves the OS thread locked so the runtime kills it).
 */
function cannotSwitchBack(failure: NativeFailure): never {
  const reason = toNetnsError(failure) as Error;
  const ending = isMainThread ? 'aborting the process' : 'ending this worker thread';
  fs.writeSync(
    2,
    `netns-native: fatal: thread ${native.gettid()} could not switch ` +
      `back to its network namespace (${reason.message}); it must not run anything else: ${ending}\n`,
  );
  if (isMainThread) process.abort();
  // In a worker, reallyExit ends only this thread, without running 'exit'
  // handlers on it (process.exit would run them here, in the wrong namespace).
  const { reallyExit } = process as unknown as { reallyExit?: (code: number) => never };
  if (typeof reallyExit === 'function') reallyExit.call(process, 70);
  // The termination reallyExit asked for takes effect at the next JS call.
  process.exit(70);
  return native.abortStuckThread(failure.errno);
}

/**
 * Runs fn with the calling thread inside the namespace `fd` refers to and
 * switches back afterwards, whatever fn does (or, if the kernel refuses the
 * way back, lets the thread run nothing else). Throws before switching if
 * setns fails, so a failed entry changes nothing. The hot path of every
 * enter(): a setns there, fn, a setns back, and the record kept in between.
 */
export function runSwitched<T>(fd: number, fn: () => T): T {
  const below = depth;
  const origin = below > 0 ? entered[below - 1] : homeFd >= 0 ? homeFd : openHome();
  // From a successful switch to the try, no JS call: on an exhausted stack
  // any of them could throw with the thread already switched.
  const entry = native.setns(fd, CLONE_NEWNET);
  if (entry !== undefined) throw toNetnsError(entry);
  try {
    entered[below] = fd;
    depth = below + 1;
    return fn();
  } finally {
    depth = below;
    const failure = native.setns(origin, CLONE_NEWNET);
    if (failure !== undefined) {
      // Inline, not a helper: on an exhausted stack the call of a helper could throw first.
      try {
        cannotSwitchBack(failure);
      } catch {
        native.abortStuckThread(failure.errno); // JavaScript could not even say why
      }
    }
  }
}

/**
 * unshare(CLONE_NEWNET) on this thread, opens the new namespace, and returns
 * the thread to where it was: the new namespace lives only in the returned file's fd.
 */
export function unshareDetached(): NsfsFile {
  const origin = currentFd();
  const entry = native.unshare(CLONE_NEWNET);
  if (entry !== undefined) throw toNetnsError(entry);
  try {
    return openThreadNetns();
  } finally {
    const failure = native.setns(origin, CLONE_NEWNET);
    if (failure !== undefined) {
      // Inline, not a helper: on an exhausted stack the call of a helper could throw first.
      try {
        cannotSwitchBack(failure);
      } catch {
        native.abortStuckThread(failure.errno); // JavaScript could not even say why
      }
    }
  }
}
