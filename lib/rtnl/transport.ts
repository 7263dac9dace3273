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
import { type Steps, runAtOnce } from '../steps';
import { closeOnThreadEnd } from '../thread-end';
import { NLM_F_ACK, NLM_F_DUMP } from './constants';
import { NLMSGHDR } from './headers';
import { type NetlinkMessage, type Replies, sortReplies } from './wire';

const {
  AF_NETLINK,
  SOCK_RAW,
  NETLINK_ROUTE,
  SOL_NETLINK,
  NETLINK_EXT_ACK,
  NETLINK_GET_STRICT_CHK,
  MSG_TRUNC,
  MSG_DONTWAIT,
  SOL_SOCKET,
  SO_RCVBUF,
} = native.constants;

/**
 * How much one read offers at first. The kernel sizes the parts of a dump by
 * the largest read it has seen, up to 32 KiB, and a single message is rarely
 * more than a few KiB, so one read takes one whole datagram: no peek first.
 * A datagram larger than the offer (MSG_TRUNC tells its real size) is cut by
 * the kernel; the room then grows to that size, and the exchange
 * is asked again where that is safe (dumps, which change nothing).
 */
const FIRST_OFFER = 64 * 1024;

/** How often a dump is asked again because a datagram outgrew the room. */
const MAX_REGROWTHS = 3;
/** Failures other than EAGAIN passed over while draining a socket, before giving up on it. */
const DRAIN_FAILURES = 4;
/** Dumps that raced a change (NLM_F_DUMP_INTR) are retried this many times in all. */
const DUMP_ATTEMPTS = 4;

/** What a socket can be made inside: the namespace reference (lib/ref.ts), which a NetNamespace is. */
export type Enterable = Pick<NamespaceRef, 'enter'>;

/** The key a handle keeps its rtnetlink socket under. */
const KEPT = Symbol('rtnetlink socket');

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

/** A send (with how many requests its datagram carried) or a receive. */
export type ExchangeHook = (event: 'send' | 'recv', requests: number) => void;

let exchangeTrace: ExchangeHook | undefined;

/**
 * For tests: `hook` is told of every send (and how many requests it
 * carried) and every receive on any rtnetlink socket (undefined stops it),
 * so a test can show that requests were pipelined (all sent before the
 * first answer was read). Not a stand-in for the kernel: the calls still go
 * to it.
 */
export function traceExchanges(hook: ExchangeHook | undefined): void {
  exchangeTrace = hook;
}

/** Posted requests go out together once they reach this size (well under the default send buffer). */
const POSTED_BYTES = 64 * 1024;

/**
 * Where datagrams are read, shared by every socket of this thread (each read's
 * bytes are copied out before the next read): a map opens a socket in each of
 * hundreds of namespaces, and a room of its own for each cost more in
 * allocation and garbage collection than the reads themselves. It only grows,
 * when a datagram did not fit.
 */
let sharedRoom = Buffer.allocUnsafeSlow(FIRST_OFFER);

export class RtnlSocket implements Disposable {
  #fd: number;
  #seq = 0;
  /** Kept with a handle: `using` does not close it (the handle's close() does). */
  #kept = false;
  /** Requests posted and not yet sent, and their size. */
  #posted: Buffer[] = [];
  #postedBytes = 0;
  /** A dump read in steps is under way: nothing else may be sent until it ends. */
  #dumping = false;
  /** What growReceiveBuffer asked for (0: the kernel's default), and what the kernel granted. */
  #receiveBuffer = 0;
  #granted = 0;

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
    // Closed by close(), or when this thread ends first: a worker terminated
    // midway through a map (or leaving a handle open) runs no finally.
    closeOnThreadEnd(fd, () => native.close(fd));
    return new RtnlSocket(fd);
  }

  /** A socket made inside `ns` (the thread is there for socket(2) only). */
  static inside(ns: Enterable): RtnlSocket {
    return ns.enter(() => RtnlSocket.here());
  }

  /**
   * The socket to use for `ns`: the one kept with it (made inside on first
   * use, closed when the handle closes; see NamespaceRef.keep), or, for a
   * reference that keeps nothing, one made now. Either way, `using` it is
   * right: disposing a kept socket leaves it open for the next call.
   */
  static of(ns: Pick<NamespaceRef, 'enter' | 'keep'>): RtnlSocket {
    if (ns.keep === undefined) return RtnlSocket.inside(ns);
    return ns.keep(KEPT, () => {
      const socket = RtnlSocket.inside(ns);
      socket.#kept = true;
      return socket;
    });
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
      const replies = this.#receiveWhole(seq, operation);
      data.push(...replies.data);
      if (replies.ack) {
        if (replies.ack.errno < 0) throw refusal(operation, replies.ack.errno, replies.ack.message);
        return data;
      }
    }
  }

  /**
   * Asks for a receive buffer of `bytes` (the kernel caps it at
   * net.core.rmem_max, then doubles it for its bookkeeping), once per
   * socket, and returns what the kernel granted: pipelined requests queue
   * their answers there until they are read, and an answer that does not fit
   * is dropped.
   */
  growReceiveBuffer(bytes: number): number {
    if (this.#receiveBuffer < bytes) {
      check(native.setsockoptInt(this.#fd, SOL_SOCKET, SO_RCVBUF, bytes));
      this.#receiveBuffer = bytes;
      this.#granted = check(native.getsockoptInt(this.#fd, SOL_SOCKET, SO_RCVBUF));
    }
    return this.#granted;
  }

  /**
   * Has the kernel check this socket's requests strictly
   * (NETLINK_GET_STRICT_CHK): only then does it apply a dump's filter
   * attributes (RTM_GETNSID's NETNSA_TARGET_NSID among them); otherwise it
   * ignores them and answers the unfiltered dump.
   */
  checkStrictly(): void {
    if (this.#fd < 0) throw new Error('netlink socket is closed');
    check(native.setsockoptInt(this.#fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1));
  }

  /**
   * Queues a request with NLM_F_ACK and returns its sequence number, without
   * reading anything. Queued requests go out together, several messages in
   * one datagram, on flush() (and before any read or other request on this
   * socket); the kernel does them one after another in the sender's context,
   * acks each (a refusal does not stop the ones after it), and by the time
   * the send returns their answers wait in the socket's queue, in order.
   * Read each with readAck.
   */
  post(build: (seq: number) => Buffer): number {
    const seq = this.#next();
    const message = build(seq);
    assertFlags(message, NLM_F_ACK);
    this.#queue(message);
    return seq;
  }

  /**
   * Queues a question: a GET by key sent without NLM_F_ACK (as ip asks
   * RTM_GETNSID), which the kernel answers with exactly one message, the
   * data asked for or an NLMSG_ERROR refusing it: one datagram to read
   * where a request with NLM_F_ACK takes two. It goes out with the posted
   * requests, in order; read its answer with readAnswer.
   */
  postQuestion(build: (seq: number) => Buffer): number {
    const seq = this.#next();
    const message = build(seq);
    const flags = message.readUInt16LE(NLMSGHDR.fields.flags.offset);
    if ((flags & (NLM_F_ACK | NLM_F_DUMP)) !== 0) {
      throw new Error('netlink: a question is sent without NLM_F_ACK and NLM_F_DUMP');
    }
    this.#queue(message);
    return seq;
  }

  #queue(message: Buffer): void {
    this.#posted.push(message);
    this.#postedBytes += message.length;
    if (this.#postedBytes >= POSTED_BYTES) this.flush();
  }

  /** Sends the posted requests that are still queued, in one datagram. */
  flush(): void {
    if (this.#posted.length === 0) return;
    this.#refuseDuringDump();
    const posted = this.#posted;
    this.#posted = [];
    this.#postedBytes = 0;
    if (this.#fd < 0) throw new Error('netlink socket is closed');
    check(native.send(this.#fd, posted.length === 1 ? posted[0] : Buffer.concat(posted), 0));
    exchangeTrace?.('send', posted.length);
  }

  /**
   * Reads the answer to a posted request (answers come in the order sent, so
   * every earlier one must have been read): the data messages before its ack
   * (an echo), and the kernel's refusal as a NetnsError if it refused.
   */
  readAck(seq: number, operation: Operation): { data: NetlinkMessage[]; error?: NetnsError } {
    this.flush();
    const data: NetlinkMessage[] = [];
    for (;;) {
      const replies = this.#receiveWhole(seq, operation);
      data.push(...replies.data);
      if (replies.ack) {
        const { errno, message } = replies.ack;
        return errno < 0 ? { data, error: refusal(operation, errno, message) } : { data };
      }
    }
  }

  /**
   * Reads the answer to a posted question (in the order sent, as readAck):
   * its data message, or the kernel's refusal as a NetnsError.
   */
  readAnswer(seq: number, operation: Operation): { data: NetlinkMessage[]; error?: NetnsError } {
    this.flush();
    for (;;) {
      const replies = this.#receiveWhole(seq, operation);
      if (replies.ack) {
        const { errno, message } = replies.ack;
        return errno < 0 ? { data: replies.data, error: refusal(operation, errno, message) } : { data: replies.data };
      }
      if (replies.data.length > 0) return { data: replies.data };
    }
  }

  /**
   * A dump, read until NLMSG_DONE for its sequence number. One that raced a
   * change is asked again, a few times; then it is returned as it is, with
   * `interrupted` set (failing would break callers over a transient race).
   */
  dump(operation: Operation, build: (seq: number) => Buffer): DumpResult {
    return runAtOnce(this.dumpSteps(operation, build));
  }

  /**
   * dump() as steps (steps.ts): yields after each datagram read and before
   * each retry, so that reading a dump of thousands of links, or one asked
   * again and again while links change, is never one long stretch of a
   * caller running in slices (parsing what was read is the caller's step).
   * Nothing else may be sent on this socket while the kernel dumps (it
   * throws); steps abandoned midway read the rest of the dump and drop it,
   * so the socket can be used again.
   */
  *dumpSteps(operation: Operation, build: (seq: number) => Buffer): Steps<DumpResult> {
    // One generator, not one per asking: a map runs hundreds of small dumps through here.
    let attempts = 0;
    let regrowths = 0;
    for (;;) {
      attempts++;
      const seq = this.#send(build, NLM_F_DUMP);
      const messages: NetlinkMessage[] = [];
      let interrupted = false;
      let datagrams = 0;
      let cut = false;
      let ended = false;
      this.#dumping = true;
      try {
        for (;;) {
          const replies = this.#receive(seq, operation);
          if (replies === 'cut') {
            cut = true;
            break;
          }
          datagrams++;
          for (const message of replies.data) messages.push(message);
          interrupted ||= replies.interrupted;
          const end = replies.done ?? replies.ack;
          if (end !== undefined) {
            ended = true;
            if (end.errno < 0) throw refusal(operation, end.errno, end.message);
            break;
          }
          yield;
        }
      } finally {
        this.#dumping = false;
        // Cut, failed or abandoned before its end: what is left of it is read and dropped.
        if (!ended) this.#drain();
      }
      if (cut) {
        // Not a race: asked again with room for the whole datagram (the room only grows).
        attempts--;
        if (++regrowths > MAX_REGROWTHS) throw cutReply(operation);
        continue;
      }
      if (!interrupted || attempts === DUMP_ATTEMPTS) return { messages, interrupted, datagrams, attempts };
      yield; // it raced a change: asked again after a turn
    }
  }

  close(): void {
    if (this.#fd < 0) return;
    native.close(this.#fd);
    this.#fd = -1;
  }

  /** Closes the socket, unless it is kept with a handle (which closes it). */
  [Symbol.dispose](): void {
    if (!this.#kept) this.close();
  }

  #next(): number {
    this.#seq = (this.#seq % 0x7fffffff) + 1;
    return this.#seq;
  }

  #send(build: (seq: number) => Buffer, flags: number): number {
    this.#refuseDuringDump();
    this.flush(); // posted requests first: their answers come before this one's
    if (this.#fd < 0) throw new Error('netlink socket is closed');
    const seq = this.#next();
    const message = build(seq);
    assertFlags(message, flags);
    check(native.send(this.#fd, message, 0));
    exchangeTrace?.('send', 1);
    return seq;
  }

  /**
   * One datagram, sorted for `seq`, in one read. The parsed messages are views
   * into the bytes returned, so they are copied out of the socket's room (a
   * copy costs far less than a second system call).
   */
  #receive(seq: number, operation: Operation): Replies | 'cut' {
    const room = sharedRoom;
    const got = native.recv(this.#fd, room, MSG_TRUNC | MSG_DONTWAIT);
    exchangeTrace?.('recv', 0);
    if (failedWith(got, 'EAGAIN')) {
      throw new NetnsError({
        errno: errnoOf('EAGAIN'),
        syscall: 'recv',
        path: operation.what,
        description: 'the kernel sent no answer',
      });
    }
    const size = check(got);
    if (size > room.length) {
      sharedRoom = Buffer.allocUnsafeSlow(size);
      return 'cut';
    }
    const datagram = Buffer.allocUnsafe(size);
    room.copy(datagram, 0, 0, size);
    return sortReplies(datagram, seq);
  }

  /** A request's reply cannot be asked for again (the change is made): a cut one is an error. */
  #receiveWhole(seq: number, operation: Operation): Replies {
    const replies = this.#receive(seq, operation);
    if (replies !== 'cut') return replies;
    this.#drain();
    throw cutReply(operation);
  }

  /** While the kernel dumps, nothing else is sent: the dump's parts would be read as the other exchange's answers. */
  #refuseDuringDump(): void {
    if (this.#dumping) throw new Error('netlink socket is in the middle of a dump read in steps: use another socket');
  }

  /**
   * Reads and drops whatever is still queued (the rest of an abandoned
   * exchange; a dump's next part is made by the read before) until the
   * queue is empty (EAGAIN). Another failure is passed over a few times (a
   * dump that could not allocate its next part says ENOBUFS once and goes
   * on), then ends it: a socket that fails every read must not loop here.
   */
  #drain(): void {
    if (this.#fd < 0) return;
    for (let failures = 0; failures < DRAIN_FAILURES;) {
      const got = native.recv(this.#fd, sharedRoom, MSG_TRUNC | MSG_DONTWAIT);
      if (typeof got === 'number') continue;
      if (failedWith(got, 'EAGAIN', 'EBADF')) return;
      failures++;
    }
  }
}

/** The builder sets the flags; an exchange cannot end without these. */
function assertFlags(message: Buffer, flags: number): void {
  if ((message.readUInt16LE(NLMSGHDR.fields.flags.offset) & flags) !== flags) {
    throw new Error(`netlink: a request sent this way must carry flags 0x${flags.toString(16)}`);
  }
}

function cutReply(operation: Operation): NetnsError {
  return new NetnsError({
    errno: errnoOf('EMSGSIZE'),
    syscall: 'recv',
    path: operation.what,
    description: 'the reply was larger than the read offered, and the kernel cut it',
  });
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
