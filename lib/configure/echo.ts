// A created link, sent back by the kernel with the ack: a creation built
// with `echo` (NLM_F_ECHO) asks for the RTM_NEWLINK notification of the new
// link to be unicast to the sender as well. Kernels that honour it for
// RTM_NEWLINK (6.18 does) save a lookup after every creation; older ones
// send nothing, and the caller looks it up.
import { RTM_NEWLINK } from '../rtnl/constants';
import { parseLinkMessage } from '../rtnl/link-codec';
import type { Link } from '../rtnl/model';
import type { NetlinkMessage } from '../rtnl/wire';

/** The echoed link of that name among a request's replies, if the kernel sent it. */
export function echoedLink(replies: readonly NetlinkMessage[], name: string): Link | undefined {
  for (const reply of replies) {
    if (reply.type !== RTM_NEWLINK) continue;
    const link = parseLinkMessage(reply);
    if (link.name === name) return link;
  }
  return undefined;
}
