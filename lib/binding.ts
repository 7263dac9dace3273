// Loads the compiled addon: a prebuild from prebuilds/ when one matches,
// otherwise build/Release. Both lib/ (sources) and dist/ sit one level below
// the package root, so the same relative path works from either.
import path from 'node:path';

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
  AF_INET: number;
  AF_INET6: number;
  AF_UNIX: number;
  SOCK_STREAM: number;
  SOCK_DGRAM: number;
  SOCK_RAW: number;
  SOCK_NONBLOCK: number;
  SOL_SOCKET: number;
  SO_REUSEADDR: number;
  IPPROTO_IPV6: number;
  IPV6_V6ONLY: number;
}

/** The raw addon. Every function throws a Node-shaped Error on failure. */
export interface NativeBinding {
  constants: NativeConstants;
  setns(fd: number, nstype: number): void;
  unshare(flags: number): void;
  nsGetNstype(fd: number): number;
  nsGetUserns(fd: number): number;
  nsGetParent(fd: number): number;
  nsGetOwnerUid(fd: number): number;
  mount(source: string | null, target: string, fstype: string | null,
    flags: number, data: string | null): void;
  umount2(target: string, flags: number): void;
  flock(fd: number, operation: number): void;
  pidfdOpen(pid: number, flags: number): number;
  pidfdSendSignal(pidfd: number, signal: number): void;
  pidfdGetNetNamespace(pidfd: number): number;
  /** open(2) with O_CLOEXEC always added; the fd is the addon's, not node:fs's. */
  open(path: string, flags: number): number;
  /** close(2) for fds the addon returned; fds from node:fs go back through node:fs. */
  close(fd: number): void;
  /** Closes an addon-owned fd when this JS environment (thread) is torn down. */
  closeOnEnvTeardown(fd: number): void;
  /** Sends one netlink request from the calling thread; returns the first reply datagram. */
  netlinkRequest(protocol: number, request: Buffer): Buffer;
  /** socket(2) with SOCK_CLOEXEC always added, on the calling thread. */
  socket(domain: number, type: number, protocol: number): number;
  /** bind(2) with a raw struct sockaddr. */
  bind(fd: number, address: Buffer): void;
  setsockoptInt(fd: number, level: number, name: number, value: number): void;
  /** pipe2(O_CLOEXEC): [readFd, writeFd]. */
  pipe(): [number, number];
  /** clone3 a child that runs `steps`, sets up stdio and execs; see CloneSpec. */
  clone(spec: CloneSpec): { pid: number; pidfd: number };
  /** Reaps the child on a native thread; calls back on this thread. */
  waitPidfd(pidfd: number,
    callback: (errno: number | null, code: number | null, signal: NodeJS.Signals | null) => void): void;
  gettid(): number;
}

/** One step the cloned child runs before exec, in order. */
export type CloneStep =
  | { op: 'setns'; fd: number; flags: number; optional?: boolean }
  | { op: 'unshare'; flags: number; optional?: boolean }
  | { op: 'mount'; source?: string; target: string; fstype?: string; mountFlags: number;
      data?: string; optional?: boolean }
  | { op: 'umount2'; target: string; flags: number; optional?: boolean };

export interface CloneSpec {
  /** Absolute path of the program (no PATH search here). */
  file: string;
  argv: string[];
  envp: string[];
  cwd?: string;
  /**
   * fds to put at 0, 1, 2 in the child; n at position n keeps that fd,
   * clearing close-on-exec. -1 leaves it as it is, and Node keeps its own
   * fds 0-2 close-on-exec: pass [0, 1, 2] for a child that shares our stdio.
   */
  stdio?: [number, number, number];
  /** CLONE_NEW* flags: namespaces the child is created in. */
  cloneFlags?: number;
  steps?: CloneStep[];
}

const packageRoot = path.join(__dirname, '..');

// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = require('node-gyp-build') as (dir: string) => unknown;

export const native = load(packageRoot) as NativeBinding;
