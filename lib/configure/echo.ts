// A created link, sent back by the kernel with the ack: a creation built
// with `echo` (NLM_F_ECHO) asks for the RTM_NEWLINK notification of the new
// link to be unicast to the sender as well. Kernels that honour it for
// RTM_NEWLINK (6.18 does) save a lookup after every creation; older ones
// send nothing, and the caller looks it up.
//
// Only what the callers use is read (the name to match, the ifindex, and
// IFLA_LINK, a veth's peer): a full parse of every echo was a good part of
// what a batch of a hundred pairs spends outside the kernel.
import { IFLA_IFNAME, IFLA_LINK, RTM_NEWLINK } from '../rtnl/constants';
import { IFINFOMSG } from '../rtnl/headers';
import { type NetlinkMessage, messageAttributes } from '../rtnl/wire';

/** What a creation needs of its echo: the new link's ifindex and, for a veth, its peer's (IFLA_LINK). */
export interface EchoedLink {
  ifindex: number;
  /** IFLA_LINK when present and not 0. */
  linkIndex?: number;
}

const INDEX_AT = IFINFOMSG.fields.index.offset;

/** The echoed link of that name among a request's replies, if the kernel sent it. */
export function echoedLink(replies: readonly NetlinkMessage[], name: string): EchoedLink | undefined {
  for (const reply of replies) {
    if (reply.type !== RTM_NEWLINK) continue;
    const attributes = messageAttributes(reply, IFINFOMSG, 'link');
    if (attributes.string(IFLA_IFNAME) !== name) continue;
    const ifindex = reply.payload.readInt32LE(INDEX_AT);
    const linkIndex = attributes.u32(IFLA_LINK) || undefined;
    return linkIndex === undefined ? { ifindex } : { ifindex, linkIndex };
  }
  return undefined;
}
