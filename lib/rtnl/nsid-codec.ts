// Namespace ids over rtnetlink: which nsid the socket's namespace gave to
// another namespace (what `ip netns list` prints as "(id: N)"). RTM_GETNSID
// only reads: it never assigns an id (a link dump that meets a peer in
// another namespace does).
import {
  AF_UNSPEC,
  NLA_HDRLEN,
  NETNSA_CURRENT_NSID,
  NETNSA_FD,
  NETNSA_NSID,
  NETNSA_TARGET_NSID,
  NETNSA_NSID_NOT_ASSIGNED,
  NLM_F_ACK,
  NLM_F_REQUEST,
  RTM_DELNSID,
  RTM_GETNSID,
  RTM_NEWNSID,
} from './constants';
import { assertFd } from './fields';
import { NLMSGHDR, RTGENMSG } from './headers';
import {
  type NetlinkMessage,
  encodeMessage,
  messageAttributes,
  s32Attribute,
  u32Attribute,
  withSequence,
} from './wire';

/** The largest nsid: ids are non-negative 32-bit signed integers. */
export const MAX_NSID = 2 ** 31 - 1;

/** Checks an nsid given to ask about (a target's), before anything is sent. */
export function assertNsidValue(nsid: unknown, what = 'nsid'): asserts nsid is number {
  if (typeof nsid !== 'number' || !Number.isInteger(nsid) || nsid < 0 || nsid > MAX_NSID) {
    throw new RangeError(`${what} must be an integer from 0 to ${MAX_NSID}, got ${String(nsid)}`);
  }
}

/**
 * RTM_GETNSID for the namespace `fd` refers to (any fd on an nsfs file, or
 * /proc/PID/ns/net opened). The answer is one RTM_NEWNSID, or an
 * NLMSG_ERROR (-EBADF, -EINVAL for a file that is not a network namespace);
 * with `ack`, an ack after the answer too (ip asks for none). With
 * `targetNsid`, the id is the one the namespace numbered so in the socket's
 * table gave (ip netns list-id target-nsid), and the answer also carries the
 * socket's own id for it (NETNSA_CURRENT_NSID).
 */
export function getNsidRequest(seq: number, fd: number, options: { ack?: boolean; targetNsid?: number } = {}): Buffer {
  assertFd(fd);
  const { ack = false, targetNsid } = options;
  if (targetNsid !== undefined) assertNsidValue(targetNsid, 'targetNsid');
  // Built once per shape, then copied with the values written in place: a
  // map asks hundreds of these, and encoding each cost more than asking it.
  const shape = (ack ? 1 : 0) + (targetNsid === undefined ? 0 : 2);
  const template = (requestShapes[shape] ??= encodeNsidRequest(ack, targetNsid !== undefined));
  const request = withSequence(template, seq);
  request.writeUInt32LE(fd, FD_VALUE_AT);
  if (targetNsid !== undefined) request.writeInt32LE(targetNsid, TARGET_VALUE_AT);
  return request;
}

const requestShapes: Buffer[] = [];
/** Where NETNSA_FD's value is (after the header, rtgenmsg and the attribute's header); NETNSA_TARGET_NSID's follows. */
const FD_VALUE_AT = NLMSGHDR.size + RTGENMSG.size + NLA_HDRLEN;
const TARGET_VALUE_AT = FD_VALUE_AT + 4 + NLA_HDRLEN;

function encodeNsidRequest(ack: boolean, withTarget: boolean): Buffer {
  return encodeMessage({ type: RTM_GETNSID, flags: NLM_F_REQUEST | (ack ? NLM_F_ACK : 0), seq: 0 }, [
    RTGENMSG.encode({ family: AF_UNSPEC }),
    u32Attribute(NETNSA_FD, 0),
    ...(withTarget ? [s32Attribute(NETNSA_TARGET_NSID, 0)] : []),
  ]);
}

/**
 * The nsid in an RTM_NEWNSID (a reply, or the notification of a new id) or
 * an RTM_DELNSID (the notification that a namespace with that id is gone);
 * undefined when none is assigned (NETNSA_NSID_NOT_ASSIGNED).
 */
export function parseNsidReply(message: NetlinkMessage): number | undefined {
  if (message.type !== RTM_NEWNSID && message.type !== RTM_DELNSID) {
    throw new Error(`netlink: expected an RTM_NEWNSID or RTM_DELNSID message, got type ${message.type}`);
  }
  const nsid = messageAttributes(message, RTGENMSG, 'nsid').s32(NETNSA_NSID);
  // NETNSA_NSID_NOT_ASSIGNED is -1; no other negative id exists.
  return nsid === undefined || nsid <= NETNSA_NSID_NOT_ASSIGNED ? undefined : nsid;
}

/**
 * Whether an answer is about the table NETNSA_TARGET_NSID named: the kernel
 * then always adds NETNSA_CURRENT_NSID (-1 when there is no id), and a kernel
 * or sandbox that ignores the target answers from the socket's own table
 * without it.
 */
export function answersForTarget(message: NetlinkMessage): boolean {
  return messageAttributes(message, RTGENMSG, 'nsid').has(NETNSA_CURRENT_NSID);
}

/**
 * In an answer about another namespace's table (NETNSA_TARGET_NSID asked):
 * the id the socket's own namespace gives the same namespace; undefined when
 * it gives none (or the answer carries no NETNSA_CURRENT_NSID).
 */
export function parseCurrentNsid(message: NetlinkMessage): number | undefined {
  const current = messageAttributes(message, RTGENMSG, 'nsid').s32(NETNSA_CURRENT_NSID);
  return current === undefined || current <= NETNSA_NSID_NOT_ASSIGNED ? undefined : current;
}
