// Where createNamed + delete's time goes, against
// `ip -batch` in the same interleaved rounds: the library's own system calls
// made from JavaScript, first bare, then with every check the library makes,
// written as one flat function each; and the library itself. In a mount
// namespace of the bench's own, with a tmpfs over /run/netns (as
// bench/named.mjs's first pass).
//
// The two flat versions stand in for no part of the library: they show what
// its calls cost (bare) and what its promises add to them (checked). The
// checked one keeps each promise createNamed and delete make: the name is
// validated, NETNS_RUN_DIR is read on each call, the run dir is locked and
// shared, the thread goes back to its namespace, every result is checked,
// the bind is proven with statx, the handle registers its fd to be closed if
// it is dropped or its thread ends, and delete refuses what is not a
// regular file.
//
// Measured in a fresh process (2 + 18 rounds of 50 names: before V8
// optimizes the library, see STEADY_AFTER in harness.mjs; a flat function
// may be optimized sooner), then at steady state, after each JavaScript
// candidate made and deleted 3,000 more names.
//
// usage: sudo node bench/named-parts.mjs   (needs dist/: npm run build:ts)
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NetNamespace } from 'netns-native';
import { native } from '../dist/binding.js';
import { failedWith } from '../dist/errors.js';
import {
  NAMED_REFERENCE,
  RUN_DIR,
  STEADY_AFTER,
  deleteNamedLeftovers,
  inTmpfsThenOnHost,
  ipNamedReference,
  report,
  rounds,
  settleFreed,
  warmUpNamed,
} from './harness.mjs';

const PER_ROUND = 50;
const FRESH_ROUNDS = 18;
const STEADY_ROUNDS = 25;

const c = native.constants;
const { O_RDONLY, O_DIRECTORY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
const CREATE = O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const answer = new Float64Array(5); // where native.statx writes dev, ino, mode, uid, size

const prefix = `nn-parts-${process.pid}`;
let serial = 0;
const newNames = (n) => Array.from({ length: n }, () => `${prefix}-${serial++}`);

/** A native result, or its failure thrown. */
function checked(result) {
  if (result instanceof Error) throw result;
  return result;
}

let homeFd = -1; // the main thread's namespace, opened in the pass

/** The library's calls for a name, in its order, nothing checked. */
function bareCreate(name) {
  const dirFd = native.open(RUN_DIR, O_RDONLY | O_DIRECTORY);
  native.flock(dirFd, c.LOCK_EX);
  native.mount('', RUN_DIR, 'none', c.MS_SHARED | c.MS_REC, null);
  native.flock(dirFd, c.LOCK_UN);
  native.close(dirFd);
  const path = `${RUN_DIR}/${name}`;
  native.unshare(c.CLONE_NEWNET);
  const nsFd = native.open('/proc/thread-self/ns/net', O_RDONLY);
  native.statx(nsFd, '', c.AT_EMPTY_PATH, answer);
  native.setns(homeFd, c.CLONE_NEWNET);
  const fileFd = native.open(path, CREATE, 0);
  native.mount(`/proc/self/fd/${nsFd}`, `/proc/self/fd/${fileFd}`, null, c.MS_BIND, null);
  native.close(fileFd);
  native.statx(c.AT_FDCWD, path, 0, answer);
  native.close(nsFd);
}

function bareDelete(name) {
  const path = `${RUN_DIR}/${name}`;
  native.statx(c.AT_FDCWD, path, c.AT_SYMLINK_NOFOLLOW, answer);
  native.umount2(path, c.MNT_DETACH | c.UMOUNT_NOFOLLOW);
  native.unlink(path);
}

function assertName(name) {
  if (typeof name !== 'string' || name.length === 0 || name === '.' || name === '..') throw new TypeError(name);
  if (name.includes('/') || name.includes('\0')) throw new TypeError(name);
  if (name.length * 3 > 255 && Buffer.byteLength(name) > 255) throw new RangeError(name);
}

function assertAbsolutePath(path) {
  if (typeof path !== 'string' || path.length === 0 || path.includes('\0') || !path.startsWith('/')) {
    throw new TypeError(path);
  }
}

const kept = new WeakMap(); // what a handle keeps (a socket): looked up when it closes

const abandoned = new FinalizationRegistry(({ fd }) => native.close(fd));

/** The handle's part: an fd closed on close(), or when dropped, or when its thread ends. */
class FlatHandle {
  #fd;
  #closed = false;
  constructor(fd, dev, ino) {
    this.#fd = fd;
    this.dev = dev;
    this.ino = ino;
    checked(native.ownFd(fd));
    abandoned.register(this, { fd }, this);
  }

  close() {
    if (this.#closed) return;
    this.#closed = true;
    abandoned.unregister(this);
    kept.get(this)?.close();
    checked(native.close(this.#fd));
  }
}

/** The same calls with every check the library makes, written flat. */
function checkedCreate(name) {
  assertName(name); // before the run dir is made ready
  assertName(name); // the library checks it again where it makes the path
  if (process.env.NETNS_RUN_DIR) throw new Error('the bench runs in /run/netns');
  const dirFd = checked(native.open(RUN_DIR, O_RDONLY | O_DIRECTORY));
  try {
    checked(native.flock(dirFd, c.LOCK_EX));
    const shared = native.mount('', RUN_DIR, 'none', c.MS_SHARED | c.MS_REC, null);
    native.flock(dirFd, c.LOCK_UN);
    checked(shared); // the run dir is a mount point already: its first-time setup is not measured
  } finally {
    native.close(dirFd);
  }
  const path = `${RUN_DIR}/${name}`;
  checked(native.unshare(c.CLONE_NEWNET));
  const nsFd = native.open('/proc/thread-self/ns/net', O_RDONLY);
  const stat = nsFd instanceof Error ? undefined : native.statx(nsFd, '', c.AT_EMPTY_PATH, answer);
  const dev = answer[0];
  const ino = answer[1];
  if (native.setns(homeFd, c.CLONE_NEWNET) !== undefined) native.abortStuckThread();
  checked(nsFd);
  try {
    checked(stat);
    assertAbsolutePath(path);
    const fileFd = checked(native.open(path, CREATE, 0));
    let mounted = false;
    try {
      const bound = native.mount(`/proc/self/fd/${nsFd}`, `/proc/self/fd/${fileFd}`, null, c.MS_BIND, null);
      native.close(fileFd);
      checked(bound);
      mounted = true;
      checked(native.statx(c.AT_FDCWD, path, 0, answer));
      if (answer[0] !== dev || answer[1] !== ino) throw new Error('bind mount not in place');
      return new FlatHandle(nsFd, dev, ino);
    } catch (error) {
      if (mounted) native.umount2(path, c.MNT_DETACH | c.UMOUNT_NOFOLLOW);
      native.unlink(path);
      throw error;
    }
  } catch (error) {
    native.close(nsFd);
    throw error;
  }
}

function checkedDelete(name) {
  assertName(name);
  if (process.env.NETNS_RUN_DIR) throw new Error('the bench runs in /run/netns');
  const path = `${RUN_DIR}/${name}`;
  checked(native.statx(c.AT_FDCWD, path, c.AT_SYMLINK_NOFOLLOW, answer));
  if ((answer[2] & S_IFMT) !== S_IFREG) throw new Error('not a named namespace');
  const unmounted = native.umount2(path, c.MNT_DETACH | c.UMOUNT_NOFOLLOW);
  if (unmounted !== undefined && !failedWith(unmounted, 'EINVAL')) throw unmounted;
  checked(native.unlink(path));
}

function bare(n) {
  const names = newNames(n);
  for (const name of names) bareCreate(name);
  for (const name of names) bareDelete(name);
}

function flat(n) {
  const names = newNames(n);
  for (const name of names) checkedCreate(name).close();
  for (const name of names) checkedDelete(name);
}

function library(n) {
  const names = newNames(n);
  for (const name of names) NetNamespace.createNamed(name).close();
  for (const name of names) NetNamespace.delete(name);
}

const candidates = [
  ipNamedReference(newNames),
  { name: "the library's calls, bare, from JS", before: settleFreed, run: bare },
  { name: 'the same calls with its checks, flat', before: settleFreed, run: flat },
  { name: 'createNamed + close + delete', before: settleFreed, run: library },
];

async function measure() {
  homeFd = checked(native.open('/proc/thread-self/ns/net', O_RDONLY));
  library(1); // the run dir's first-time setup, before the rounds
  try {
    const options = { reference: NAMED_REFERENCE, iterations: PER_ROUND };
    const title = `the parts of createNamed + delete, ${PER_ROUND} names a round, run dir on tmpfs`;
    const fresh = `${title}; a fresh process, names ${2 * PER_ROUND + 1} to ${(2 + FRESH_ROUNDS) * PER_ROUND}`;
    report(fresh, await rounds(candidates, { ...options, rounds: FRESH_ROUNDS }), NAMED_REFERENCE);
    await warmUpNamed([bare, flat, library]);
    const steady = `the same at steady state, after ${STEADY_AFTER} more names each`;
    report(steady, await rounds(candidates, { ...options, rounds: STEADY_ROUNDS }), NAMED_REFERENCE);
  } finally {
    deleteNamedLeftovers(prefix, (name) => NetNamespace.delete(name));
  }
}

await inTmpfsThenOnHost(fileURLToPath(import.meta.url), [], {
  command: 'sudo node bench/named-parts.mjs   (time per namespace)',
  tmpfs: measure,
});
