// A handle on a namespace that listNamespaces() found, through whatever holds
// it: a process (by pidfd), an nsfs mount, or another process's fd or socket.
// Each way may have gone stale since the listing (a pid that exited and was
// reused, a mount replaced), so the handle's inode is checked every time.
import { native } from '../binding';
import { NetnsError, errnoOf } from '../errors';
import { NetNamespace } from '../handle/net-namespace';
import { openSocketNetns } from './fd-holders';
import type { NamespaceInfo } from './list-namespaces';

type Opener = () => NetNamespace;

function throughSocket(pid: number, fd: number): NetNamespace {
  const raw = openSocketNetns(pid, fd);
  if (raw === undefined) {
    throw new NetnsError({
      errno: errnoOf('ENOENT'),
      syscall: 'pidfd_getfd',
      path: `/proc/${pid}/fd/${fd}`,
      description: 'the socket holding the namespace could not be reached',
      hint: '',
    });
  }
  try {
    return NetNamespace.fromPath(`/proc/self/fd/${raw}`);
  } finally {
    native.close(raw);
  }
}

function openers(info: NamespaceInfo): Opener[] {
  return [
    ...info.pids.map((pid) => () => NetNamespace.fromPid(pid)),
    ...info.nsfs.map((mountPoint) => () => NetNamespace.fromPath(mountPoint)),
    ...info.heldBy.map(
      ({ pid, fd, via }) =>
        () =>
          via === 'nsfs' ? NetNamespace.fromPath(`/proc/${pid}/fd/${fd}`) : throughSocket(pid, fd),
    ),
  ];
}

/**
 * Opens the namespace `info` describes, trying each of its holders in turn.
 * Throws the last failure (EACCES, ESRCH, ...) when none of them leads there.
 */
export function openNamespace(info: NamespaceInfo): NetNamespace {
  let failure: unknown;
  for (const open of openers(info)) {
    let handle: NetNamespace;
    try {
      handle = open();
    } catch (error) {
      failure = error;
      continue;
    }
    if (handle.ino === info.ino) return handle;
    handle.close();
  }
  throw (
    failure ??
    new NetnsError({
      errno: errnoOf('ENOENT'),
      syscall: 'open',
      path: info.id,
      description: 'nothing that held this namespace when it was listed holds it now',
      hint: '',
    })
  );
}
