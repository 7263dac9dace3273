// ip netns add | attach | delete: a file in the run dir with the namespace
// bind-mounted onto it. These work on nsfs files and fds; NetNamespace wraps
// what they return in a handle.
import { dirname } from 'node:path';
import { native } from '../binding';
import { NetnsError, check, errnoOf, failedWith } from '../errors';
import { openNetnsOfPid } from '../nsfs/from-pid';
import { isRegularFile, statIdentity, statIdentityIfAny } from '../nsfs/file-identity';
import { type NsfsFile, closeFd, openNetnsFile } from '../nsfs/nsfs-file';
import { unshareDetached } from '../switch/thread-switch';
import { assertNetnsName, assertPid } from '../validate';
import { bindHeldFile, bindMount, discardBindMount } from './bind-mount';
import { type RunDirOptions, namedPath, namedPathIn, prepareRunDir, runDirToTry } from './run-dir';

const { MNT_DETACH, UMOUNT_NOFOLLOW } = native.constants;

/** A namespace file made by a verb, and where it is named. */
export interface NamedFile {
  file: NsfsFile;
  path: string;
  name: string;
}

/** Opens the namespace a run-dir name stands for (NetNamespace.fromName). */
export function openNamed(name: string, options: RunDirOptions = {}): NamedFile {
  const path = namedPath(name, options);
  try {
    return { file: openNetnsFile(path), path, name };
  } catch (error) {
    if (error instanceof NetnsError && error.code === 'ENOENT') {
      throw error.withHint(`no network namespace of that name in ${dirname(path)}`);
    }
    throw error;
  }
}

/**
 * Hands a just-named file to `wrap` (the handle); if that throws, having
 * closed the fd, the name goes too, so a failed add or attach leaves nothing:
 * only while it still names this namespace (another tool may have deleted it
 * and made its own of the same name meanwhile).
 */
export function wrapNamed<T>(named: NamedFile, wrap: (named: NamedFile) => T): T {
  try {
    return wrap(named);
  } catch (error) {
    const now = statIdentityIfAny(named.path);
    if (now?.dev === named.file.dev && now.ino === named.file.ino) discardBindMount(named.path);
    throw error;
  }
}

/** ip netns add NAME: a new namespace, kept alive by its name until deleted. */
export function addNamed(name: string, options: RunDirOptions = {}): NamedFile {
  assertNetnsName(name); // before anything is made
  const path = namedPathIn(prepareRunDir(options), name);
  const file = unshareDetached();
  try {
    bindHeldFile(file, path);
  } catch (error) {
    closeFd(file.fd);
    throw error;
  }
  return { file, path, name };
}

/**
 * ip netns attach NAME: names the namespace an open nsfs fd refers to. The
 * bind goes from the held fd, so a pid that exits (and is reused) meanwhile
 * can never bind someone else's.
 */
export function attachNamed(name: string, sourceFd: number, options: RunDirOptions = {}): NamedFile {
  assertNetnsName(name); // before anything is made
  const path = namedPathIn(prepareRunDir(options), name);
  bindMount(`/proc/self/fd/${sourceFd}`, path);
  try {
    return { file: openNetnsFile(path), path, name };
  } catch (error) {
    discardBindMount(path);
    throw error;
  }
}

/** ip netns attach NAME PID: the pid is taken through a pidfd and bound from the held fd. */
export function attachNamedPid(name: string, pid: unknown, options: RunDirOptions = {}): NamedFile {
  if (typeof pid !== 'number') throw new TypeError('attach() takes a pid or a NetNamespace');
  assertPid(pid);
  const held = openNetnsOfPid(pid);
  try {
    return attachNamed(name, held.fd, options);
  } finally {
    closeFd(held.fd);
  }
}

/**
 * ip netns delete NAME: detaches the mount and removes the file. A file left
 * without a mount (a failed add by another tool) is removed too. The
 * namespace itself lives on while processes or open handles still use it.
 */
export function deleteNamed(name: string, options: RunDirOptions = {}): void {
  const tried = runDirToTry(options);
  let path = namedPathIn(tried.runDir, name);
  let found = statIdentityIfAny(path, { follow: false });
  if (found === undefined) {
    // Not there: in the run dir resolveRunDir names, if that is another
    // (/var/run/netns), else the lookup's own error (ENOENT, EACCES).
    if (tried.tentative) path = namedPath(name, options);
    found = statIdentity(path, { follow: false });
  }
  if (!isRegularFile(found.mode)) {
    throw new NetnsError({
      errno: errnoOf('EINVAL'),
      syscall: 'unlink',
      path,
      description: 'not a named namespace (not a regular file)',
    });
  }
  const unmounted = native.umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW);
  // EINVAL: nothing mounted there, an empty placeholder: remove it all the same.
  if (!failedWith(unmounted, 'EINVAL')) check(unmounted, path);
  const unlinked = native.unlink(path);
  if (failedWith(unlinked, 'EBUSY')) {
    // Linux 3.18+ (vfs_unlink, is_local_mountpoint): a mount of the file in
    // another mount namespace goes with the unlink; only one in this mount
    // namespace refuses it.
    throw new NetnsError({
      errno: errnoOf('EBUSY'),
      syscall: 'unlink',
      path,
      cause: unlinked,
      hint:
        'still a mount point in this mount namespace: most often bound more than once (each delete ' +
        'detaches one), else mounted through another path to the same file',
    });
  }
  check(unlinked, path);
}
