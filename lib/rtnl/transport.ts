// A NETLINK_ROUTE socket in one network namespace, and the two exchanges
// rtnetlink has: a request answered by an ack (after any data), and a dump
// answered by parts until NLMSG_DONE. The socket belongs to the namespace of
// the thread that made it, for good (DESIGN.md §5), so it is made inside the
// target and then used from anywhere; the calling thread never stays moved.
//
// The kernel answers in the sender's context: by the time send() returns,
// the reply (or a dump's first part) is queued, and each recv() queues the
// next part. So every read is non-blocking, and "nothing queued" is an
// error, never a wait.
import os from 'node:os';
import { native } from '../binding';
import { NetnsError, check, errnoOf, failedWith } from '../errors';
import type { NamespaceRef } from '../ref';
import { NLM_F_ACK, NLM_F_DUMP } from './constants';
import { NLMSGHDR } from './headers';
import { type NetlinkMessage, type Replies, sortReplies } from './wire';

const { AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, SOL_NETLINK, NETLINK_EXT_ACK, MSG_PEEK, MSG_TRUNC, MSG_DONTWAIT } =
  native.constants;

/**
 * Where a datagram is peeked at to learn its size. It offers 32 KiB, as
 * iproute2's reads do: the kernel sizes the next parts of a dump by the
 * largest read it has seen, so a dump comes in a few parts of up to 32 KiB
 * rather than many of one page. (Its content is not used: the datagram is
 * then read into a buffer of its own size.)
 */
const PEEK = Buffer.alloc(32 * 1024);
/** Dumps that raced a change (NLM_F_DUMP_INTR) are retried this many times in all. */
const DUMP_ATTEMPTS = 4;

/** What a socket can be made inside: the namespace reference (lib/ref.ts), which a NetNamespace is. */
export type Enterable = Pick<NamespaceRef, 'enter'>;

/** Names the operation and its subject in errors: `RTM_NEWLINK 'veth0'`. */
export interface Operation {
  /** 'RTM_NEWLINK', 'RTM_GETADDR', ... */
  what: string;
  /** The interface, address or route concerned, when there is one. */
  subject?: string;
  /** Which step of a composite change this is, for the error ('renaming 'a' to 'b' in net:[...]'). */
  step?: string;
}

export interface DumpResult {
  messages: NetlinkMessage[];
  /** Still inconsistent after every retry: returned as it is, with a warning. */
  interrupted: boolean;
  /** How many times the dump was asked for (more than 1: it raced a change and was retried). */
  attempts: number;
  /** Datagrams the returned dump came in (more than 1: a multipart dump). */
  datagrams: number;
}

export class RtnlSocket implements Disposable {
  #fd: number;
  #seq = 0;

  private constructor(fd: number) {
    this.#fd = fd;
  }

  /** A socket made on the calling thread: it speaks for this thread's namespace. */
  static here(): RtnlSocket {
    if (os.endianness() !== 'LE') {
      // Netlink is in host byte order, and the codec (wire.ts) writes little endian.
      throw new Error('netns-native: rtnetlink is supported on little-endian hosts only');
    }
    const fd = check(native.socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
    // Extended acks: failures come with the kernel's own explanation (where
    // the kernel has them: before 4.12 it refuses the option, as iproute2 accepts).
    const acks = native.setsockoptInt(fd, SOL_NETLINK, NETLINK_EXT_ACK, 1);
    if (acks !== undefined && !failedWith(acks, 'ENOPROTOOPT')) {
      native.close(fd);
      check(acks);
    }
    return new RtnlSocket(fd);
  }

  /** A socket made inside `ns` (the thread is there for socket(2) only). */
  static inside(ns: Enterable): RtnlSocket {
    return ns.enter(() => RtnlSocket.here());
  }

  /**
   * Sends one request with NLM_F_ACK and reads until its ack: returns the
   * data messages that came before it (a GET's answer), or throws the
   * kernel's refusal as a NetnsError with its extended-ack text.
   */
  request(operation: Operation, build: (seq: number) => Buffer): NetlinkMessage[] {
    const seq = this.#send(build, NLM_F_ACK);
    const data: NetlinkMessage[] = [];
    for (;;) {
      const replies = this.#receive(seq, operation);
      data.push(...replies.data);
      if (replies.ack) {
        if (replies.ack.errno < 0) throw refusal(operation, replies.ack.errno, replies.ack.message);
        return data;
      }
    }
  }

  /**
   * A dump, read until NLMSG_DONE for its sequence number. One that raced a
   * change is asked again, a few times; then it is returned as it is, with
   * `interrupted` set (failing would break callers over a transient race).
   */
  dump(operation: Operation, build: (seq: number) => Buffer): DumpResult {
    let messages: NetlinkMessage[] = [];
    let interrupted = false;
    let attempts = 0;
    let datagrams = 0;
    while (attempts < DUMP_ATTEMPTS) {
      attempts++;
      const seq = this.#send(build, NLM_F_DUMP);
      messages = [];
      interrupted = false;
      datagrams = 0;
      for (;;) {
        const replies = this.#receive(seq, operation);
        datagrams++;
        messages.push(...replies.data);
        interrupted ||= replies.interrupted;
        const end = replies.done ?? replies.ack;
        if (end === undefined) continue;
        if (end.errno < 0) throw refusal(operation, end.errno, end.message);
        break;
      }
      if (!interrupted) break;
    }
    return { messages, interrupted, attempts, datagrams };
  }

  close(): void {
    if (this.#fd < 0) return;
    native.close(this.#fd);
    this.#fd = -1;
  }

  [Symbol.dispose](): void {
    this.close();
  }

  #send(build: (seq: number) => Buffer, flags: number): number {
    if (this.#fd < 0) throw new Error('netlink socket is closed');
    this.#seq = (this.#seq % 0x7fffffff) + 1;
    const message = build(this.#seq);
    // The builder sets the flags; this exchange cannot end without these.
    if ((NLMSGHDR.decode(message).flags & flags) !== flags) {
      throw new Error(`netlink: a request sent this way must carry flags 0x${flags.toString(16)}`);
    }
    check(native.send(this.#fd, message, 0));
    return this.#seq;
  }

  /**
   * One datagram, sorted for `seq`. Its size is asked first (MSG_PEEK with
   * MSG_TRUNC, which answers the whole size even when it exceeds the peek
   * buffer), and it gets a buffer of its own: the parsed messages are views
   * into it and must outlive the next read.
   */
  #receive(seq: number, operation: Operation): Replies {
    const peeked = native.recv(this.#fd, PEEK, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
    if (failedWith(peeked, 'EAGAIN')) {
      throw new NetnsError({
        errno: errnoOf('EAGAIN'),
        syscall: 'recv',
        path: operation.what,
        description: 'the kernel sent no answer',
        hint: '',
      });
    }
    const datagram = Buffer.allocUnsafe(check(peeked));
    const got = check(native.recv(this.#fd, datagram, MSG_DONTWAIT));
    return sortReplies(datagram.subarray(0, got), seq);
  }
}

function refusal(operation: Operation, errno: number, kernelMessage?: string): NetnsError {
  return new NetnsError({
    errno,
    syscall: operation.what,
    path: operation.subject,
    step: operation.step,
    kernelMessage,
  });
}
