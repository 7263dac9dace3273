// The nsid that the calling thread's namespace assigned to another namespace
// (RTM_GETNSID), as `ip netns list` shows it: "(id: N)". Asking never
// assigns one.
import { getNsidRequest, parseNsidReply } from './nsid-codec';
import { RtnlSocket } from './transport';

/** The nsid of the namespace `fd` refers to, as `socket`'s namespace numbers it. */
export function nsidIn(socket: RtnlSocket, fd: number): number | undefined {
  const [reply] = socket.request({ what: 'RTM_GETNSID' }, (seq) => getNsidRequest(seq, fd));
  return reply === undefined ? undefined : parseNsidReply(reply);
}

/** The nsid of the namespace `fd` refers to, as the calling thread's namespace numbers it. */
export function nsidOf(fd: number): number | undefined {
  using socket = RtnlSocket.here();
  return nsidIn(socket, fd);
}
