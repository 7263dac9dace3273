// Makes the run dir a shared mount of its own, as iproute2 does, so that names
// bound into it are seen by other mount namespaces (`ip netns exec`, containers
// started later) and a bind made by one of them is seen by all.
import fs from 'node:fs';
import { native } from './binding';
import { toNetnsError } from './errors';

const { MS_BIND, MS_REC, MS_SHARED, MS_PRIVATE, LOCK_EX, LOCK_UN } = native.constants;

export function prepareRunDir(runDir: string): void {
  try {
    fs.mkdirSync(runDir, { recursive: true, mode: 0o755 });
  } catch (error) {
    throw toNetnsError(error, runDir);
  }
  let fd: number;
  try {
    fd = fs.openSync(runDir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  } catch (error) {
    throw toNetnsError(error, runDir);
  }
  try {
    // Serialises first-time setup: without it, concurrent creators each bind
    // the directory onto itself and stack up mounts.
    native.flock(fd, LOCK_EX);
    makeSharedMountpoint(runDir);
  } catch (error) {
    throw toNetnsError(error, runDir);
  } finally {
    try {
      native.flock(fd, LOCK_UN);
    } finally {
      fs.closeSync(fd);
    }
  }
}

function makeSharedMountpoint(runDir: string): void {
  try {
    native.mount('', runDir, 'none', MS_SHARED | MS_REC, null);
    return;
  } catch (error) {
    // EINVAL: not a mount point yet. Anything else is real.
    if ((error as { code?: string }).code !== 'EINVAL') throw error;
  }
  native.mount(runDir, runDir, 'none', MS_BIND | MS_REC, null);
  // Private first, so the new mount leaves the parent's peer group and
  // becomes shared in a group of its own.
  native.mount('', runDir, 'none', MS_PRIVATE | MS_REC, null);
  native.mount('', runDir, 'none', MS_SHARED | MS_REC, null);
}
