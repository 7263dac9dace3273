// Namespace ids over rtnetlink: which nsid the socket's namespace gave to
// another namespace (what `ip netns list` prints as "(id: N)"). RTM_GETNSID
// only reads: it never assigns an id (a link dump that meets a peer in
// another namespace does).
import {
  AF_UNSPEC,
  NETNSA_FD,
  NETNSA_NSID,
  NETNSA_NSID_NOT_ASSIGNED,
  NLM_F_ACK,
  NLM_F_REQUEST,
  RTM_DELNSID,
  RTM_GETNSID,
  RTM_NEWNSID,
} from './constants';
import { assertFd } from './fields';
import { RTGENMSG } from './headers';
import { type NetlinkMessage, encodeMessage, messageAttributes, u32Attribute } from './wire';

/**
 * RTM_GETNSID for the namespace `fd` refers to (any fd on an nsfs file, or
 * /proc/PID/ns/net opened). The answer is one RTM_NEWNSID, or an
 * NLMSG_ERROR (-EBADF, -EINVAL for a file that is not a network namespace);
 * with `ack`, an ack after the answer too (ip asks for none).
 */
export function getNsidRequest(seq: number, fd: number, options: { ack?: boolean } = {}): Buffer {
  assertFd(fd);
  const flags = NLM_F_REQUEST | (options.ack ? NLM_F_ACK : 0);
  return encodeMessage({ type: RTM_GETNSID, flags, seq }, [
    RTGENMSG.encode({ family: AF_UNSPEC }),
    u32Attribute(NETNSA_FD, fd),
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
