// The socket a watch listens on: NETLINK_ROUTE, bound to the multicast
// groups of the kinds watched, made in the observer's namespace (the calling
// thread's). With `allNsid` it also hears every namespace that has an nsid
// there (NETLINK_LISTEN_ALL_NSID), each datagram labelled with that nsid.
// It is read on the event loop (a readable-fd watch, no thread) until the
// kernel has nothing queued; an overrun (ENOBUFS) is handed on, never fatal.
import { native } from '../binding';
import { check, failedWith } from '../errors';
import { type NetlinkMessage, parseMessages } from '../rtnl/wire';
import { type NativeFdWatch, events } from './native-events';

const { AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, SOL_NETLINK, SOL_SOCKET } = native.constants;
const C = events.netlinkEventConstants;

/** Multicast groups (rtnetlink.h RTNLGRP_*). */
export const GROUPS = { link: [1], address: [5, 9], route: [7, 11], nsid: [28] } as const;

/** Large enough for any rtnetlink notification (a datagram larger than this is reported as an overrun). */
const READ_BUFFER_SIZE = 256 * 1024;

export interface EventSocketHandlers {
  /** One datagram's messages; nsid absent: from the observer's own namespace. */
  datagram(messages: NetlinkMessage[], nsid: number | undefined): void;
  /** The kernel dropped messages (ENOBUFS), or one could not be read whole. */
  overrun(): void;
  /** Reading failed otherwise, or `datagram` threw (reported; the watch goes on). */
  failure(error: Error): void;
}

export interface EventSocketOptions {
  groups: readonly number[];
  allNsid: boolean;
  /** Bytes asked for SO_RCVBUF(FORCE); undefined leaves the default. */
  receiveBufferSize?: number;
}

export class EventSocket {
  #fd: number;
  #watch: NativeFdWatch | undefined;
  readonly #buffer = Buffer.allocUnsafe(READ_BUFFER_SIZE);
  readonly #handlers: EventSocketHandlers;
  #paused = false;

  constructor(options: EventSocketOptions, handlers: EventSocketHandlers) {
    this.#handlers = handlers;
    const made = check(native.socket(AF_NETLINK, SOCK_RAW | native.constants.SOCK_NONBLOCK, NETLINK_ROUTE));
    this.#fd = made;
    try {
      if (options.receiveBufferSize !== undefined) {
        // FORCE goes past net.core.rmem_max (root); plain SO_RCVBUF where it is refused.
        const forced = native.setsockoptInt(this.#fd, SOL_SOCKET, C.SO_RCVBUFFORCE, options.receiveBufferSize);
        if (forced !== undefined) {
          check(native.setsockoptInt(this.#fd, SOL_SOCKET, C.SO_RCVBUF, options.receiveBufferSize));
        }
      }
      let mask = 0;
      for (const group of options.groups) {
        if (group <= 32) mask |= 1 << (group - 1);
        else check(native.setsockoptInt(this.#fd, SOL_NETLINK, C.NETLINK_ADD_MEMBERSHIP, group));
      }
      if (options.allNsid) check(native.setsockoptInt(this.#fd, SOL_NETLINK, C.NETLINK_LISTEN_ALL_NSID, 1));
      const address = Buffer.alloc(12);
      address.writeUInt16LE(AF_NETLINK, 0);
      address.writeUInt32LE(mask >>> 0, 8);
      check(native.bind(this.#fd, address));
      const watch = check(events.watchFd((errno) => this.#readable(errno)));
      // From here on the socket is the watch's duplicate, which the watch
      // closes (also when a worker ends without close()).
      this.#fd = check(watch.start(made));
      this.#watch = watch;
      native.close(made);
    } catch (error) {
      if (this.#watch === undefined) native.close(made);
      this.close();
      throw error;
    }
  }

  /** The receive buffer the kernel granted (it doubles what is asked, for its bookkeeping). */
  get receiveBufferSize(): number {
    return check(native.getsockoptInt(this.#fd, SOL_SOCKET, C.SO_RCVBUF));
  }

  get closed(): boolean {
    return this.#fd < 0;
  }

  ref(): void {
    this.#watch?.ref();
  }

  unref(): void {
    this.#watch?.unref();
  }

  /** @internal For tests and benchmarks: stop reading (the kernel's buffer fills) until resume(). */
  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    setImmediate(() => this.drain());
  }

  /**
   * errno set: the socket polled as an error, which is how a pending overrun
   * (ENOBUFS) shows; reading takes it off (and reports it), and the native
   * watch polls again.
   */
  #readable(errno: number | null): void {
    if (!this.#paused || errno !== null) this.drain();
  }

  /** Reads everything queued now. */
  drain(): void {
    while (this.#fd >= 0) {
      const got = events.recvmsgNsid(this.#fd, this.#buffer, C.MSG_DONTWAIT);
      if (failedWith(got, 'EAGAIN')) return;
      if (failedWith(got, 'ENOBUFS')) {
        this.#handlers.overrun();
        continue; // what is still queued stays readable
      }
      if (got instanceof Error) {
        this.#handlers.failure(got);
        return;
      }
      if (got.truncated) {
        this.#handlers.overrun();
        continue;
      }
      // The messages are parsed now, while the shared buffer still holds them.
      let messages: NetlinkMessage[];
      try {
        messages = parseMessages(this.#buffer.subarray(0, got.length));
      } catch (error) {
        this.#handlers.failure(error as Error);
        continue;
      }
      try {
        this.#handlers.datagram(messages, got.nsid);
      } catch (error) {
        // Thrown on from here it would be uncaught, on the event loop: a
        // datagram that could not be handled is reported as one not read is.
        this.#handlers.failure(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }

  /** The fd, for asking which namespace the socket is in (SIOCGSKNS); -1 once closed. */
  get fd(): number {
    return this.#fd;
  }

  /** Stops polling; the watch closes the socket (on the loop's next close phase). */
  close(): void {
    this.#watch?.stop();
    this.#watch = undefined;
    this.#fd = -1;
  }
}
