// The nsfs file of a namespace that listNamespaces() found, through whatever
// holds it: a process (by pidfd), an nsfs mount, or another process's fd or
// socket. Each way may have gone stale since the listing (a pid that exited
// and was reused, a mount replaced), so the file's inode is checked every
// time. The handle layer wraps what this opens in a NetNamespace.
import fs from 'node:fs';
import { native } from '../binding';
import { NetnsError, errnoOf } from '../errors';
import { openNetnsOfPid } from '../nsfs/from-pid';
import { type NsfsFile, closeFd, openNetnsFile } from '../nsfs/nsfs-file';
import { openSocketNetns } from './fd-holders';
import type { NamespaceInfo } from './namespace-info';
import type { NetnsLinks } from './proc-dir';

/** An open namespace file, and the path it was opened by, where there is one. */
interface OpenedNamespace {
  file: NsfsFile;
  path?: string;
}

type Opener = () => OpenedNamespace;

const byPath = (path: string): OpenedNamespace => ({ file: openNetnsFile(path), path });

function throughSocket(pid: number, fd: number): OpenedNamespace {
  const raw = openSocketNetns(pid, fd);
  if (raw === undefined) {
    throw new NetnsError({
      errno: errnoOf('ENOENT'),
      syscall: 'pidfd_getfd',
      path: `/proc/${pid}/fd/${fd}`,
      description: 'the socket holding the namespace could not be reached',
    });
  }
  try {
    return byPath(`/proc/self/fd/${raw}`);
  } finally {
    native.close(raw);
  }
}

function openers(info: NamespaceInfo): Opener[] {
  return [
    ...info.pids.map((pid) => () => ({ file: openNetnsOfPid(pid) })),
    ...info.nsfs.map((mountPoint) => () => byPath(mountPoint)),
    ...info.heldBy.map(
      ({ pid, fd, via }) =>
        () =>
          via === 'nsfs' ? byPath(`/proc/${pid}/fd/${fd}`) : throughSocket(pid, fd),
    ),
  ];
}

/**
 * Opens the namespace `info` describes, trying each of its holders in turn.
 * Throws the last failure (EACCES, ESRCH, ...) when none of them leads there.
 */
export function openNamespace(info: NamespaceInfo): OpenedNamespace {
  let failure: unknown;
  for (const open of openers(info)) {
    let opened: OpenedNamespace;
    try {
      opened = open();
    } catch (error) {
      failure = error;
      continue;
    }
    if (opened.file.ino === info.ino) return opened;
    closeFd(opened.file.fd);
  }
  throw (
    failure ??
    new NetnsError({
      errno: errnoOf('ENOENT'),
      syscall: 'open',
      path: info.id,
      description: 'nothing that held this namespace when it was listed holds it now',
    })
  );
}

/**
 * An fd on the namespace `info` describes, for a question that needs the fd
 * only (its nsid, its owner): by its lowest pid's /proc/PID/ns/net, which the
 * fd's own link (`net:[INO]`, read through `links`) proves to be that
 * namespace still (two system calls, where the pidfd way above takes five and
 * an fstat); else through whatever else holds it, as openNamespace. Undefined
 * when nothing that held it holds it now.
 */
export function openFdOn(info: NamespaceInfo, links: NetnsLinks): number | undefined {
  if (info.pid !== undefined) {
    const fd = native.open(`/proc/${info.pid}/ns/net`, fs.constants.O_RDONLY);
    if (typeof fd === 'number') {
      if (links.inoOfFd(fd) === info.ino) return fd;
      native.close(fd);
    }
  }
  try {
    const { file } = openNamespace(info);
    return file.fd;
  } catch {
    return undefined; // it ended meanwhile: one entry must not fail the list
  }
}
