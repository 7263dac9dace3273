// Loads the compiled addon with node-gyp-build: build/Release when the
// install script (or a developer) built one, otherwise the prebuild in
// prebuilds/ that matches this host. Both lib/ (sources) and dist/ sit one
// level below the package root, so the same relative path works from either.
// When nothing loads, a NativeAddonError says what this host is, what the
// package carries and how to build one, instead of the loader's stack.
//
// Env NETNS_NATIVE_ADDON=/absolute/path/to/addon.node loads that file instead
// (CI's ASan stage builds a sanitized addon in a temporary directory and runs
// the tests with it, leaving build/Release alone).
//
// The addon never throws: every function returns its value or a failure
// (an Error value), which lib/errors.ts `check` throws from JavaScript.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  describeBigEndianHost,
  describeMissingAddon,
  NativeAddonError,
  REQUIRED_NAPI_VERSION,
  type AddonLoadFailure,
  type HostFacts,
} from './addon-error';

/** The flag values exported by the native layer, read from the C headers. */
export interface NativeConstants {
  CLONE_NEWNET: number;
  CLONE_NEWNS: number;
  CLONE_NEWUTS: number;
  CLONE_NEWIPC: number;
  CLONE_NEWPID: number;
  CLONE_NEWUSER: number;
  CLONE_NEWCGROUP: number;
  CLONE_NEWTIME: number;
  MS_RDONLY: number;
  MS_NOSUID: number;
  MS_NODEV: number;
  MS_NOEXEC: number;
  MS_REMOUNT: number;
  MS_BIND: number;
  MS_MOVE: number;
  MS_REC: number;
  MS_PRIVATE: number;
  MS_SLAVE: number;
  MS_SHARED: number;
  MS_UNBINDABLE: number;
  MNT_FORCE: number;
  MNT_DETACH: number;
  MNT_EXPIRE: number;
  UMOUNT_NOFOLLOW: number;
  LOCK_SH: number;
  LOCK_EX: number;
  LOCK_NB: number;
  LOCK_UN: number;
  O_CLOEXEC: number;
  O_PATH: number;
  O_NOFOLLOW: number;
  AT_FDCWD: number;
  AT_EMPTY_PATH: number;
  AT_SYMLINK_NOFOLLOW: number;
  AF_INET: number;
  AF_INET6: number;
  AF_UNIX: number;
  AF_NETLINK: number;
  SOCK_STREAM: number;
  SOCK_DGRAM: number;
  SOCK_RAW: number;
  SOCK_NONBLOCK: number;
  SOL_SOCKET: number;
  SO_REUSEADDR: number;
  SO_RCVBUF: number;
  SO_SNDBUF: number;
  IPPROTO_IPV6: number;
  IPV6_V6ONLY: number;
  NETLINK_ROUTE: number;
  SOL_NETLINK: number;
  NETLINK_EXT_ACK: number;
  NETLINK_GET_STRICT_CHK: number;
  MSG_PEEK: number;
  MSG_TRUNC: number;
  MSG_DONTWAIT: number;
}

/**
 * A failed call, returned (never thrown) by the addon: a system failure
 * carries errno (negative), syscall and path; a bad argument is a TypeError
 * or RangeError; an exception raised by a getter while arguments were read
 * comes back as it was.
 */
export type NativeFailure = Error & { errno?: number; syscall?: string; path?: string };

/** What one native call returns: its value or a failure. */
type Result<T> = T | NativeFailure;

/** One step the cloned child runs before exec, in order. */
export type CloneStep =
  | { op: 'setns'; fd: number; flags: number; optional?: boolean }
  | { op: 'unshare'; flags: number; optional?: boolean }
  | {
      op: 'mount';
      source?: string;
      target: string;
      fstype?: string;
      mountFlags: number;
      data?: string;
      optional?: boolean;
    }
  | { op: 'umount2'; target: string; flags: number; optional?: boolean };

export interface CloneSpec {
  /** Absolute path of the program (no PATH search here). */
  file: string;
  /** At least argv[0]. */
  argv: string[];
  envp: string[];
  cwd?: string;
  /**
   * fds to put at 0, 1, 2 in the child; n at position n keeps that fd,
   * clearing close-on-exec; any permutation works. -1 leaves it as it is,
   * and Node keeps its own fds 0-2 close-on-exec: pass [0, 1, 2] for a child
   * that shares our stdio.
   */
  stdio?: [number, number, number];
  /** CLONE_NEW* flags only: namespaces the child is created in. */
  cloneFlags?: number;
  steps?: CloneStep[];
}

export interface ClonedChild {
  pid: number;
  pidfd: number;
}

/** @internal Called once with (errno, null, null) on failure, else (null, code, null) or (null, null, signal). */
type PidfdExitCallback = (errno: number | null, code: number | null, signal: number | null) => void;

/** @internal Watches a pidfd on the event loop of the environment that made it (sys.waitPidfd wraps it). */
interface NativePidfdWatch {
  /** Watches (a duplicate of) pidfd; calls back once the child exited and was reaped. */
  start(pidfd: number): Result<undefined>;
  ref(): void;
  unref(): void;
  /** Stops watching without reaping; no callback. */
  stop(): void;
}

/** The raw addon, one function per system call. */
export interface NativeBinding {
  constants: NativeConstants;
  /** @internal False if the libuv threadpool could not be started at load. */
  threadpoolWarmed: boolean;
  setns(fd: number, nstype: number): Result<undefined>;
  unshare(flags: number): Result<undefined>;
  nsGetNstype(fd: number): Result<number>;
  nsGetUserns(fd: number): Result<number>;
  nsGetParent(fd: number): Result<number>;
  nsGetOwnerUid(fd: number): Result<number>;
  gettid(): number;
  /** @internal Writes why to stderr and aborts: for a thread that can no longer run JavaScript. */
  abortStuckThread(errno?: number): never;
  mount(
    source: string | null,
    target: string,
    fstype: string | null,
    flags: number,
    data: string | null,
  ): Result<undefined>;
  umount2(target: string, flags: number): Result<undefined>;
  /** unlink(2). */
  unlink(path: string): Result<undefined>;
  flock(fd: number, operation: number): Result<undefined>;
  /** open(2) with O_CLOEXEC always added; the fd is the addon's, not node:fs's. A mode exactly with O_CREAT/O_TMPFILE. */
  open(path: string, flags: number, mode?: number): Result<number>;
  /** close(2) for fds the addon returned; fds from node:fs go back through node:fs. */
  close(fd: number): Result<undefined>;
  /**
   * @internal This JS environment (the main thread's, or a worker's) closes
   * `fd` when it ends (a worker's end, terminate() too), unless close(fd)
   * came first. Only for fds closed by close() alone.
   */
  ownFd(fd: number): Result<undefined>;
  /** readlink(2) of a NUL-terminated path into `buffer`: the bytes written (ENAMETOOLONG if they fill it). */
  readlink(path: Uint8Array, buffer: Uint8Array): Result<number>;
  /**
   * statx(2): writes [dev, ino, mode, uid, size] of a file into `out` (5 or
   * more numbers), dev as node:fs's Stats.dev (no Stats, no Dates).
   */
  statx(dirfd: number, path: string, flags: number, out: Float64Array): Result<undefined>;
  /** getdents64(2): how many bytes of `struct linux_dirent64` records it wrote into `buffer` (0: no more). */
  getdents64(fd: number, buffer: Uint8Array): Result<number>;
  /** pipe2(O_CLOEXEC): [readFd, writeFd]. */
  pipe(): Result<[number, number]>;
  pidfdOpen(pid: number, flags: number): Result<number>;
  pidfdSendSignal(pidfd: number, signal: number): Result<undefined>;
  pidfdGetNetNamespace(pidfd: number): Result<number>;
  pidfdGetfd(pidfd: number, fd: number): Result<number>;
  /** @internal A new watch; sys.waitPidfd is the public form. */
  watchPidfd(callback: PidfdExitCallback): Result<NativePidfdWatch>;
  /** socket(2) with SOCK_CLOEXEC always added, on the calling thread. */
  socket(domain: number, type: number, protocol: number): Result<number>;
  bind(fd: number, address: Uint8Array): Result<undefined>;
  setsockoptInt(fd: number, level: number, name: number, value: number): Result<undefined>;
  /** @internal getsockopt(2) with an int (the effective SO_RCVBUF, say). */
  getsockoptInt(fd: number, level: number, name: number): Result<number>;
  send(fd: number, data: Uint8Array, flags: number): Result<number>;
  recv(fd: number, buffer: Uint8Array, flags: number): Result<number>;
  /** ioctl(SIOCGSKNS): a new nsfs fd on the socket's network namespace. */
  socketNetns(fd: number): Result<number>;
  clone3(spec: CloneSpec): Result<ClonedChild>;
  /** clone(2) with CLONE_PIDFD: the fallback where clone3 is refused. */
  clone(spec: CloneSpec): Result<ClonedChild>;
}

const packageRoot = path.join(__dirname, '..');

// eslint-disable-next-line @typescript-eslint/no-require-imports
const nodeGypBuild = require('node-gyp-build') as { resolve(dir: string): string };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const requireAddon = (file: string) => require(file) as NativeBinding;

function libcOf(): string {
  try {
    // Node's report names the glibc it runs on; it has no field for musl.
    const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
    const glibc = report?.header?.glibcVersionRuntime;
    if (glibc) return `glibc ${glibc}`;
    const musl = fs.readdirSync('/lib').some((name) => name.startsWith('ld-musl-'));
    return musl ? 'musl' : 'unknown libc';
  } catch {
    return 'unknown libc'; // only the message loses a detail
  }
}

function hostFacts(): HostFacts {
  return {
    platform: process.platform,
    arch: process.arch,
    libc: libcOf(),
    napiVersion: process.versions.napi ?? '',
    abi: process.versions.modules,
    nodeVersion: process.version,
  };
}

/** The files in the package's prebuilds/, as 'linux-x64/netns-native.glibc.node'. */
function carriedPrebuilds(): string[] {
  const dir = path.join(packageRoot, 'prebuilds');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.node'))
    .sort();
}

function noAddon(failure: AddonLoadFailure): NativeAddonError {
  return new NativeAddonError(
    'ERR_NETNS_NATIVE_NO_ADDON',
    describeMissingAddon(hostFacts(), carriedPrebuilds(), failure),
  );
}

function loadAddon(): NativeBinding {
  // The rtnetlink codec writes and reads the kernel's messages as little-endian.
  if (os.endianness() === 'BE') {
    throw new NativeAddonError('ERR_NETNS_NATIVE_BIG_ENDIAN', describeBigEndianHost(hostFacts()));
  }
  if (!(Number(process.versions.napi) >= REQUIRED_NAPI_VERSION)) throw noAddon({ kind: 'none-matched' });
  const override = process.env.NETNS_NATIVE_ADDON;
  if (override) {
    try {
      if (!path.isAbsolute(override)) throw new Error('not an absolute path');
      return requireAddon(override);
    } catch (error) {
      throw noAddon({ kind: 'override-failed', file: override, loaderMessage: String((error as Error).message) });
    }
  }
  let file: string;
  try {
    file = nodeGypBuild.resolve(packageRoot);
  } catch {
    throw noAddon({ kind: 'none-matched' });
  }
  try {
    return requireAddon(file);
  } catch (error) {
    const loaderMessage = String((error as Error).message);
    throw noAddon({ kind: 'load-failed', file: path.relative(packageRoot, file), loaderMessage });
  }
}

/** @internal */
export const native = loadAddon();

if (!native.threadpoolWarmed) {
  throw new Error(
    'netns-native: could not start the libuv threadpool at load; ' +
      'namespace switches would strand it in a foreign namespace',
  );
}
