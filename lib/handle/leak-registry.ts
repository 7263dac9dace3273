// A handle dropped without close() still gives its fd back, loudly.
import { type FdOpener, closeFd } from '../nsfs/nsfs-file';

interface Leak {
  fd: number;
  openedBy: FdOpener;
  id: string;
}

const leaks = new FinalizationRegistry<Leak>(({ fd, openedBy, id }) => {
  try {
    closeFd(fd, openedBy);
  } catch {
    // Already gone: nothing to give back.
  }
  process.emitWarning(
    `NetNamespace ${id} (fd ${fd}) was garbage-collected ` +
      'without close(); its fd was closed. Call close() or use `using`.',
    { code: 'NETNS_HANDLE_LEAK' },
  );
});

/** Closes `leak.fd` if `owner` is collected before forget(owner). */
export function watchForLeak(owner: object, leak: Leak): void {
  leaks.register(owner, leak, owner);
}

export function forget(owner: object): void {
  leaks.unregister(owner);
}
