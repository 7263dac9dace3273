// A handle dropped without close() still gives its fd back: loudly when it
// is collected, and silently when its thread ends first (see thread-end.ts).
import { closeFd } from '../nsfs/nsfs-file';
import { closeOnThreadEnd } from '../thread-end';

interface Leak {
  fd: number;
  /** The namespace's inode, for the warning (its id is built only then). */
  ino: number;
}

const leaks = new FinalizationRegistry<Leak>(({ fd, ino }) => {
  try {
    closeFd(fd);
  } catch {
    // Already gone: nothing to give back.
  }
  process.emitWarning(
    `NetNamespace net:[${ino}] (fd ${fd}) was garbage-collected ` +
      'without close(); its fd was closed. Call close() or use `using`.',
    { code: 'NETNS_HANDLE_LEAK' },
  );
});

/**
 * Closes `leak.fd` (the addon's) if `owner` is collected before
 * forget(owner), or when this thread ends first. If that cannot be arranged,
 * the fd is closed and the failure thrown.
 */
export function closeWhenAbandoned(owner: object, leak: Leak): void {
  closeOnThreadEnd(leak.fd, () => closeFd(leak.fd));
  leaks.register(owner, leak, owner);
}

export function forget(owner: object): void {
  leaks.unregister(owner);
}
