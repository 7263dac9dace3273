// nsid codec: the request ip sends for `ip netns list`, and real replies.
import { describe, expect, it } from 'vitest';
import { getNsidRequest, parseNsidReply } from '../../lib/rtnl/nsid-codec';
import { parseAck } from '../../lib/rtnl/wire';
import { hex, loadExchange } from './rtnl-fixture';

describe('RTM_GETNSID', () => {
  it("equals what `ip netns list` sends (strace, iproute2 6.1; fd 6, ip's seq)", () => {
    // rtgenmsg AF_UNSPEC padded to 4 bytes, then NETNSA_FD (3) = 6.
    expect(hex(getNsidRequest(0x6b04f68b, 6))).toBe(
      '1c0000005a0001008bf6046b00000000' + '00000000' + '0800030006000000',
    );
  });

  it('an assigned id: the peer namespace of a veth, id 0 here', () => {
    const { request, messages } = loadExchange('nsid-assigned');
    expect(getNsidRequest(1050, 100)).toEqual(request);
    expect(messages).toHaveLength(1);
    expect(parseNsidReply(messages[0])).toBe(0);
  });

  it('no id assigned: NETNSA_NSID -1 reads undefined', () => {
    const { request, messages } = loadExchange('nsid-unassigned');
    expect(getNsidRequest(1051, 101)).toEqual(request);
    expect(parseNsidReply(messages[0])).toBeUndefined();
  });

  it('an fd that is not a namespace: an error the caller reads with parseAck', () => {
    const { request, messages } = loadExchange('error-nsid-extack');
    expect(getNsidRequest(1052, 102)).toEqual(request);
    expect(() => parseNsidReply(messages[0])).toThrow(/expected an RTM_NEWNSID/);
    expect(parseAck(messages[0])).toMatchObject({ errno: -22, message: 'Peer netns reference is invalid' });
  });

  it('refuses a negative or fractional fd', () => {
    expect(() => getNsidRequest(1, -1)).toThrow(RangeError);
    expect(() => getNsidRequest(1, 1.5)).toThrow(RangeError);
  });
});
