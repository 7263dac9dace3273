// The run dir, where named namespaces live: an explicit option, else
// NETNS_RUN_DIR, else /run/netns (Debian's iproute2), or /var/run/netns where
// only that exists. Before the first name is bound into it, it is made a
// shared mount of its own, as iproute2 does, so that names bound into it are
// seen by other mount namespaces (`ip netns exec`, containers started later)
// and a bind made by one of them is seen by all.
// NETNS_RUN_DIR is this library's own: iproute2 has its run dir built in
// (iproute2 6.1's ip reads no such variable), so `ip netns` does not see names
// made under another run dir.
import fs from 'node:fs';
import path from 'node:path';
import { native } from '../binding';
import { check, failedWith, rethrowing } from '../errors';
import { assertAbsolutePath, assertNetnsName } from '../validate';

const { MS_BIND, MS_REC, MS_SHARED, MS_PRIVATE, LOCK_EX, LOCK_UN } = native.constants;

/** Where named namespaces live, for the calls that look names up or make them. */
export interface RunDirOptions {
  /** Overrides NETNS_RUN_DIR and the defaults. */
  runDir?: string;
}

/**
 * The run dir, where named namespaces live: `options.runDir`, else
 * `NETNS_RUN_DIR`, else `/run/netns`, or `/var/run/netns` where only that
 * exists (as iproute2 picks it). Normalized, without a trailing `/`.
 */
export function resolveRunDir(options: RunDirOptions = {}): string {
  // Normalized ('/run/netns/' is '/run/netns'): run-dir paths are compared.
  if (options.runDir !== undefined) {
    assertAbsolutePath(options.runDir, 'runDir');
    return path.resolve(options.runDir);
  }
  const fromEnv = process.env.NETNS_RUN_DIR;
  if (fromEnv) {
    assertAbsolutePath(fromEnv, 'NETNS_RUN_DIR');
    return path.resolve(fromEnv);
  }
  if (!fs.existsSync('/run/netns') && fs.existsSync('/var/run/netns')) {
    return '/var/run/netns';
  }
  return '/run/netns';
}

/** @internal The run-dir path for a validated name. */
export function namedPath(name: string, options: RunDirOptions = {}): string {
  return namedPathIn(resolveRunDir(options), name);
}

/** @internal The path for a validated name in a run dir already resolved (resolveRunDir). */
export function namedPathIn(runDir: string, name: string): string {
  assertNetnsName(name);
  // resolveRunDir normalizes, and a valid name has no '/' and is not '.' or
  // '..': joining is appending (path.join would walk the whole path again).
  return runDir === '/' ? `/${name}` : `${runDir}/${name}`;
}

/**
 * mkdir -p that reports why the deepest missing directory could not be made
 * (EROFS, EACCES), where a recursive mkdirSync can answer ENOENT.
 */
function makeDirectory(dir: string): void {
  try {
    fs.mkdirSync(dir, 0o755);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    const parent = path.dirname(dir);
    if (code !== 'ENOENT' || parent === dir) throw error;
    makeDirectory(parent);
    makeDirectory(dir); // another creator may make it meanwhile
  }
}

/**
 * @internal The run dir for a verb that acts on a name at once: an explicit
 * one (the option, NETNS_RUN_DIR) as resolveRunDir has it; else /run/netns,
 * `tentative`ly: a verb that finds /run/netns missing asks resolveRunDir
 * (which may name /var/run/netns) and tries again. resolveRunDir's own look
 * at the disk would otherwise come first in every create and delete.
 */
export function runDirToTry(options: RunDirOptions = {}): { runDir: string; tentative: boolean } {
  const explicit = options.runDir !== undefined || Boolean(process.env.NETNS_RUN_DIR);
  return explicit ? { runDir: resolveRunDir(options), tentative: false } : { runDir: '/run/netns', tentative: true };
}

/**
 * @internal Makes the run dir ready for a name to be bound into it and
 * returns it: created if needed, and a shared mount point of its own.
 */
export function prepareRunDir(options: RunDirOptions = {}): string {
  const { fd, runDir } = openRunDir(options);
  try {
    // Serialises first-time setup: without it, concurrent creators each bind
    // the directory onto itself and stack up mounts.
    check(native.flock(fd, LOCK_EX), runDir);
    try {
      makeSharedMountpoint(runDir);
    } finally {
      native.flock(fd, LOCK_UN);
    }
  } finally {
    native.close(fd);
  }
  return runDir;
}

/**
 * The run dir, opened: tried at once (runDirToTry), and only where that is
 * missing resolved and made (node:fs's mkdirSync throws EEXIST for one that
 * exists, which costs more than the rest of this setup).
 */
function openRunDir(options: RunDirOptions): { fd: number; runDir: string } {
  const flags = fs.constants.O_RDONLY | fs.constants.O_DIRECTORY;
  const tried = runDirToTry(options);
  const fd = native.open(tried.runDir, flags);
  if (!failedWith(fd, 'ENOENT')) return { fd: check(fd, tried.runDir), runDir: tried.runDir };
  const runDir = tried.tentative ? resolveRunDir(options) : tried.runDir;
  let again = runDir === tried.runDir ? fd : native.open(runDir, flags);
  if (failedWith(again, 'ENOENT')) {
    rethrowing(() => makeDirectory(runDir), runDir);
    again = native.open(runDir, flags);
  }
  return { fd: check(again, runDir), runDir };
}

function makeSharedMountpoint(runDir: string): void {
  const shared = native.mount('', runDir, 'none', MS_SHARED | MS_REC, null);
  if (shared === undefined) return;
  // EINVAL: not a mount point yet. Anything else is real.
  if (!failedWith(shared, 'EINVAL')) check(shared, runDir);
  check(native.mount(runDir, runDir, 'none', MS_BIND | MS_REC, null), runDir);
  // Private first, so the new mount leaves the parent's peer group and
  // becomes shared in a group of its own.
  check(native.mount('', runDir, 'none', MS_PRIVATE | MS_REC, null), runDir);
  check(native.mount('', runDir, 'none', MS_SHARED | MS_REC, null), runDir);
}
