// Request flags are set where a request is built, never patched on the way
// out: an exchange refuses, before sending, a request that lacks the flag it
// waits for (an ack, or a dump's NLMSG_DONE).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { native } from '../../lib/binding';
import { getLinkByNameRequest, linkDumpRequest } from '../../lib/rtnl/link-codec';
import { RtnlSocket } from '../../lib/rtnl/transport';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('request flags', () => {
  it('a GET built without NLM_F_ACK is refused by request(), and nothing is sent', () => {
    const send = vi.spyOn(native, 'send');
    using socket = RtnlSocket.here();
    expect(() => socket.request({ what: 'RTM_GETLINK' }, (seq) => getLinkByNameRequest(seq, 'lo'))).toThrow(
      /must carry flags 0x4/,
    );
    expect(() => socket.dump({ what: 'RTM_GETLINK' }, (seq) => getLinkByNameRequest(seq, 'lo'))).toThrow(
      /must carry flags 0x300/,
    );
    expect(send).not.toHaveBeenCalled();
  });

  it('the builders set them: ack on request, NLM_F_DUMP on a dump', () => {
    expect(getLinkByNameRequest(1, 'lo', { ack: true }).readUInt16LE(6)).toBe(0x5);
    expect(getLinkByNameRequest(1, 'lo').readUInt16LE(6)).toBe(0x1);
    expect(linkDumpRequest(1).readUInt16LE(6)).toBe(0x301);
  });
});
