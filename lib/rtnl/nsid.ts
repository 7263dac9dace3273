// The nsid that the calling thread's namespace assigned to another namespace
// (RTM_GETNSID), as `ip netns list` shows it: "(id: N)". Asking never
// assigns one.
import { getNsidRequest, parseNsidReply } from './nsid-codec';
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
