// Fds that must not outlive the thread that holds them: a worker's heap is
// dropped when it ends (or is terminated) without running finalizers, so a
// handle it never closed would keep its namespace alive for the rest of the
// process. Node closes the fds node:fs opened in a worker then; the addon
// closes the ones it opened and was told to own (native.ownFd).
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
