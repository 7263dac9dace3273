// Bind mounts that either fully happen or leave nothing behind.
import fs from 'node:fs';
import { native } from '../binding';
import { NetnsError, check, errnoOf } from '../errors';
import { fstatIdentity, statIdentity } from '../nsfs/file-identity';
import { assertAbsolutePath } from '../validate';

const { MS_BIND, MNT_DETACH, UMOUNT_NOFOLLOW, O_PATH } = native.constants;
const CREATE_FLAGS = fs.constants.O_RDONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;

/**
 * Bind-mounts `source` onto a new file `target`:
 * - the target is created O_CREAT|O_EXCL|O_NOFOLLOW, so an existing file or a
 *   planted symlink is refused (EEXIST) and left untouched;
 * - the source is held open (O_PATH) and the mount goes from that fd onto
 *   the created file's fd, so neither path can be swapped in between;
 * - afterwards the target's dev/ino must be the source's, proving the mount;
 * - any failure unmounts and unlinks what this call made.
 *
 * This is how names are made in the run dir; it is exported for other nsfs
 * files (a user namespace, a mount namespace) and other places.
 */
export function bindMount(source: string, target: string): void {
  assertAbsolutePath(source, 'source');
  assertAbsolutePath(target, 'target');
  // Hold the source so that what is proven is what gets mounted.
  const sourceFd = check(native.open(source, O_PATH), source);
  try {
    bindHeldSource(sourceFd, fstatIdentity(sourceFd, source), target);
  } finally {
    native.close(sourceFd);
  }
}

/**
 * @internal bindMount from a file this process holds open and knows the
 * identity of (a namespace it just made): the same promises, with no
 * reopening of the source to hold it.
 */
export function bindHeldFile(source: { fd: number; dev: number; ino: number }, target: string): void {
  assertAbsolutePath(target, 'target');
  bindHeldSource(source.fd, source, target);
}

function bindHeldSource(sourceFd: number, want: { dev: number; ino: number }, target: string): void {
  const fd = check(native.open(target, CREATE_FLAGS, 0o000), target);
  let mounted = false;
  try {
    const result = native.mount(`/proc/self/fd/${sourceFd}`, `/proc/self/fd/${fd}`, null, MS_BIND, null);
    native.close(fd);
    check(result, target);
    mounted = true;
    const got = statIdentity(target);
    if (got.dev !== want.dev || got.ino !== want.ino) {
      throw new NetnsError({
        errno: errnoOf('EIO'),
        syscall: 'mount',
        path: target,
        description: `bind mount not in place (found ${got.dev}:${got.ino}, ` + `expected ${want.dev}:${want.ino})`,
      });
    }
  } catch (error) {
    discardBindMount(target, mounted);
    throw error;
  }
}

/** Detaches the mount at `target` (lazily, as ip netns delete does). */
export function unmount(target: string): void {
  assertAbsolutePath(target, 'target');
  check(native.umount2(target, MNT_DETACH | UMOUNT_NOFOLLOW), target);
}

/** @internal Undoes a bindMount that must not stay: detach if mounted, then remove the file. */
export function discardBindMount(target: string, mounted = true): void {
  if (mounted) native.umount2(target, MNT_DETACH | UMOUNT_NOFOLLOW); // not mounted after all: fine
  native.unlink(target); // already gone: fine
}
