// Moves the calling thread between network namespaces and always back.
//
// setns(2) changes only the calling thread, and each thread has its own JS
// realm, so this module's state is per thread: the fd of the namespace the
// thread started in ("home") and a stack of the namespaces entered on top.
// Asking the kernel where the thread is (/proc/thread-self/ns/net) costs more
// than the two setns calls themselves, so the stack is the record.
import fs from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import { native } from './binding';
import { toNetnsError } from './errors';
import { type NsfsFile, assertNetnsFd, openNetnsFile } from './nsfs-file';

const CLONE_NEWNET = native.constants.CLONE_NEWNET;

let homeFd = -1;
const entered: number[] = [];

// The home fd lives as long as the thread's JS environment. It is the addon's
// own fd, closed by the addon at teardown (a worker's end, terminate() too):
// node:fs would not close it, in a worker started with trackUnmanagedFds: false.
function openHome(): number {
  const fd = native.open('/proc/thread-self/ns/net', fs.constants.O_RDONLY);
  try {
    assertNetnsFd(fd, '/proc/thread-self/ns/net');
    native.closeOnEnvTeardown(fd);
  } catch (error) {
    native.close(fd);
    throw toNetnsError(error);
  }
  homeFd = fd;
  return fd;
}

/** The fd of the namespace this thread is in, as far as this library moved it. */
function currentFd(): number {
  const depth = entered.length;
  if (depth > 0) return entered[depth - 1];
  return homeFd >= 0 ? homeFd : openHome();
}

/** Nesting depth of enterNetns on this thread (0 when at home). */
export function switchDepth(): number {
  return entered.length;
}

/**
 * A thread stuck in a foreign namespace would open sockets and spawn children
 * there, silently. Nothing may run on it any more (like Go's pkg/ns, which
 * leaves the OS thread locked so the runtime kills it).
 */
function cannotSwitchBack(error: unknown): never {
  const reason = error instanceof Error ? error.message : String(error);
  const ending = isMainThread ? 'aborting the process' : 'ending this worker thread';
  fs.writeSync(2, `netns-native: fatal: thread ${native.gettid()} could not switch ` +
    `back to its network namespace (${reason}); it must not run anything else: ${ending}\n`);
  if (isMainThread) process.abort();
  // In a worker, reallyExit ends only this thread, without running 'exit'
  // handlers on it (process.exit would run them here, in the wrong namespace).
  const { reallyExit } = process as unknown as { reallyExit?: (code: number) => never };
  if (typeof reallyExit === 'function') reallyExit.call(process, 70);
  process.exit(70);
  throw new Error('unreachable: thread should have ended');
}

/**
 * Runs fn with the calling thread inside the namespace `fd` refers to and
 * switches back afterwards, whatever fn does. Throws before switching if
 * setns fails, so a failed entry changes nothing.
 */
export function runSwitched<T>(fd: number, fn: () => T): T {
  const origin = currentFd();
  try {
    native.setns(fd, CLONE_NEWNET);
  } catch (error) {
    throw toNetnsError(error);
  }
  entered.push(fd);
  try {
    return fn();
  } finally {
    entered.pop();
    try {
      native.setns(origin, CLONE_NEWNET);
    } catch (error) {
      cannotSwitchBack(error);
    }
  }
}

/**
 * unshare(CLONE_NEWNET) on this thread, opens the new namespace, and returns
 * the thread to where it was: the new namespace lives only in the returned file's fd.
 */
export function unshareDetached(): NsfsFile {
  const origin = currentFd();
  try {
    native.unshare(CLONE_NEWNET);
  } catch (error) {
    throw toNetnsError(error);
  }
  try {
    return openNetnsFile('/proc/thread-self/ns/net');
  } finally {
    try {
      native.setns(origin, CLONE_NEWNET);
    } catch (error) {
      cannotSwitchBack(error);
    }
  }
}
