// Fds that must not outlive the thread that holds them: a worker's heap is
// dropped when it ends (or is terminated) without running finalizers, so a
// handle it never closed would keep its namespace alive for the rest of the
// process. The addon closes the fds it opened and was told to own
// (native.ownFd): every handle's, so that it does not depend on Node closing
// node:fs's, which it does not in a worker started with trackUnmanagedFds:
// false.
import { native } from './binding';
import { check } from './errors';

/**
 * Has this thread's JS environment close `fd` (opened by the addon, closed
 * only by native.close) when it ends, unless it is closed before. If that
 * cannot be arranged (ENOMEM), `undo` runs (closing it) and the failure is thrown.
 */
export function closeOnThreadEnd(fd: number, undo: () => void): void {
  const owned = native.ownFd(fd);
  if (owned === undefined) return;
  undo();
  check(owned);
}
