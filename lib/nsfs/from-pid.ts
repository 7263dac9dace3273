// pid -> the process's network namespace, refusing a pid that died or was
// reused. Through PIDFD_GET_NET_NAMESPACE (Linux 6.11+) the namespace comes
// from the process the pidfd pins. On older kernels, open /proc/PID/ns/net and
// then prove that the pidfd's process is still alive: while it lives, its pid
// cannot have been reused, so the file opened was its own. Without pidfds
// (before 5.3) the path is all there is.
import fs from 'node:fs';
import { native } from '../binding';
import { NetnsError, check, errnoOf, failedWith, toNetnsError } from '../errors';
import { simulatedMissing } from '../kernel-seam';
import { type NsfsFile, closeFd, describeNetnsFd, openNetnsFile } from './nsfs-file';

export function openNetnsOfPid(pid: number): NsfsFile {
  const procPath = `/proc/${pid}/ns/net`;
  const pidfd = simulatedMissing('pidfd') ? undefined : native.pidfdOpen(pid, 0);
  if (pidfd === undefined || failedWith(pidfd, 'ENOSYS')) {
    refuseThreadId(pid, procPath, 'open');
    return openByPathOnly(procPath);
  }
  if (failedWith(pidfd, 'EINVAL', 'ENOENT')) refuseThreadId(pid, procPath, 'pidfd_open');
  const held = check(pidfd, procPath);
  try {
    return simulatedMissing('pidfd-netns') ? openThenConfirmAlive(procPath, held) : netnsFromPidfd(procPath, held);
  } finally {
    native.close(held);
  }
}

function netnsFromPidfd(procPath: string, pidfd: number): NsfsFile {
  const result = native.pidfdGetNetNamespace(pidfd);
  // ENOTTY, EINVAL: a kernel before 6.11 does not know the ioctl.
  if (failedWith(result, 'ENOTTY', 'EINVAL')) return openThenConfirmAlive(procPath, pidfd);
  const fd = check(result, procPath);
  try {
    return describeNetnsFd(fd, procPath);
  } catch (error) {
    native.close(fd);
    throw error;
  }
}

/** A thread id is not a process: say whose thread it is. */
function refuseThreadId(pid: number, procPath: string, syscall: string): void {
  const leader = threadGroupOf(pid);
  if (leader !== undefined && leader !== pid) {
    throw new NetnsError({
      errno: errnoOf('EINVAL'),
      syscall,
      path: procPath,
      description: `${pid} is a thread of process ${leader}, not a process id`,
    });
  }
}

// A pid that is gone, or a zombie (whose namespaces are gone already), has
// no ns/net file: that is ESRCH, as pidfds say it. Without pidfds nothing
// pins the process, so a pid reused between the caller's lookup and this
// open goes unnoticed.
function openByPathOnly(procPath: string): NsfsFile {
  try {
    return openNetnsFile(procPath);
  } catch (error) {
    if ((error as NetnsError).code !== 'ENOENT') throw error;
    throw new NetnsError({ errno: errnoOf('ESRCH'), syscall: 'open', path: procPath, cause: error });
  }
}

function openThenConfirmAlive(procPath: string, pidfd: number): NsfsFile {
  const file = openByPathOnly(procPath);
  const alive = native.pidfdSendSignal(pidfd, 0);
  if (alive !== undefined) {
    closeFd(file.fd);
    throw toNetnsError(alive, procPath);
  }
  return file;
}

/** The process (thread-group leader) a thread id belongs to, if it exists. */
function threadGroupOf(tid: number): number | undefined {
  try {
    const match = /^Tgid:\s+(\d+)$/m.exec(fs.readFileSync(`/proc/${tid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
