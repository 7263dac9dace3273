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
  gettid(): number;
}

const packageRoot = path.join(__dirname, '..');

// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = require('node-gyp-build') as (dir: string) => unknown;

export const native = load(packageRoot) as NativeBinding;
