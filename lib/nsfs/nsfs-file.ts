// Opening a file that must be a network namespace: stat first so that FIFOs,
// devices and directories are refused without being opened, open close-on-exec,
// then prove with fstat and NS_GET_NSTYPE that the fd is an nsfs net namespace.
import fs from 'node:fs';
import { native } from '../binding';
import { NetnsError, check, errnoOf, failedWith } from '../errors';
import { fstatIdentity, isDirectory, isRegularFile, statIdentity } from './file-identity';

/**
 * An open namespace file and its identity. The fd is the addon's (opened
 * through native.open, closed through closeFd): a handle can then have it
 * closed at its thread's end (native.ownFd), which node:fs's fds are not in a
 * worker started with trackUnmanagedFds: false.
 */
export interface NsfsFile {
  fd: number;
  dev: number;
  ino: number;
}

export function closeFd(fd: number): void {
  check(native.close(fd));
}

const nstypeNames = new Map<number, string>([
  [native.constants.CLONE_NEWNS, 'mnt'],
  [native.constants.CLONE_NEWUTS, 'uts'],
  [native.constants.CLONE_NEWIPC, 'ipc'],
  [native.constants.CLONE_NEWPID, 'pid'],
  [native.constants.CLONE_NEWUSER, 'user'],
  [native.constants.CLONE_NEWCGROUP, 'cgroup'],
  [native.constants.CLONE_NEWTIME, 'time'],
]);

// O_NONBLOCK: opening a FIFO that raced in after the stat must not hang.
const OPEN_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NOCTTY | fs.constants.O_NONBLOCK;

function notNetns(path: string, what: string): NetnsError {
  return new NetnsError({
    errno: errnoOf('EINVAL'),
    syscall: 'open',
    path,
    description: `not a network namespace (${what})`,
  });
}

/** Throws unless `fd` is an nsfs file of a network namespace. */
export function assertNetnsFd(fd: number, path: string): void {
  const result = native.nsGetNstype(fd);
  if (failedWith(result, 'ENOTTY', 'EINVAL')) throw notNetns(path, 'not an nsfs file');
  const nstype = check(result, path);
  if (nstype !== native.constants.CLONE_NEWNET) {
    throw notNetns(path, `${nstypeNames.get(nstype) ?? 'other'} namespace`);
  }
}

/** Describes an already-open fd that must be a network namespace. */
export function describeNetnsFd(fd: number, path: string): NsfsFile {
  assertNetnsFd(fd, path);
  const { dev, ino } = fstatIdentity(fd, path);
  return { fd, dev, ino };
}

export function openNetnsFile(path: string): NsfsFile {
  // The addon's statx, as file-identity's other lookups (no Stats, no Dates).
  const { mode } = statIdentity(path);
  if (isDirectory(mode)) {
    throw new NetnsError({ errno: errnoOf('EISDIR'), syscall: 'open', path });
  }
  if (!isRegularFile(mode)) throw notNetns(path, 'not a regular nsfs file');
  const fd = check(native.open(path, OPEN_FLAGS), path);
  try {
    return describeNetnsFd(fd, path);
  } catch (error) {
    native.close(fd);
    throw error;
  }
}

/**
 * The calling thread's own network namespace, opened: /proc/thread-self/ns/net
 * is one by construction, so the checks openNetnsFile makes of a path it is
 * given (a stat first, NS_GET_NSTYPE after) are left out.
 */
export function openThreadNetns(): NsfsFile {
  const path = '/proc/thread-self/ns/net';
  const fd = check(native.open(path, fs.constants.O_RDONLY), path);
  try {
    const { dev, ino } = fstatIdentity(fd, path);
    return { fd, dev, ino };
  } catch (error) {
    native.close(fd);
    throw error;
  }
}

/** Whether the calling thread is in the namespace of this identity now (asks the kernel). */
export function isThreadIn(identity: { dev: number; ino: number }): boolean {
  const { dev, ino } = statIdentity('/proc/thread-self/ns/net');
  return dev === identity.dev && ino === identity.ino;
}
