// The generic netlink layer: building, walking, validating, acks.
import { describe, expect, it } from 'vitest';
import {
  NLMSG_DONE,
  NLMSG_ERROR,
  NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
  NLM_F_DUMP_INTR,
  NLM_F_MULTI,
  RTM_NEWLINK,
} from '../../lib/rtnl/constants';
import { parseAddressDump } from '../../lib/rtnl/addr-codec';
import { parseLinkDump, parseLinkMessage } from '../../lib/rtnl/link-codec';
import { parseRouteDump } from '../../lib/rtnl/route-codec';
import {
  Attributes,
  align4,
  attribute,
  encodeMessage,
  nestAttribute,
  parseAck,
  parseAttributeList,
  parseDone,
  parseMessages,
  s32Attribute,
  sortReplies,
  stringAttribute,
  u32Attribute,
  u8Attribute,
} from '../../lib/rtnl/wire';
import { IFINFOMSG } from '../../lib/rtnl/headers';
import { hex, loadExchange } from './rtnl-fixture';

/** A message header (LE, as the kernel writes it) followed by `payload`. */
function rawMessage(length: number, type: number, flags: number, seq: number, payload = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt32LE(length, 0);
  header.writeUInt16LE(type, 4);
  header.writeUInt16LE(flags, 6);
  header.writeUInt32LE(seq, 8);
  return Buffer.concat([header, payload]);
}

describe('building', () => {
  it('aligns to 4 bytes', () => {
    expect([0, 1, 2, 3, 4, 5, 8, 9].map(align4)).toEqual([0, 4, 4, 4, 4, 8, 8, 12]);
  });

  it('attributes: nla_len counts header and value, padding follows', () => {
    // As iproute2 sends IFLA_IFNAME "va3x": len 9, type 3, three pad bytes.
    expect(hex(stringAttribute(3, 'va3x'))).toBe('090003007661337800000000');
    expect(hex(stringAttribute(1, 'veth', { nul: false }))).toBe('0800010076657468');
    expect(hex(u8Attribute(16, 6))).toBe('0500100006000000');
    expect(hex(u32Attribute(4, 1400))).toBe('0800040078050000');
    expect(hex(s32Attribute(1, -1))).toBe('08000100ffffffff');
    expect(hex(attribute(7, Buffer.alloc(0)))).toBe('04000700');
  });

  it('nests hold their children (padded) and may carry NLA_F_NESTED', () => {
    const child = u32Attribute(1, 2);
    expect(hex(nestAttribute(18, [child, stringAttribute(2, 'a')]))).toBe('1400120008000100020000000600020061000000');
    expect(hex(nestAttribute(18, [child], { flagNested: true }))).toBe('0c00128008000100' + '02000000');
  });

  it('messages: nlmsg_len filled in, seq and pid as given, parts padded', () => {
    const message = encodeMessage({ type: 18, flags: 0x301, seq: 0x01020304, pid: 5 }, [
      Buffer.from([0x11]),
      u32Attribute(29, 1),
    ]);
    expect(hex(message)).toBe('1c000000120001030403020105000000' + '11000000' + '08001d0001000000');
  });

  it('refuses what the wire cannot carry', () => {
    expect(() => attribute(0x10000, Buffer.alloc(0))).toThrow(RangeError);
    expect(() => attribute(1, Buffer.alloc(0xfffc))).toThrow(/65535/);
    expect(() => u32Attribute(1, -1)).toThrow(RangeError);
    expect(() => u32Attribute(1, 2 ** 32)).toThrow(RangeError);
    expect(() => u8Attribute(1, 256)).toThrow(RangeError);
    expect(() => s32Attribute(1, 2 ** 31)).toThrow(RangeError);
    expect(() => stringAttribute(1, 'a\0b')).toThrow(TypeError);
    expect(() => encodeMessage({ type: 16, flags: 1, seq: -1 }, [])).toThrow(/sequence number/);
    expect(() => encodeMessage({ type: 16, flags: 0x10000, seq: 1 }, [])).toThrow(/flags/);
  });
});

describe('walking a received buffer', () => {
  it('splits a dump datagram into its messages, in order', () => {
    const { datagrams } = loadExchange('link-dump');
    const messages = datagrams.flatMap(parseMessages);
    expect(messages.length).toBeGreaterThan(5);
    expect(messages.at(-1)?.type).toBe(NLMSG_DONE);
    expect(messages.slice(0, -1).every((message) => message.type === RTM_NEWLINK)).toBe(true);
    expect(messages.every((message) => message.seq === 1040 && message.flags & NLM_F_MULTI)).toBe(true);
    expect(messages.some((message) => message.dumpInterrupted)).toBe(false);
    expect(parseDone(messages.at(-1) as never)).toEqual({ errno: 0 });
  });

  it('accepts a last message without its trailing padding', () => {
    const first = rawMessage(20, 3, 0, 1, Buffer.from([0, 0, 0, 0]));
    const last = rawMessage(17, 16, 0, 2, Buffer.from([9]));
    const messages = parseMessages(Buffer.concat([first, last]));
    expect(messages.map((message) => [message.type, message.payload.length, message.offset])).toEqual([
      [3, 4, 0],
      [16, 1, 20],
    ]);
  });

  it('flags NLM_F_DUMP_INTR on any message', () => {
    const [message] = parseMessages(rawMessage(16, RTM_NEWLINK, NLM_F_MULTI | NLM_F_DUMP_INTR, 7));
    expect(message.dumpInterrupted).toBe(true);
  });

  it('a truncated header is an error', () => {
    expect(() => parseMessages(Buffer.alloc(10))).toThrow(/truncated message header at offset 0: 10 bytes left/);
    const good = rawMessage(16, 3, 0, 1);
    expect(() => parseMessages(Buffer.concat([good, Buffer.alloc(4)]))).toThrow(/offset 16: 4 bytes left/);
  });

  it('a length smaller than the header is an error (a zero length cannot loop)', () => {
    expect(() => parseMessages(rawMessage(0, 3, 0, 1))).toThrow(/claims length 0, smaller than its 16-byte header/);
    expect(() => parseMessages(rawMessage(8, 3, 0, 1))).toThrow(/claims length 8/);
  });

  it('header fields are read little endian and unsigned, past 2^31 too', () => {
    const datagram = rawMessage(20, 0x1234, 0x8302, 0xfffffff0, Buffer.from([1, 2, 3, 4]));
    datagram.writeUInt32LE(0x80000001, 12); // nlmsg_pid
    const [message] = parseMessages(datagram);
    expect(message).toMatchObject({ length: 20, type: 0x1234, flags: 0x8302, seq: 0xfffffff0, pid: 0x80000001 });
    expect([...message.payload]).toEqual([1, 2, 3, 4]);
  });

  it('a length past the end of the buffer is an error', () => {
    expect(() => parseMessages(rawMessage(64, 16, 0, 1, Buffer.alloc(8)))).toThrow(
      /claims length 64 but only 24 bytes/,
    );
  });
});

describe('attributes', () => {
  it('masks NLA_F_NESTED and NLA_F_NET_BYTEORDER off the type and says which were set', () => {
    const data = Buffer.concat([
      attribute(3, Buffer.from('x\0')),
      attribute(18, u32Attribute(1, 5), 0x8000),
      attribute(5, Buffer.from([0, 80]), 0x4000),
    ]);
    expect(parseAttributeList(data).map(({ type, nested, netByteOrder }) => [type, nested, netByteOrder])).toEqual([
      [3, false, false],
      [18, true, false],
      [5, false, true],
    ]);
    const attributes = Attributes.parse(data, 'test');
    expect(attributes.nested(18)?.u32(1)).toBe(5);
    expect(attributes.string(3)).toBe('x');
  });

  it('the last of a repeated type wins for get, all keeps every one', () => {
    const attributes = Attributes.parse(Buffer.concat([u32Attribute(4, 1), u32Attribute(4, 2)]), 'test');
    expect(attributes.u32(4)).toBe(2);
    expect(attributes.all(4).map((attr) => attr.value.readUInt32LE(0))).toEqual([1, 2]);
    expect(attributes.has(9)).toBe(false);
    expect(attributes.u32(9)).toBeUndefined();
  });

  it('a value of the wrong size for its reader is an error', () => {
    const attributes = Attributes.parse(attribute(4, Buffer.alloc(2)), 'link attributes');
    expect(() => attributes.u32(4)).toThrow(/attribute 4 in link attributes has 2 bytes, expected 4/);
    expect(attributes.u16(4)).toBe(0);
  });

  it('an attribute whose length runs past the end is an error', () => {
    const data = Buffer.from('0c000300abcd0000', 'hex');
    expect(() => parseAttributeList(data, 'link attributes')).toThrow(
      /attribute 3 in link attributes at offset 0 claims length 12 but only 8 bytes are left/,
    );
  });

  it('a zero-length attribute is an error, not an endless loop', () => {
    expect(() => parseAttributeList(Buffer.from('0000030000000000', 'hex'))).toThrow(
      /claims length 0, smaller than its 4-byte header/,
    );
    expect(() => parseAttributeList(Buffer.from('02000300', 'hex'))).toThrow(/claims length 2/);
  });

  it('a truncated attribute header is an error', () => {
    expect(() => parseAttributeList(Buffer.concat([u32Attribute(1, 1), Buffer.alloc(2)]))).toThrow(
      /truncated attribute header .* at offset 8: 2 bytes left/,
    );
  });

  it('integers are read little endian, unsigned or signed as asked', () => {
    const attributes = Attributes.parse(
      Buffer.concat([
        u32Attribute(1, 0xfffffffe),
        u32Attribute(2, 0x01020304),
        attribute(3, Buffer.from([0xff, 0x80])),
      ]),
      'test',
    );
    expect(attributes.u32(1)).toBe(0xfffffffe);
    expect(attributes.s32(1)).toBe(-2);
    expect(attributes.u32(2)).toBe(0x01020304);
    expect(attributes.s32(2)).toBe(0x01020304);
    expect(attributes.u16(3)).toBe(0x80ff);
    expect(attributes.size(3)).toBe(2);
  });

  it('a string is read up to its first NUL, in UTF-8 when it is not ASCII', () => {
    const data = Buffer.concat([
      attribute(1, Buffer.from('veth0\0junk')), // ASCII, NUL midway: what follows is not the name
      attribute(2, Buffer.from('br-ü\0', 'utf8')), // not ASCII: decoded as UTF-8
      attribute(3, Buffer.from('ü\0x', 'utf8')), // not ASCII, NUL midway
      attribute(8, Buffer.from('a\0ü', 'utf8')), // NUL before a byte that is not ASCII: read up to the NUL
      attribute(4, Buffer.from([0x61, 0xff, 0x62])), // not UTF-8, no NUL: replaced as Buffer decodes it
      attribute(5, Buffer.alloc(0)), // empty
      attribute(6, Buffer.from('\0')),
    ]);
    const attributes = Attributes.parse(data, 'test');
    expect(attributes.string(1)).toBe('veth0');
    expect(attributes.string(2)).toBe('br-ü');
    expect(attributes.string(3)).toBe('ü');
    expect(attributes.string(8)).toBe('a');
    expect(attributes.string(4)).toBe('a\ufffdb');
    expect(attributes.string(5)).toBe('');
    expect(attributes.string(6)).toBe('');
    expect(attributes.string(7)).toBeUndefined();
  });

  it('reads values in place: a nest and a string end where their attribute ends, not where the buffer does', () => {
    // A string without its NUL, followed by bytes that are not NUL either: the string stops at its attribute.
    const data = Buffer.concat([
      attribute(1, Buffer.from('eth0')),
      attribute(2, Buffer.from('zz\0')),
      nestAttribute(7, [u32Attribute(1, 9)]),
      u32Attribute(8, 3),
    ]);
    const attributes = Attributes.parse(data, 'test');
    expect(attributes.string(1)).toBe('eth0');
    expect(attributes.size(1)).toBe(4);
    expect(attributes.data.subarray(attributes.valueOffset(1), attributes.valueOffset(1) + 4).toString()).toBe('eth0');
    expect(attributes.valueOffset(42)).toBe(-1);
    const nest = attributes.nested(7);
    expect(nest?.u32(1)).toBe(9);
    expect(nest?.has(8)).toBe(false); // the attribute after the nest is not inside it
    expect(nest?.list.map((entry) => entry.type)).toEqual([1]);
  });

  it('a fixed struct is not read past the end of its buffer', () => {
    expect(() => IFINFOMSG.decode(Buffer.alloc(12))).toThrow(/ifinfomsg needs 16 bytes at offset 0, the buffer has 12/);
    expect(() => IFINFOMSG.decode(Buffer.alloc(20), 8)).toThrow(/needs 16 bytes at offset 8/);
    expect(IFINFOMSG.decode(Buffer.alloc(24), 8).index).toBe(0);
  });

  it('a message too short for its fixed struct is an error', () => {
    const [message] = parseMessages(rawMessage(24, RTM_NEWLINK, 0, 1, Buffer.alloc(8)));
    expect(() => parseLinkMessage(message)).toThrow(/8-byte payload, too short for its 16-byte header/);
  });

  it('malformed attributes deep in a real message are caught with their place', () => {
    const { datagrams } = loadExchange('link-get');
    const bytes = Buffer.from(datagrams[0]);
    // Corrupt the first attribute after ifinfomsg: length 0.
    bytes.writeUInt16LE(0, 32);
    expect(() => parseLinkMessage(parseMessages(bytes)[0])).toThrow(/link attributes at offset 0 claims length 0/);
  });
});

describe('acks and errors', () => {
  it('a success ack: errno 0, capped, naming the request', () => {
    const ack = parseAck(loadExchange('ack-link-up').messages[0]);
    expect(ack).toEqual({ errno: 0, capped: true, request: { length: 32, type: 16, flags: 5, seq: 1001, pid: 0 } });
  });

  it('an error with an extended ack: the kernel text and the offset of the bad attribute', () => {
    const { messages, request } = loadExchange('error-nsid-extack');
    expect(messages[0].flags & NLM_F_ACK_TLVS).toBeTruthy();
    const ack = parseAck(messages[0]);
    expect(ack).toMatchObject({ errno: -22, capped: false, message: 'Peer netns reference is invalid', offset: 20 });
    // Offset 20 is NETNSA_FD, right after nlmsghdr (16) and rtgenmsg (4).
    expect(request.readUInt16LE((ack.offset as number) + 2)).toBe(3);
  });

  it('the same error capped (NETLINK_CAP_ACK): TLVs right after the echoed header', () => {
    const { messages } = loadExchange('error-nsid-extack-capped');
    expect(messages[0].flags & NLM_F_CAPPED).toBeTruthy();
    expect(parseAck(messages[0])).toMatchObject({
      errno: -22,
      capped: true,
      message: 'Peer netns reference is invalid',
      offset: 20,
    });
  });

  it('a failed dump: NLMSG_DONE carries the errno and the extended ack', () => {
    const { messages } = loadExchange('error-dump-done');
    expect(messages).toHaveLength(1);
    expect(parseDone(messages[0])).toEqual({
      errno: -22,
      message: 'ipv4: Invalid values in header for address dump request',
    });
  });

  it('reads the missing-attribute and cookie TLVs', () => {
    const tlvs = Buffer.concat([u32Attribute(5, 3), u32Attribute(6, 24), attribute(3, Buffer.from([1, 2]))]);
    const payload = Buffer.concat([Buffer.from('eaffffff', 'hex'), rawMessage(40, 16, 5, 9), tlvs]);
    const [message] = parseMessages(
      rawMessage(16 + payload.length, NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS, 9, payload),
    );
    expect(parseAck(message)).toEqual({
      errno: -22,
      capped: true,
      request: { length: 40, type: 16, flags: 5, seq: 9, pid: 0 },
      missingType: 3,
      missingNest: 24,
      cookie: Buffer.from([1, 2]),
    });
  });

  it('an ack too short for struct nlmsgerr, or TLVs past its end, is an error', () => {
    const [short] = parseMessages(rawMessage(24, NLMSG_ERROR, 0, 1, Buffer.alloc(8)));
    expect(() => parseAck(short)).toThrow(/struct nlmsgerr needs 20/);
    // Not capped, claims to echo a 64-byte request, says TLVs follow, but ends after the header.
    const payload = Buffer.concat([Buffer.from('eaffffff', 'hex'), rawMessage(64, 16, 5, 1)]);
    const [truncated] = parseMessages(rawMessage(16 + payload.length, NLMSG_ERROR, NLM_F_ACK_TLVS, 1, payload));
    expect(() => parseAck(truncated)).toThrow(/echoes a 64-byte request but its payload has only 16 bytes/);
    expect(() => parseAck(parseMessages(rawMessage(16, NLMSG_DONE, 0, 1))[0])).toThrow(/expected an NLMSG_ERROR/);
  });

  it('NLMSG_DONE: an int error, or nothing at all', () => {
    expect(parseDone(parseMessages(rawMessage(16, NLMSG_DONE, NLM_F_MULTI, 1))[0])).toEqual({ errno: 0 });
    expect(() => parseDone(parseMessages(rawMessage(18, NLMSG_DONE, 0, 1, Buffer.alloc(2)))[0])).toThrow(
      /its error needs 4/,
    );
  });
});

describe('sorting the replies to one request', () => {
  it('a dump: data messages, then NLMSG_DONE', () => {
    const { datagrams } = loadExchange('link-dump');
    const sorted = datagrams.map((datagram) => sortReplies(datagram, 1040));
    expect(sorted.flatMap((replies) => replies.data).length).toBeGreaterThan(5);
    expect(sorted.at(-1)?.done).toEqual({ errno: 0 });
    expect(sorted.slice(0, -1).every((replies) => replies.done === undefined)).toBe(true);
    expect(sorted.every((replies) => !replies.interrupted && replies.skipped === 0 && !replies.ack)).toBe(true);
  });

  it('an ack, a failed dump, a single reply', () => {
    expect(sortReplies(loadExchange('ack-link-up').datagrams[0], 1001).ack?.errno).toBe(0);
    expect(sortReplies(loadExchange('error-dump-done').datagrams[0], 1054).done?.errno).toBe(-22);
    const single = sortReplies(loadExchange('nsid-assigned').datagrams[0], 1050);
    expect(single).toMatchObject({ interrupted: false, skipped: 0 });
    expect(single.data).toHaveLength(1);
  });

  it('leaves out other sequence numbers and NLMSG_NOOP, notes NLM_F_DUMP_INTR, refuses NLMSG_OVERRUN', () => {
    const datagram = Buffer.concat([
      rawMessage(16, RTM_NEWLINK, NLM_F_MULTI, 6),
      rawMessage(16, RTM_NEWLINK, NLM_F_MULTI | NLM_F_DUMP_INTR, 7),
      rawMessage(16, 1, 0, 7),
      rawMessage(20, NLMSG_DONE, NLM_F_MULTI | NLM_F_DUMP_INTR, 7, Buffer.alloc(4)),
    ]);
    const replies = sortReplies(datagram, 7);
    expect(replies).toMatchObject({ skipped: 1, interrupted: true, done: { errno: 0 } });
    expect(replies.data).toHaveLength(1);
    expect(() => sortReplies(rawMessage(16, 4, 0, 7), 7)).toThrow(/NLMSG_OVERRUN/);
  });
});

describe('corrupted real dumps never read out of range', () => {
  // Flip bytes of real dumps with a fixed-seed generator: every outcome is a
  // parse or a clear 'netlink:' error (a Buffer RangeError would mean an
  // unchecked read).
  function* corruptions(datagram: Buffer, count: number): Generator<Buffer> {
    let seed = 0x2545f491;
    const next = () => {
      seed ^= seed << 13;
      seed >>>= 0;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      seed >>>= 0;
      return seed;
    };
    for (let i = 0; i < count; i++) {
      const copy = Buffer.from(datagram);
      for (let flips = 1 + (next() % 3); flips > 0; flips--) copy[next() % copy.length] = next() & 0xff;
      yield copy.subarray(0, next() % 4 === 0 ? next() % copy.length : copy.length);
    }
  }

  it.each(['link-dump', 'addr-dump', 'route-dump'])('%s', (name) => {
    const names = new Map<number, string>();
    const parse = {
      'link-dump': parseLinkDump,
      'addr-dump': (m: never) => parseAddressDump(m, names),
      'route-dump': (m: never) => parseRouteDump(m, names),
    }[name] as (messages: ReturnType<typeof parseMessages>) => unknown;
    let parsed = 0;
    let refused = 0;
    for (const datagram of loadExchange(name).datagrams) {
      for (const corrupt of corruptions(datagram, 400)) {
        try {
          parse(parseMessages(corrupt));
          parsed++;
        } catch (error) {
          expect((error as Error).message).toMatch(/^netlink: /);
          refused++;
        }
      }
    }
    // Both outcomes happen, so both paths were exercised.
    expect(parsed).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });
});
