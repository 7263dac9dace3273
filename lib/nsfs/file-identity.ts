// What identifies a file (dev, ino), its type and owner, through the addon's
// statx: node:fs's stat builds a Stats with four Dates on every call, which
// costs more than the lookup itself where a namespace is named, deleted or
// listed. dev is the number node:fs's Stats.dev gives, so the two compare.
import { native } from '../binding';
import { toNetnsError } from '../errors';

const { AT_FDCWD, AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW } = native.constants;

export interface FileIdentity {
  dev: number;
  ino: number;
  /** st_mode: type and permission bits. */
  mode: number;
  uid: number;
  /** st_size, -1 when the filesystem did not give it: for /proc/PID/fd (Linux 6.2+), the fds open. */
  size: number;
}

/**
 * Where the addon's statx writes each answer (see native/lookups.cc), read
 * out before anything else runs; this module's state is per thread.
 */
const answer = new Float64Array(5);

function identity(result: ReturnType<typeof native.statx>, syscall: string, path: string): FileIdentity {
  if (result === undefined) return fields();
  // Named as node:fs names the same lookups (stat, lstat, fstat) in errors.
  result.syscall = syscall;
  throw toNetnsError(result, path);
}

const fields = (): FileIdentity => ({
  dev: answer[0],
  ino: answer[1],
  mode: answer[2],
  uid: answer[3],
  size: answer[4],
});

/** stat(2) (following a final symlink) or, with `follow: false`, lstat(2); throws a NetnsError. */
export function statIdentity(path: string, options: { follow?: boolean } = {}): FileIdentity {
  const follow = options.follow !== false;
  return identity(
    native.statx(AT_FDCWD, path, follow ? 0 : AT_SYMLINK_NOFOLLOW, answer),
    follow ? 'stat' : 'lstat',
    path,
  );
}

/** fstat(2) of an open fd; `path` names it in errors. */
export function fstatIdentity(fd: number, path?: string): FileIdentity {
  return identity(native.statx(fd, '', AT_EMPTY_PATH, answer), 'fstat', path ?? `fd ${fd}`);
}

/** For scans: stat(2)'s (or lstat(2)'s) answer, or undefined when the file is gone or not ours to see. */
export function statIdentityIfAny(path: string, options: { follow?: boolean } = {}): FileIdentity | undefined {
  const result = native.statx(AT_FDCWD, path, options.follow === false ? AT_SYMLINK_NOFOLLOW : 0, answer);
  return result === undefined ? fields() : undefined;
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;

export const isRegularFile = (mode: number): boolean => (mode & S_IFMT) === S_IFREG;
export const isDirectory = (mode: number): boolean => (mode & S_IFMT) === S_IFDIR;
