// nsid codec: the requests ip sends for `ip netns list` and `ip netns list-id
// target-nsid N`, and real replies.
import { describe, expect, it } from 'vitest';
import { AF_UNSPEC, NETNSA_CURRENT_NSID, NETNSA_NSID, NLM_F_MULTI, RTM_NEWNSID } from '../../lib/rtnl/constants';
import { RTGENMSG } from '../../lib/rtnl/headers';
import { nsidDumpRequest, parseTargetNsidDump } from '../../lib/rtnl/nsid-assign';
import { answersForTarget, getNsidRequest, parseNsidReply } from '../../lib/rtnl/nsid-codec';
import { encodeMessage, parseAck, parseMessages, s32Attribute } from '../../lib/rtnl/wire';
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

describe('RTM_GETNSID of another table (NETNSA_TARGET_NSID)', () => {
  it("the dump equals what `ip netns list-id target-nsid 1` sends (strace, iproute2 6.1; ip's seq)", () => {
    // NLM_F_REQUEST|NLM_F_DUMP, rtgenmsg AF_UNSPEC padded to 4 bytes, then NETNSA_TARGET_NSID (4) = 1.
    expect(hex(nsidDumpRequest(0x6b15a75a, { targetNsid: 1 }))).toBe(
      '1c0000005a0001035aa7156b00000000' + '00000000' + '0800040001000000',
    );
    expect(hex(nsidDumpRequest(0x6b15a75a))).toBe('140000005a0001035aa7156b00000000' + '00000000');
  });

  it('asking one namespace: NETNSA_TARGET_NSID follows NETNSA_FD', () => {
    expect(hex(getNsidRequest(7, 6, { targetNsid: 3 }))).toBe(
      '240000005a000100070000000000000000000000' + '0800030006000000' + '0800040003000000',
    );
  });

  it('refuses a target id that is no nsid, before anything is encoded', () => {
    for (const bad of [-1, 1.5, 2 ** 31, NaN]) {
      expect(() => nsidDumpRequest(1, { targetNsid: bad })).toThrow(RangeError);
      expect(() => getNsidRequest(1, 6, { targetNsid: bad })).toThrow(RangeError);
    }
  });

  it("reads each row's own id and the socket's id for it; -1 (none) reads undefined", () => {
    const row = (nsid: number, current: number) =>
      encodeMessage({ type: RTM_NEWNSID, flags: NLM_F_MULTI, seq: 1 }, [
        RTGENMSG.encode({ family: AF_UNSPEC }),
        s32Attribute(NETNSA_NSID, nsid),
        s32Attribute(NETNSA_CURRENT_NSID, current),
      ]);
    const messages = parseMessages(Buffer.concat([row(4, 2), row(6, -1)]));
    expect(parseTargetNsidDump(messages)).toEqual([
      { nsid: 4, currentNsid: 2 },
      { nsid: 6, currentNsid: undefined },
    ]);
  });

  it("an answer about a target's table carries NETNSA_CURRENT_NSID, even -1; one from the socket's own table does not", () => {
    const answer = (withCurrent: number | undefined) =>
      parseMessages(
        encodeMessage({ type: RTM_NEWNSID, flags: 0, seq: 1 }, [
          RTGENMSG.encode({ family: AF_UNSPEC }),
          s32Attribute(NETNSA_NSID, 3),
          ...(withCurrent === undefined ? [] : [s32Attribute(NETNSA_CURRENT_NSID, withCurrent)]),
        ]),
      )[0];
    expect(answersForTarget(answer(5))).toBe(true);
    expect(answersForTarget(answer(-1))).toBe(true);
    // What a kernel that ignores NETNSA_TARGET_NSID sends back: the answer for the wrong table.
    expect(answersForTarget(answer(undefined))).toBe(false);
    expect(parseNsidReply(answer(undefined))).toBe(3);
  });
});
