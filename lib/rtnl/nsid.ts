// The nsid that the calling thread's namespace assigned to another namespace
// (RTM_GETNSID), as `ip netns list` shows it: "(id: N)". Asking never
// assigns one.
import { RTM_NEWNSID } from './constants';
import { nsidDumpRequest } from './nsid-assign';
import { answersForTarget, getNsidRequest, parseNsidReply } from './nsid-codec';
import type { NetnsError } from '../errors';
import type { RtnlSocket } from './transport';

/** Whose table to read: the socket's (by default), or the one of the namespace it numbers `targetNsid`. */
export interface NsidTable {
  targetNsid?: number;
}

/** The nsid of the namespace `fd` refers to, as `socket`'s namespace (or the target it numbers) numbers it. */
export function nsidIn(socket: RtnlSocket, fd: number, table: NsidTable = {}): number | undefined {
  const [reply] = socket.request({ what: 'RTM_GETNSID' }, (seq) =>
    getNsidRequest(seq, fd, { ack: true, targetNsid: table.targetNsid }),
  );
  return reply === undefined ? undefined : parseNsidReply(reply);
}

/**
 * For listings: the nsid, or undefined when there is none or the namespace
 * could not be asked about (it ended meanwhile): one entry must not fail the list.
 */
export function nsidIfAny(socket: RtnlSocket, fd: number, table: NsidTable = {}): number | undefined {
  try {
    return nsidIn(socket, fd, table);
  } catch {
    return undefined;
  }
}

/**
 * What one unread answer (an RTM_NEWNSID, one datagram) takes of the receive
 * buffer by the kernel's accounting (about 0.8 KiB on 6.18, as
 * /proc/net/netlink's Rmem shows), with room to spare.
 */
const ANSWER_COST = 1024;
/** What a listing asks of the receive buffer (the kernel caps it at rmem_max, then doubles it). */
const NSID_RECEIVE_BUFFER = 128 * 1024;
/** More at once saves nothing measurable: one send per this many is already noise. */
const MOST_AT_ONCE = 64;

/**
 * How many namespaces {@link nsidsIfAny} may ask about in one go on this
 * socket: their answers wait unread in its receive buffer, and one that
 * does not fit would be dropped. Half the granted buffer is used.
 */
export function nsidsAtOnce(socket: RtnlSocket): number {
  const granted = socket.growReceiveBuffer(NSID_RECEIVE_BUFFER);
  return Math.max(1, Math.min(MOST_AT_ONCE, Math.floor(granted / 2 / ANSWER_COST)));
}

/**
 * For listings: the nsids of several namespaces (one fd each, open until this
 * returns), asked as ip asks (RTM_GETNSID without an ack: one answer each),
 * all in one datagram, then read in order, where one request at a time
 * costs a send and a wait each. An entry is undefined when no id is assigned
 * or the kernel refused; if the socket fails mid-way, those not read yet are
 * undefined too (one entry must not fail the list, and answers left queued
 * are skipped by sequence number on the next exchange).
 */
export function nsidsIfAny(socket: RtnlSocket, fds: readonly number[]): Array<number | undefined> {
  return nsidAnswers(
    socket,
    fds.map((fd) => ({ fd })),
  ).map((answer) => (answer !== undefined && 'nsid' in answer ? answer.nsid : undefined));
}

/** One RTM_GETNSID of a batch: the namespace `fd` refers to, in the socket's table or its target's. */
export interface NsidQuestion extends NsidTable {
  fd: number;
}

/** An answer: the nsid (undefined: none assigned), or the kernel's refusal. */
export type NsidAnswer = { nsid: number | undefined } | { error: NetnsError };

/**
 * Several RTM_GETNSID questions asked as ip asks (no ack: one answer each),
 * all in one datagram, then their answers read in order, where one request
 * at a time costs a send and two reads each. As many as {@link nsidsAtOnce}
 * allows at a time. An entry is undefined when it was not read because the
 * socket failed mid-way (answers left queued are skipped by sequence number
 * on the next exchange).
 */
export function nsidAnswers(socket: RtnlSocket, questions: readonly NsidQuestion[]): Array<NsidAnswer | undefined> {
  const answers: Array<NsidAnswer | undefined> = questions.map(() => undefined);
  const atOnce = nsidsAtOnce(socket);
  try {
    for (let from = 0; from < questions.length; from += atOnce) {
      const batch = questions.slice(from, from + atOnce);
      const seqs = batch.map(({ fd, targetNsid }) =>
        socket.postQuestion((seq) => getNsidRequest(seq, fd, { targetNsid })),
      );
      socket.flush();
      for (let i = 0; i < seqs.length; i++) {
        const { data, error } = socket.readAnswer(seqs[i], { what: 'RTM_GETNSID' });
        const reply = data[0];
        // An answer from the socket's own table where another's was asked is no answer (left undefined).
        if (
          error === undefined &&
          reply !== undefined &&
          batch[i].targetNsid !== undefined &&
          !answersForTarget(reply)
        ) {
          continue;
        }
        answers[from + i] =
          error !== undefined ? { error } : { nsid: reply === undefined ? undefined : parseNsidReply(reply) };
      }
    }
  } catch {
    // The rest stay undefined: not asked, or not read.
  }
  return answers;
}

/**
 * For listings: whether the socket's namespace has numbered any namespace at
 * all (one RTM_GETNSID dump, as `ip netns list-id`). When it has not, no
 * namespace has an nsid here, and a listing need not open each one to ask.
 * Undefined when the dump failed (ask each, then).
 */
export function anyNsidAssigned(socket: RtnlSocket): boolean | undefined {
  try {
    const { messages } = socket.dump({ what: 'RTM_GETNSID' }, (seq) => nsidDumpRequest(seq));
    return messages.some((message) => message.type === RTM_NEWNSID && parseNsidReply(message) !== undefined);
  } catch {
    return undefined;
  }
}
