// The addon's event pieces (native/netlink-events.cc), typed: recvmsg with
// the sender's nsid and a readable-fd watch on the event loop.
import { type NativeFailure, native } from '../binding';

export interface ReceivedDatagram {
  /** The datagram's real size (larger than the buffer when truncated). */
  length: number;
  truncated: boolean;
  /** The sender's nsid in the listener's namespace; absent: the listener's own namespace. */
  nsid?: number;
}

/** @internal Calls back with null each time the fd is readable, or a (negative) errno when polling failed. */
export interface NativeFdWatch {
  /** Polls a duplicate of fd and returns it: the watch closes it when stopped or torn down. */
  start(fd: number): number | NativeFailure;
  ref(): void;
  unref(): void;
  stop(): void;
}

interface NetlinkEventBinding {
  recvmsgNsid(fd: number, buffer: Uint8Array, flags: number): ReceivedDatagram | NativeFailure;
  watchFd(callback: (errno: number | null) => void): NativeFdWatch | NativeFailure;
  netlinkEventConstants: {
    NETLINK_ADD_MEMBERSHIP: number;
    NETLINK_NO_ENOBUFS: number;
    NETLINK_LISTEN_ALL_NSID: number;
    SO_RCVBUF: number;
    SO_RCVBUFFORCE: number;
    MSG_DONTWAIT: number;
    MSG_TRUNC: number;
  };
}

/** @internal */
export const events = native as unknown as NetlinkEventBinding;
