// The raw system calls, one to one, for callers who want them. They throw
// NetnsError on failure and do no policy: sys.setns moves the calling thread
// without enterNetns knowing, so prefer enterNetns/NetNamespace.
import { type CloneSpec, type NativeConstants, native } from './binding';
import { toNetnsError } from './errors';

type AnyFunction = (...args: never[]) => unknown;

function wrap<F extends AnyFunction>(call: F): F {
  return function wrapped(...args: Parameters<F>) {
    try {
      return call(...args);
    } catch (error) {
      throw toNetnsError(error);
    }
  } as F;
}

export interface Sys {
  readonly constants: Readonly<NativeConstants>;
  /** setns(2) on the calling thread. */
  setns(fd: number, nstype: number): void;
  /** unshare(2) on the calling thread. */
  unshare(flags: number): void;
  /** mount(2); pass null for an unused source, fstype or data. */
  mount(source: string | null, target: string, fstype: string | null,
    flags: number, data?: string | null): void;
  umount2(target: string, flags: number): void;
  flock(fd: number, operation: number): void;
  /** pidfd_open(2); the fd is always close-on-exec. */
  pidfdOpen(pid: number, flags?: number): number;
  pidfdSendSignal(pidfd: number, signal: number): void;
  /** ioctl(pidfd, PIDFD_GET_NET_NAMESPACE): a new O_CLOEXEC nsfs fd (Linux 6.11+). */
  pidfdGetNetNamespace(pidfd: number): number;
  /** ioctl(fd, NS_GET_NSTYPE): the CLONE_NEW* value of an nsfs fd. */
  nsGetNstype(fd: number): number;
  /** ioctl(fd, NS_GET_USERNS): a new fd on the owning user namespace. */
  nsGetUserns(fd: number): number;
  /** ioctl(fd, NS_GET_PARENT) (pid and user namespaces only). */
  nsGetParent(fd: number): number;
  /** ioctl(fd, NS_GET_OWNER_UID) on a user namespace fd. */
  nsGetOwnerUid(fd: number): number;
  /** close(2) for fds returned by sys calls (pidfds, namespace fds from ioctls). */
  close(fd: number): void;
  /** socket(2) on the calling thread, always SOCK_CLOEXEC; close with sys.close or hand to net/dgram. */
  socket(domain: number, type: number, protocol?: number): number;
  /** bind(2) with the raw bytes of a struct sockaddr. */
  bind(fd: number, address: Buffer): void;
  /** setsockopt(2) with an int value. */
  setsockoptInt(fd: number, level: number, name: number, value: number): void;
  /**
   * clone3(2) a child that joins/creates namespaces and runs mount steps, then
   * execs `spec.file`. Returns its pid and a pidfd; a failing step or exec
   * throws (the child is reaped). Await the exit with waitPidfd.
   */
  clone(spec: CloneSpec): { pid: number; pidfd: number };
  /** Calls back once the child exits and is reaped, without blocking the event loop. */
  waitPidfd(pidfd: number,
    callback: (errno: number | null, code: number | null, signal: NodeJS.Signals | null) => void): void;
  /** pipe2(O_CLOEXEC): [readFd, writeFd]. */
  pipe(): [number, number];
  /** gettid(2): the calling thread's id, for /proc/PID/task/TID paths. */
  gettid(): number;
}

// The calls with optional arguments get their defaults in front of these.
const mount = wrap(native.mount);
const pidfdOpen = wrap(native.pidfdOpen);
const socket = wrap(native.socket);

export const sys: Sys = Object.freeze({
  constants: Object.freeze({ ...native.constants }),
  setns: wrap(native.setns),
  unshare: wrap(native.unshare),
  mount: (source: string | null, target: string, fstype: string | null,
    flags: number, data: string | null = null) => mount(source, target, fstype, flags, data),
  umount2: wrap(native.umount2),
  flock: wrap(native.flock),
  pidfdOpen: (pid: number, flags = 0) => pidfdOpen(pid, flags),
  pidfdSendSignal: wrap(native.pidfdSendSignal),
  pidfdGetNetNamespace: wrap(native.pidfdGetNetNamespace),
  nsGetNstype: wrap(native.nsGetNstype),
  nsGetUserns: wrap(native.nsGetUserns),
  nsGetParent: wrap(native.nsGetParent),
  nsGetOwnerUid: wrap(native.nsGetOwnerUid),
  close: wrap(native.close),
  socket: (domain: number, type: number, protocol = 0) => socket(domain, type, protocol),
  bind: wrap(native.bind),
  setsockoptInt: wrap(native.setsockoptInt),
  clone: wrap(native.clone),
  waitPidfd: wrap(native.waitPidfd),
  pipe: wrap(native.pipe),
  gettid: native.gettid,
});
