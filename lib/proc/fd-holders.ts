// Namespaces held by a process's open fds, as lsns (2.39+) finds them:
// - an nsfs fd, recognised by the nsfs device and inode (its /proc link shows
//   `net:[INO]` only when opened through /proc; opened through a bind-mount
//   path it shows that path, or `/` once the name is deleted), then opened to
//   ask NS_GET_NSTYPE when the link does not say;
// - a socket, whose namespace (SIOCGSKNS) may be kept alive by nothing else:
//   a duplicate of it is taken with pidfd_getfd (needs ptrace rights).
import fs from 'node:fs';
import { inoOfNetnsId } from '../nsfs/namespace-id';
import { native } from '../binding';
import { failedWith } from '../errors';
import { simulatedMissing } from '../kernel-seam';
import { fstatIdentity, statIdentity, statIdentityIfAny } from '../nsfs/file-identity';

const CLONE_NEWNET = native.constants.CLONE_NEWNET;

interface HeldNamespace {
  pid: number;
  fd: number;
  ino: number;
  /** An nsfs fd on the namespace, or a socket created in it. */
  via: 'nsfs' | 'socket';
}

/** The nsfs filesystem's device number, to recognise nsfs files by stat. */
export function nsfsDevice(): number {
  return statIdentity('/proc/self/ns/net').dev;
}

function netnsInodeOfNsfsFd(link: string, fdPath: string): number | undefined {
  const named = inoOfNetnsId(link);
  if (named !== undefined) return named;
  if (/^[a-z_]+:\[\d+\]$/.test(link)) return undefined; // another namespace type
  let fd: number;
  try {
    fd = fs.openSync(fdPath, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    return native.nsGetNstype(fd) === CLONE_NEWNET ? fstatIdentity(fd, fdPath).ino : undefined;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * A new fd on the network namespace of socket `fd` of process `pid` (the
 * caller closes it), or undefined when that can't be had.
 */
export function openSocketNetns(pid: number, fd: number, pidfd?: number): number | undefined {
  const ownPidfd = pidfd === undefined ? native.pidfdOpen(pid, 0) : pidfd;
  if (typeof ownPidfd !== 'number') return undefined;
  try {
    const socket = native.pidfdGetfd(ownPidfd, fd);
    if (typeof socket !== 'number') return undefined;
    try {
      const netns = native.socketNetns(socket);
      return typeof netns === 'number' ? netns : undefined;
    } finally {
      native.close(socket);
    }
  } finally {
    if (pidfd === undefined) native.close(ownPidfd);
  }
}

function socketNetnsInode(pid: number, fd: number, pidfd: number): number | undefined {
  const netns = openSocketNetns(pid, fd, pidfd);
  if (netns === undefined) return undefined;
  try {
    return fstatIdentity(netns).ino;
  } finally {
    native.close(netns);
  }
}

function isNsfs(fdPath: string, nsfsDev: number): boolean {
  return statIdentityIfAny(fdPath)?.dev === nsfsDev;
}

/**
 * Whether stat() of /proc/PID/fd gives the number of fds open (Linux 6.2+).
 * Older kernels say 0 for every process, and this one has some open.
 */
export function fdCountsShown(): boolean {
  return !simulatedMissing('fd-count') && statIdentity('/proc/self/fd').size > 0;
}

/** The fds `dir` (/proc/PID/fd) says are open: 0 for a process gone (or hidden by hidepid), -1 if not told. */
const fdCount = (dir: string): number => statIdentityIfAny(dir)?.size ?? 0;

export interface HolderScan {
  /** nsfs fds (namespace files held open). */
  nsfs: boolean;
  /** Sockets in another namespace than the process's own (`ownIno`). */
  sockets: boolean;
  nsfsDev: number;
  ownIno?: number;
  /** fdCountsShown(): a process without fds is passed over unread. */
  fdCounts: boolean;
  /** Where a probing readlink writes (PATH_MAX bytes, reused from one process to the next). */
  linkRoom: Buffer;
}

/** readlink's room for a probe: PATH_MAX. */
const LINK_ROOM = 4096;

/**
 * Above this many fds a process's links are probed before its fd directory
 * is read: reading a big one costs far more than the probe, and for a small
 * one the probe would only add a call (every process of an ordinary host is
 * readable by root).
 */
const PROBE_ABOVE = 16;

/**
 * Whether process `pid`'s fd links may be read: its cwd link is refused by the
 * same ptrace check (EACCES), so one readlink, with no exception, tells before
 * a directory of hundreds of fds is read for nothing (pid 1 of a sandbox).
 * EPERM: hidden (hidepid); ENOENT: it exited (its fds went before its cwd).
 */
function mayReadLinks(pid: number, room: Buffer): boolean {
  return !failedWith(native.readlink(Buffer.from(`/proc/${pid}/cwd\0`), room), 'EACCES', 'EPERM', 'ENOENT');
}

/** The settings of a scan for holders, looked up once for all of its processes. */
export function holderScan(wanted: { nsfs: boolean; sockets: boolean }): HolderScan {
  const any = wanted.nsfs || wanted.sockets;
  return {
    ...wanted,
    nsfsDev: wanted.nsfs ? nsfsDevice() : 0,
    ownIno: undefined,
    fdCounts: any && fdCountsShown(),
    linkRoom: Buffer.allocUnsafe(any ? LINK_ROOM : 0),
  };
}

/** The network namespaces process `pid` holds through its fds, as `scan` asks. */
export function heldNamespaces(pid: number, scan: HolderScan): HeldNamespace[] {
  const { nsfsDev, ownIno } = scan;
  const dir = `/proc/${pid}/fd`;
  // A kernel thread has no fds, and is most of a quiet host's processes: one
  // stat passes it over, where reading its empty directory takes several calls.
  const count = scan.fdCounts ? fdCount(dir) : -1;
  if (count === 0) return [];
  if (count > PROBE_ABOVE && !mayReadLinks(pid, scan.linkRoom)) return [];
  let fds: string[];
  try {
    fds = fs.readdirSync(dir);
  } catch {
    return []; // gone, or not ours to see
  }
  const held: HeldNamespace[] = [];
  let pidfd: number | null | undefined; // null: can't look inside this process
  try {
    for (const entry of fds) {
      const fd = Number(entry);
      const fdPath = `${dir}/${entry}`;
      let link: string;
      try {
        link = fs.readlinkSync(fdPath);
      } catch (error) {
        // Not ours to see (a more privileged process): nor is any other fd
        // of it, and each refusal costs a thrown error. Else: closed meanwhile.
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EACCES' || code === 'EPERM') break;
        continue;
      }
      if (link.startsWith('socket:[')) {
        if (!scan.sockets) continue;
        if (pidfd === undefined) {
          const opened = native.pidfdOpen(pid, 0);
          pidfd = typeof opened === 'number' ? opened : null;
        }
        const ino = pidfd === null ? undefined : socketNetnsInode(pid, fd, pidfd);
        if (ino !== undefined && ino !== ownIno) held.push({ pid, fd, ino, via: 'socket' });
      } else if (
        scan.nsfs &&
        !link.startsWith('pipe:[') &&
        !link.startsWith('anon_inode:') &&
        isNsfs(fdPath, nsfsDev)
      ) {
        const ino = netnsInodeOfNsfsFd(link, fdPath);
        if (ino !== undefined) held.push({ pid, fd, ino, via: 'nsfs' });
      }
    }
  } finally {
    if (typeof pidfd === 'number') native.close(pidfd);
  }
  return held;
}
