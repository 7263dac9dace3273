// The nsid that the calling thread's namespace assigned to another namespace
// (RTM_GETNSID over rtnetlink), as `ip netns list` shows it: "(id: N)".
import { native } from '../binding';
import { NetnsError, check } from '../errors';

const NETLINK_ROUTE = 0;
const NLMSG_ERROR = 2;
const RTM_NEWNSID = 88;
const RTM_GETNSID = 90;
const NLM_F_REQUEST = 1;
const NETNSA_NSID = 1;
const NETNSA_FD = 3;
const NLMSG_HEADER = 16;
const RTGENMSG = 4; // struct rtgenmsg, padded to 4 bytes

function getNsidRequest(fd: number): Buffer {
  const length = NLMSG_HEADER + RTGENMSG + 8;
  const message = Buffer.alloc(length);
  message.writeUInt32LE(length, 0);
  message.writeUInt16LE(RTM_GETNSID, 4);
  message.writeUInt16LE(NLM_F_REQUEST, 6);
  message.writeUInt32LE(1, 8); // sequence
  message.writeUInt8(0, NLMSG_HEADER); // AF_UNSPEC
  message.writeUInt16LE(8, NLMSG_HEADER + RTGENMSG); // attribute length
  message.writeUInt16LE(NETNSA_FD, NLMSG_HEADER + RTGENMSG + 2);
  message.writeUInt32LE(fd, NLMSG_HEADER + RTGENMSG + 4);
  return message;
}

// One request on a netlink socket made on the calling thread (so it speaks
// for this thread's namespace), and the first reply datagram.
function request(message: Buffer): Buffer {
  const { AF_NETLINK, SOCK_RAW, MSG_DONTWAIT } = native.constants;
  const socket = check(native.socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
  try {
    check(native.send(socket, message, 0));
    const reply = Buffer.alloc(32768);
    // The kernel answers before send returns: nothing to wait for.
    return reply.subarray(0, check(native.recv(socket, reply, MSG_DONTWAIT)));
  } finally {
    native.close(socket);
  }
}

/** The nsid of the namespace `fd` refers to, or undefined when unassigned. */
export function nsidOf(fd: number): number | undefined {
  const reply = request(getNsidRequest(fd));
  const type = reply.readUInt16LE(4);
  if (type === NLMSG_ERROR) {
    const errno = reply.readInt32LE(NLMSG_HEADER);
    throw new NetnsError({ errno, syscall: 'RTM_GETNSID' });
  }
  if (type !== RTM_NEWNSID) throw new Error(`unexpected netlink reply type ${type}`);
  const end = Math.min(reply.readUInt32LE(0), reply.length);
  for (let offset = NLMSG_HEADER + RTGENMSG; offset + 4 <= end;) {
    const attrLength = reply.readUInt16LE(offset);
    if (attrLength < 4) break;
    if (reply.readUInt16LE(offset + 2) === NETNSA_NSID) {
      const nsid = reply.readInt32LE(offset + 4);
      return nsid < 0 ? undefined : nsid; // NETNSA_NSID_NOT_ASSIGNED is -1
    }
    offset += (attrLength + 3) & ~3;
  }
  return undefined;
}
