// Reading /proc for namespaces: which processes are in which network
// namespace, which fds hold one, and which nsfs files are mounted where.
import fs from 'node:fs';
import { statIdentityIfAny } from '../nsfs/file-identity';
import { inoOfNetnsId } from '../nsfs/namespace-id';
import { procPids } from './proc-dir';

// An options object, not the string 'utf8': node:fs copies a string option
// into a new object with a spread, which costs V8 in Node 20 more than the read.
const UTF8 = { encoding: 'utf8' } as const;

/** Numeric entries of /proc: the thread-group leaders, as lsns counts them. */
export function listPids(): number[] {
  return procPids();
}

/** The nsfs dev/ino of a process's network namespace, or undefined if gone or hidden. */
export function netnsOfPid(pid: number): { dev: number; ino: number } | undefined {
  try {
    const { dev, ino } = fs.statSync(`/proc/${pid}/ns/net`);
    return { dev, ino };
  } catch {
    return undefined; // exited meanwhile, or not ours to see (EACCES)
  }
}

export interface NsfsMount {
  ino: number;
  mountPoint: string;
}

// mountinfo escapes space, tab, newline and backslash as \ooo.
export const unescapeMountinfo = (field: string): string =>
  field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));

interface MountEntry {
  mountPoint: string;
  /** Per-mount options: rw/ro, nosuid, ... */
  options: string[];
}

/** This mount namespace's mounts, in mountinfo's order (later ones on top). */
function mountinfo(): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of fs.readFileSync('/proc/self/mountinfo', UTF8).split('\n')) {
    const separator = line.indexOf(' - ');
    if (separator < 0) continue;
    const fields = line.slice(0, separator).split(' ');
    entries.push({ mountPoint: unescapeMountinfo(fields[4]), options: fields[5].split(',') });
  }
  return entries;
}

/** Where the `n`th space of `line` is (n from 1), or -1 when it has fewer. */
function nthSpace(line: string, n: number): number {
  let at = -1;
  for (let found = 0; found < n; found++) {
    at = line.indexOf(' ', at + 1);
    if (at < 0) return -1;
  }
  return at;
}

/**
 * nsfs mounts of network namespaces visible in this mount namespace. Only
 * the two fields wanted are cut out of each nsfs line (root, mount point):
 * a host with hundreds of named namespaces has as many of these lines, read
 * by every listing and map.
 */
export function netnsMounts(): NsfsMount[] {
  return nsfsMountsIn(fs.readFileSync('/proc/self/mountinfo', UTF8));
}

/** @internal The network namespace mounts that the text of a mountinfo file lists. */
export function nsfsMountsIn(mountinfo: string): NsfsMount[] {
  const mounts: NsfsMount[] = [];
  for (const line of mountinfo.split('\n')) {
    const separator = line.indexOf(' - nsfs ');
    if (separator < 0) continue;
    // ID PARENT MAJ:MIN ROOT MOUNT_POINT OPTIONS ... - nsfs ...: root and mount point follow the third space.
    const rootStart = nthSpace(line, 3) + 1;
    const rootEnd = rootStart === 0 ? -1 : line.indexOf(' ', rootStart);
    const pointEnd = rootEnd < 0 ? -1 : line.indexOf(' ', rootEnd + 1);
    if (pointEnd < 0 || pointEnd > separator) continue;
    const ino = inoOfNetnsId(line.slice(rootStart, rootEnd));
    if (ino === undefined) continue;
    const field = line.slice(rootEnd + 1, pointEnd);
    mounts.push({ ino, mountPoint: field.includes('\\') ? unescapeMountinfo(field) : field });
  }
  return mounts;
}

/** The options of the mount on top at `mountPoint`, if anything is mounted there. */
export function mountOptionsAt(mountPoint: string): string[] | undefined {
  return mountinfo()
    .filter((entry) => entry.mountPoint === mountPoint)
    .pop()?.options;
}

/** The command line of a process as ps shows it, or its [comm] for kernel threads. */
export function commandOf(pid: number): string | undefined {
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, UTF8);
    if (cmdline.length > 0) return cmdline.replace(/\0+$/, '').split('\0').join(' ');
    return fs.readFileSync(`/proc/${pid}/comm`, UTF8).trim();
  } catch {
    return undefined;
  }
}

/** The owner of a process (of its /proc directory, as ps and lsns show it), or undefined if gone. */
export function uidOf(pid: number): number | undefined {
  return statIdentityIfAny(`/proc/${pid}`)?.uid;
}

/** uid -> user name from /etc/passwd (as lsns's USER column shows it). */
export function readUserNames(): Map<number, string> {
  const names = new Map<number, string>();
  try {
    for (const line of fs.readFileSync('/etc/passwd', UTF8).split('\n')) {
      const [name, , id] = line.split(':');
      if (name && id && !names.has(Number(id))) names.set(Number(id), name);
    }
  } catch {
    // No passwd file: numeric uids only.
  }
  return names;
}
