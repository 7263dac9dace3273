// Namespace ids over rtnetlink: which nsid the socket's namespace gave to
// another namespace (what `ip netns list` prints as "(id: N)"). RTM_GETNSID
// only reads: it never assigns an id (a link dump that meets a peer in
// another namespace does).
import {
  NETNSA_FD,
  NETNSA_NSID,
  NETNSA_NSID_NOT_ASSIGNED,
  NLA_HDRLEN,
  NLM_F_ACK,
  NLM_F_REQUEST,
  RTM_DELNSID,
  RTM_GETNSID,
  RTM_NEWNSID,
} from './constants';
import { assertFd } from './fields';
import { NLMSGHDR, RTGENMSG } from './headers';
import { type NetlinkMessage, align4, parseAttributeList } from './wire';

// RTM_GETNSID is a fixed 28 bytes: the header, rtgenmsg (AF_UNSPEC, padded
// to 4), NETNSA_FD. A listing asks it once per namespace, mostly before V8
// has optimized anything, so it is written in place rather than put together
// by encodeMessage (a tenth of the work); the unit test holds the bytes to
// what ip sends.
const FD_ATTRIBUTE_AT = NLMSGHDR.size + align4(RTGENMSG.size);
const GETNSID_LENGTH = FD_ATTRIBUTE_AT + NLA_HDRLEN + 4;
const { length: LENGTH, type: TYPE, flags: FLAGS, seq: SEQ } = NLMSGHDR.fields;

/**
 * RTM_GETNSID for the namespace `fd` refers to (any fd on an nsfs file, or
 * /proc/PID/ns/net opened). The answer is one RTM_NEWNSID, or an
 * NLMSG_ERROR (-EBADF, -EINVAL for a file that is not a network namespace);
 * with `ack`, an ack after the answer too (ip asks for none).
 */
export function getNsidRequest(seq: number, fd: number, options: { ack?: boolean } = {}): Buffer {
  assertFd(fd);
  if (!Number.isInteger(seq) || seq < 0 || seq > 0xffffffff) {
    throw new RangeError(`sequence number must be an integer from 0 to 4294967295, got ${seq}`);
  }
  const bytes = Buffer.alloc(GETNSID_LENGTH); // zero: nlmsg_pid, rtgen_family AF_UNSPEC, padding
  bytes.writeUInt32LE(GETNSID_LENGTH, LENGTH.offset);
  bytes.writeUInt16LE(RTM_GETNSID, TYPE.offset);
  bytes.writeUInt16LE(NLM_F_REQUEST | (options.ack ? NLM_F_ACK : 0), FLAGS.offset);
  bytes.writeUInt32LE(seq, SEQ.offset);
  bytes.writeUInt16LE(NLA_HDRLEN + 4, FD_ATTRIBUTE_AT);
  bytes.writeUInt16LE(NETNSA_FD, FD_ATTRIBUTE_AT + 2);
  bytes.writeUInt32LE(fd, FD_ATTRIBUTE_AT + NLA_HDRLEN);
  return bytes;
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
  if (message.payload.length < RTGENMSG.size) {
    throw new Error(`netlink: nsid message has a ${message.payload.length}-byte payload, too short for rtgenmsg`);
  }
  // The last NETNSA_NSID counts, as nla_parse has it; walked without an
  // Attributes map (one attribute, asked once per namespace by a listing).
  let nsid: number | undefined;
  for (const attribute of parseAttributeList(message.payload.subarray(align4(RTGENMSG.size)), 'nsid attributes')) {
    if (attribute.type !== NETNSA_NSID) continue;
    if (attribute.value.length !== 4) {
      throw new Error(
        `netlink: attribute ${NETNSA_NSID} in nsid attributes has ${attribute.value.length} bytes, expected 4`,
      );
    }
    nsid = attribute.value.readInt32LE(0);
  }
  // NETNSA_NSID_NOT_ASSIGNED is -1; no other negative id exists.
  return nsid === undefined || nsid <= NETNSA_NSID_NOT_ASSIGNED ? undefined : nsid;
}
