// A created link, sent back by the kernel with the ack: NLM_F_ECHO asks for
// the RTM_NEWLINK notification of the new link to be unicast to the sender
// as well. Kernels that honour it for RTM_NEWLINK (6.18 does) save a lookup
// after every creation; older ones send nothing, and the caller looks it up.
import { NLM_F_ECHO, RTM_NEWLINK } from '../rtnl/constants';
import { type RawLink, parseLinkMessage } from '../rtnl/link-codec';
import type { NetlinkMessage } from '../rtnl/wire';

/** The request `build` makes, with NLM_F_ECHO set. */
export function withEcho(build: (seq: number) => Buffer): (seq: number) => Buffer {
  return (seq) => {
    const message = build(seq);
    message.writeUInt16LE(message.readUInt16LE(6) | NLM_F_ECHO, 6);
    return message;
  };
}

/** The echoed link of that name among a request's replies, if the kernel sent it. */
export function echoedLink(replies: readonly NetlinkMessage[], name: string): RawLink | undefined {
  for (const reply of replies) {
    if (reply.type !== RTM_NEWLINK) continue;
    const link = parseLinkMessage(reply);
    if (link.name === name) return link;
  }
  return undefined;
}
