// Assigning and listing nsids over rtnetlink (`ip netns set`, `ip netns
// list-id`). RTM_NEWNSID assigns, in the namespace of the socket it is sent
// on, an id to the namespace NETNSA_FD refers to (NETNSA_NSID -1: the lowest
// free one). An id can be neither changed nor removed from userspace.
import {
  AF_UNSPEC,
  NETNSA_FD,
  NETNSA_NSID,
  NETNSA_NSID_NOT_ASSIGNED,
  NETNSA_TARGET_NSID,
  NLM_F_ACK,
  NLM_F_DUMP,
  NLM_F_REQUEST,
  RTM_GETNSID,
  RTM_NEWNSID,
} from './constants';
import { assertFd } from './fields';
import { RTGENMSG } from './headers';
import { assertNsidValue, parseCurrentNsid, parseNsidReply } from './nsid-codec';
import { type NetlinkMessage, encodeMessage, s32Attribute, u32Attribute } from './wire';

const rtgenmsg = (): Buffer => RTGENMSG.encode({ family: AF_UNSPEC });

/** RTM_NEWNSID: give the namespace `fd` refers to the id `nsid` (undefined: any free one). */
export function setNsidRequest(seq: number, fd: number, nsid: number | undefined): Buffer {
  assertFd(fd);
  return encodeMessage({ type: RTM_NEWNSID, flags: NLM_F_REQUEST | NLM_F_ACK, seq }, [
    rtgenmsg(),
    u32Attribute(NETNSA_FD, fd),
    s32Attribute(NETNSA_NSID, nsid ?? NETNSA_NSID_NOT_ASSIGNED),
  ]);
}

/**
 * RTM_GETNSID dump: every id the socket's namespace has assigned; with
 * `targetNsid`, every id the namespace numbered so in the socket's table has
 * assigned, each with the socket's own id for the same namespace (`ip netns
 * list-id target-nsid N`). The kernel reads the target only from a socket
 * that checks strictly (RtnlSocket#checkStrictly); others get the plain dump.
 */
export function nsidDumpRequest(seq: number, options: { targetNsid?: number } = {}): Buffer {
  if (options.targetNsid !== undefined) assertNsidValue(options.targetNsid, 'targetNsid');
  return encodeMessage({ type: RTM_GETNSID, flags: NLM_F_REQUEST | NLM_F_DUMP, seq }, [
    rtgenmsg(),
    ...(options.targetNsid === undefined ? [] : [s32Attribute(NETNSA_TARGET_NSID, options.targetNsid)]),
  ]);
}

/** The ids in an RTM_GETNSID dump, in the kernel's order. */
export function parseNsidDump(messages: readonly NetlinkMessage[]): number[] {
  return parseTargetNsidDump(messages).map((row) => row.nsid);
}

/** One id of another namespace's table, and the socket's own id for the same namespace (undefined: none). */
export interface TargetNsidRow {
  nsid: number;
  currentNsid: number | undefined;
}

/** The rows of an RTM_GETNSID dump (of a target's table: with NETNSA_CURRENT_NSID), in the kernel's order. */
export function parseTargetNsidDump(messages: readonly NetlinkMessage[]): TargetNsidRow[] {
  const rows: TargetNsidRow[] = [];
  for (const message of messages) {
    if (message.type !== RTM_NEWNSID) continue;
    const nsid = parseNsidReply(message);
    if (nsid !== undefined) rows.push({ nsid, currentNsid: parseCurrentNsid(message) });
  }
  return rows;
}

/** Why the kernel answered EEXIST to RTM_NEWNSID, from its extended-ack text. */
export type NsidConflict = 'namespace-has-id' | 'id-in-use' | 'unknown';

export function nsidConflictOf(kernelMessage: string | undefined): NsidConflict {
  if (kernelMessage === undefined) return 'unknown';
  if (/already has a nsid/i.test(kernelMessage)) return 'namespace-has-id';
  if (/nsid is already used/i.test(kernelMessage)) return 'id-in-use';
  return 'unknown';
}
