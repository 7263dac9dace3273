// The generic netlink layer: message headers, attributes, nests, acks.
//
// Byte order: netlink headers and attribute values are in the host's byte
// order, which is little endian on every machine this library builds for
// (x86-64, arm64), so this codec reads and writes them LE. Addresses inside
// attributes (and NLA_F_NET_BYTEORDER values) are big endian; the codecs
// that know them read them as bytes.
//
// Every length read from a buffer is checked against that buffer before it is
// used: a malformed or truncated buffer throws an Error that says where and
// what, never reads out of range and never loops on a zero length.
import {
  NLA_F_NESTED,
  NLA_F_NET_BYTEORDER,
  NLA_HDRLEN,
  NLA_TYPE_MASK,
  NLMSG_ALIGNTO,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_NOOP,
  NLMSG_OVERRUN,
  NLMSGERR_ATTR_COOKIE,
  NLMSGERR_ATTR_MISS_NEST,
  NLMSGERR_ATTR_MISS_TYPE,
  NLMSGERR_ATTR_MSG,
  NLMSGERR_ATTR_OFFS,
  NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
  NLM_F_DUMP_INTR,
} from './constants';
import { NLMSGERR, NLMSGERR_REQUEST_OFFSET, NLMSGHDR, type StructLayout, type StructOf, u16At, u32At } from './headers';
import { zeroed } from './zeroed';

const NLMSG_HDRLEN = NLMSGHDR.size;

/** Rounds a length up to netlink's 4-byte alignment (NLMSG_ALIGN, NLA_ALIGN). */
export function align4(length: number): number {
  return (length + NLMSG_ALIGNTO - 1) & ~(NLMSG_ALIGNTO - 1);
}

// ---------------------------------------------------------------- reading --

/** struct nlmsghdr, as read. */
export type NetlinkHeader = StructOf<typeof NLMSGHDR>;

export interface NetlinkMessage extends NetlinkHeader {
  /** The bytes after the header, up to nlmsg_len (a view, not a copy). */
  payload: Buffer;
  /** Where the message starts in the buffer it was parsed from. */
  offset: number;
  /** NLM_F_DUMP_INTR: the dump raced a change and may be inconsistent. */
  dumpInterrupted: boolean;
}

/**
 * Splits one received datagram into its messages (a dump packs several into
 * each read). Throws on a truncated header, a length smaller than the header
 * or a length that runs past the buffer.
 */
export function parseMessages(buffer: Buffer): NetlinkMessage[] {
  const messages: NetlinkMessage[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    const left = buffer.length - offset;
    if (left < NLMSG_HDRLEN) {
      throw new Error(
        `netlink: truncated message header at offset ${offset}: ` +
          `${left} bytes left, a header needs ${NLMSG_HDRLEN}`,
      );
    }
    const header = NLMSGHDR.decode(buffer, offset);
    if (header.length < NLMSG_HDRLEN) {
      throw new Error(
        `netlink: message at offset ${offset} (type ${header.type}) claims length ` +
          `${header.length}, smaller than its ${NLMSG_HDRLEN}-byte header`,
      );
    }
    if (header.length > left) {
      throw new Error(
        `netlink: message at offset ${offset} (type ${header.type}) claims length ` +
          `${header.length} but only ${left} bytes are left in the buffer`,
      );
    }
    // Fields named one by one: an object spread here cost 15 times the rest
    // of the loop (V8 in Node 20), and every message of every dump comes here.
    messages.push({
      length: header.length,
      type: header.type,
      flags: header.flags,
      seq: header.seq,
      pid: header.pid,
      payload: buffer.subarray(offset + NLMSG_HDRLEN, offset + header.length),
      offset,
      dumpInterrupted: (header.flags & NLM_F_DUMP_INTR) !== 0,
    });
    // The last message of a datagram may lack its trailing padding.
    offset = Math.min(offset + align4(header.length), buffer.length);
  }
  return messages;
}

/**
 * The fixed struct that starts a message's payload (ifinfomsg, rtmsg, ...),
 * decoded: throws when the payload is too short to hold it.
 */
export function fixedHeader<F extends string>(
  message: NetlinkMessage,
  layout: StructLayout<F>,
  what: string,
): Record<F, number> {
  assertFits(message, layout, what);
  return layout.decode(message.payload);
}

function assertFits(message: NetlinkMessage, layout: StructLayout<string>, what: string): void {
  if (message.payload.length < layout.size) {
    throw new Error(
      `netlink: ${what} message (type ${message.type}) has a ${message.payload.length}-byte ` +
        `payload, too short for its ${layout.size}-byte header`,
    );
  }
}

/** One struct nlattr and its value. */
export interface NetlinkAttribute {
  /** nla_type with NLA_F_NESTED and NLA_F_NET_BYTEORDER masked off. */
  type: number;
  nested: boolean;
  netByteOrder: boolean;
  /** The value, without header or padding (a view, not a copy). */
  value: Buffer;
}

/**
 * Walks the attributes that fill `data` exactly (the rest of a message after
 * its fixed struct, or the value of a nest). `what` names the place in errors.
 */
export function parseAttributeList(data: Buffer, what = 'attributes'): NetlinkAttribute[] {
  return [...Attributes.parse(data, what).list];
}

/** Checks the attribute header at `offset` (within data[.., end)) and answers its nla_len. */
function attributeLength(data: Buffer, offset: number, end: number, what: string, at: number): number {
  const left = end - offset;
  if (left < NLA_HDRLEN) {
    throw new Error(
      `netlink: truncated attribute header in ${what} at offset ${at}: ` +
        `${left} bytes left, a header needs ${NLA_HDRLEN}`,
    );
  }
  const length = u16At(data, offset);
  if (length < NLA_HDRLEN) {
    throw new Error(
      `netlink: attribute ${data.readUInt16LE(offset + 2) & NLA_TYPE_MASK} in ${what} at offset ${at} ` +
        `claims length ${length}, smaller than its ${NLA_HDRLEN}-byte header`,
    );
  }
  if (length > left) {
    throw new Error(
      `netlink: attribute ${data.readUInt16LE(offset + 2) & NLA_TYPE_MASK} in ${what} at offset ${at} ` +
        `claims length ${length} but only ${left} bytes are left`,
    );
  }
  return length;
}

/**
 * Attributes by type, with typed readers that check each value's size. When
 * a type repeats, `get` answers the last one, as the kernel's nla_parse and
 * iproute2's parse_rtattr do; `all` answers every one, in order.
 *
 * Built in one checked pass that only notes where each attribute starts: a
 * dump parses every attribute of every message, and a Buffer view per
 * attribute cost most of a link's parse (a typed-array subclass is slow to
 * construct in V8). Values are read in place; views are made only when asked.
 */
export class Attributes {
  readonly #data: Buffer;
  readonly #start: number;
  readonly #end: number;
  readonly #what: string;
  /** Where the last attribute of each type starts (its header), by type; types are small numbers. */
  readonly #last: number[] = [];
  #list: NetlinkAttribute[] | undefined;

  /** The attributes that fill data[start, end) exactly. */
  constructor(data: Buffer, what: string, start = 0, end = data.length) {
    this.#data = data;
    this.#start = start;
    this.#end = end;
    this.#what = what;
    let offset = start;
    while (offset < end) {
      const length = attributeLength(data, offset, end, what, offset - start);
      this.#last[u16At(data, offset + 2) & NLA_TYPE_MASK] = offset;
      offset = Math.min(offset + align4(length), end);
    }
  }

  /** Parses `data` (see parseAttributeList). */
  static parse(data: Buffer, what: string): Attributes {
    return new Attributes(data, what);
  }

  /** Every attribute, in order, each with a view of its value. */
  get list(): readonly NetlinkAttribute[] {
    if (this.#list === undefined) {
      const list: NetlinkAttribute[] = [];
      const data = this.#data;
      for (let offset = this.#start; offset < this.#end;) {
        const length = data.readUInt16LE(offset);
        const rawType = data.readUInt16LE(offset + 2);
        list.push({
          type: rawType & NLA_TYPE_MASK,
          nested: (rawType & NLA_F_NESTED) !== 0,
          netByteOrder: (rawType & NLA_F_NET_BYTEORDER) !== 0,
          value: data.subarray(offset + NLA_HDRLEN, offset + length),
        });
        offset = Math.min(offset + align4(length), this.#end);
      }
      this.#list = list;
    }
    return this.#list;
  }

  has(type: number): boolean {
    return this.#last[type] !== undefined;
  }

  /** The buffer the values are in, and where `type`'s value starts there (-1: absent); with size(). */
  get data(): Buffer {
    return this.#data;
  }

  valueOffset(type: number): number {
    const at = this.#last[type];
    return at === undefined ? -1 : at + NLA_HDRLEN;
  }

  /** The length of `type`'s value, or undefined when absent. */
  size(type: number): number | undefined {
    const at = this.#last[type];
    return at === undefined ? undefined : u16At(this.#data, at) - NLA_HDRLEN;
  }

  get(type: number): Buffer | undefined {
    const at = this.#last[type];
    return at === undefined ? undefined : this.#data.subarray(at + NLA_HDRLEN, at + u16At(this.#data, at));
  }

  all(type: number): NetlinkAttribute[] {
    return this.list.filter((attribute) => attribute.type === type);
  }

  /** Where `type`'s value starts, after checking it is `size` bytes; -1 when absent. */
  private sized(type: number, size: number): number {
    const at = this.#last[type];
    if (at === undefined) return -1;
    const length = u16At(this.#data, at) - NLA_HDRLEN;
    if (length !== size) {
      throw new Error(`netlink: attribute ${type} in ${this.#what} has ${length} bytes, expected ${size}`);
    }
    return at + NLA_HDRLEN;
  }

  u8(type: number): number | undefined {
    const at = this.sized(type, 1);
    return at < 0 ? undefined : this.#data[at];
  }

  u16(type: number): number | undefined {
    const at = this.sized(type, 2);
    return at < 0 ? undefined : u16At(this.#data, at);
  }

  u32(type: number): number | undefined {
    const at = this.sized(type, 4);
    return at < 0 ? undefined : u32At(this.#data, at);
  }

  s32(type: number): number | undefined {
    const at = this.sized(type, 4);
    return at < 0 ? undefined : u32At(this.#data, at) | 0;
  }

  /**
   * A string value: up to its first NUL (the kernel sends one; iproute2
   * sometimes not). ASCII, which names of links, kinds and qdiscs almost
   * always are, is read here byte by byte: a dump reads several strings of
   * every message, and Buffer's decoder costs more in its calls than these
   * few bytes.
   */
  string(type: number): string | undefined {
    const at = this.#last[type];
    if (at === undefined) return undefined;
    const data = this.#data;
    const start = at + NLA_HDRLEN;
    const end = at + u16At(data, at);
    let text = '';
    for (let i = start; i < end; i++) {
      const byte = data[i];
      if (byte === 0) return text;
      if (byte >= 0x80) {
        const nul = data.indexOf(0, start);
        return data.toString('utf8', start, nul === -1 || nul > end ? end : nul);
      }
      text += String.fromCharCode(byte);
    }
    return text;
  }

  /** The attributes inside a nest (with or without NLA_F_NESTED on it). */
  nested(type: number, what = `${this.#what} > ${type}`): Attributes | undefined {
    const at = this.#last[type];
    if (at === undefined) return undefined;
    return new Attributes(this.#data, what, at + NLA_HDRLEN, at + u16At(this.#data, at));
  }
}

/** The attributes after a message's fixed struct. */
export function messageAttributes(message: NetlinkMessage, layout: StructLayout<string>, what: string): Attributes {
  assertFits(message, layout, what);
  const { payload } = message;
  return new Attributes(payload, `${what} attributes`, Math.min(align4(layout.size), payload.length));
}

// ------------------------------------------------------- acks and errors --

/** What an extended ack (NETLINK_EXT_ACK) adds to an error or done message. */
export interface ExtendedAck {
  /** NLMSGERR_ATTR_MSG: the kernel's own explanation. */
  message?: string;
  /** NLMSGERR_ATTR_OFFS: byte offset of the offending attribute in the request, from its header. */
  offset?: number;
  /** NLMSGERR_ATTR_MISS_TYPE: the attribute type that was required but missing. */
  missingType?: number;
  /** NLMSGERR_ATTR_MISS_NEST: offset of the nest the missing attribute belonged in. */
  missingNest?: number;
  /** NLMSGERR_ATTR_COOKIE: a handle some families give on success. */
  cookie?: Buffer;
}

/** An NLMSG_ERROR message: an ack (errno 0) or the failure of a request. */
export interface NetlinkAck extends ExtendedAck {
  /** 0 for success, else a negative errno (-17 is EEXIST), as the kernel sends it. */
  errno: number;
  /** NLM_F_CAPPED: the kernel left out the request's payload. */
  capped: boolean;
  /** Header of the request this answers (its seq says which). */
  request: NetlinkHeader;
}

/** An NLMSG_DONE message, the end of a dump; errno < 0 when the dump failed. */
export interface NetlinkDone extends ExtendedAck {
  errno: number;
}

function parseExtendedAck(tlvs: Buffer): ExtendedAck {
  const attributes = Attributes.parse(tlvs, 'extended ack');
  const ack: ExtendedAck = {};
  const text = attributes.string(NLMSGERR_ATTR_MSG);
  if (text !== undefined) ack.message = text;
  const offset = attributes.u32(NLMSGERR_ATTR_OFFS);
  if (offset !== undefined) ack.offset = offset;
  const missingType = attributes.u32(NLMSGERR_ATTR_MISS_TYPE);
  if (missingType !== undefined) ack.missingType = missingType;
  const missingNest = attributes.u32(NLMSGERR_ATTR_MISS_NEST);
  if (missingNest !== undefined) ack.missingNest = missingNest;
  const cookie = attributes.get(NLMSGERR_ATTR_COOKIE);
  if (cookie !== undefined) ack.cookie = Buffer.from(cookie);
  return ack;
}

/**
 * Reads an NLMSG_ERROR: struct nlmsgerr (int error, the request's header),
 * then the request's payload unless NLM_F_CAPPED, then the ext-ack TLVs if
 * NLM_F_ACK_TLVS.
 */
export function parseAck(message: NetlinkMessage): NetlinkAck {
  if (message.type !== NLMSG_ERROR) {
    throw new Error(`netlink: expected an NLMSG_ERROR message, got type ${message.type}`);
  }
  const { payload } = message;
  if (payload.length < NLMSGERR.size) {
    throw new Error(
      `netlink: NLMSG_ERROR payload has ${payload.length} bytes, ` + `struct nlmsgerr needs ${NLMSGERR.size}`,
    );
  }
  const errno = NLMSGERR.decode(payload).error;
  const request = NLMSGHDR.decode(payload, NLMSGERR_REQUEST_OFFSET);
  const capped = (message.flags & NLM_F_CAPPED) !== 0;
  let ack: ExtendedAck = {};
  if (message.flags & NLM_F_ACK_TLVS) {
    // The TLVs follow the echoed request, which is left out when capped and
    // always on success (kernels before 4.12 echo a bare header without
    // saying NLM_F_CAPPED, but they send no TLVs either).
    let tlvStart = NLMSGERR.size;
    if (!capped && errno !== 0) {
      if (request.length < NLMSG_HDRLEN) {
        throw new Error(
          `netlink: NLMSG_ERROR echoes a request of length ${request.length}, ` + 'smaller than a header',
        );
      }
      tlvStart = NLMSGERR_REQUEST_OFFSET + align4(request.length);
    }
    if (tlvStart > payload.length) {
      throw new Error(
        `netlink: NLMSG_ERROR echoes a ${request.length}-byte request but its payload ` +
          `has only ${payload.length - NLMSGERR_REQUEST_OFFSET} bytes for it and the extended ack`,
      );
    }
    ack = parseExtendedAck(payload.subarray(tlvStart));
  }
  return { errno, capped, request, ...ack };
}

/** Reads an NLMSG_DONE: an int error (0 or negative), then ext-ack TLVs if NLM_F_ACK_TLVS. */
export function parseDone(message: NetlinkMessage): NetlinkDone {
  if (message.type !== NLMSG_DONE) {
    throw new Error(`netlink: expected an NLMSG_DONE message, got type ${message.type}`);
  }
  const { payload } = message;
  // Some netlink families end a dump with a bare header; rtnetlink always sends the int.
  if (payload.length === 0) return { errno: 0 };
  if (payload.length < 4) {
    throw new Error(`netlink: NLMSG_DONE payload has ${payload.length} bytes, its error needs 4`);
  }
  const errno = payload.readInt32LE(0);
  return message.flags & NLM_F_ACK_TLVS ? { errno, ...parseExtendedAck(payload.subarray(4)) } : { errno };
}

/** The answers to one request found in one received datagram, sorted by meaning. */
export interface Replies {
  /** Family messages (RTM_NEWLINK, ...), in order. */
  data: NetlinkMessage[];
  /** The NLMSG_ERROR that answers the request: an ack (errno 0) or its failure. */
  ack?: NetlinkAck;
  /** The NLMSG_DONE that ends a dump (errno < 0 if the dump failed). */
  done?: NetlinkDone;
  /** A message carried NLM_F_DUMP_INTR: the dump raced a change. */
  interrupted: boolean;
  /** Messages of other sequence numbers (late answers to earlier requests), left out. */
  skipped: number;
}

/**
 * Parses a datagram and sorts the messages that answer request `seq`. A
 * request is answered once `ack` or `done` is set, or, for a plain GET
 * without NLM_F_ACK, once `data` holds its one reply.
 */
export function sortReplies(datagram: Buffer, seq: number): Replies {
  const replies: Replies = { data: [], interrupted: false, skipped: 0 };
  for (const message of parseMessages(datagram)) {
    if (message.seq !== seq) {
      replies.skipped++;
      continue;
    }
    if (message.dumpInterrupted) replies.interrupted = true;
    if (message.type === NLMSG_ERROR) replies.ack = parseAck(message);
    else if (message.type === NLMSG_DONE) replies.done = parseDone(message);
    else if (message.type === NLMSG_OVERRUN) {
      throw new Error('netlink: NLMSG_OVERRUN: the kernel lost data for this request');
    } else if (message.type !== NLMSG_NOOP) replies.data.push(message);
  }
  return replies;
}

// --------------------------------------------------------------- building --

// `what` (and the number that completes it: `attribute 3`) is put together
// only for the error: these run for every field of every request.
function assertUint(value: number, bits: 8 | 16 | 32, what: string, which?: number): void {
  const max = bits === 32 ? 0xffffffff : bits === 16 ? 0xffff : 0xff;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    const name = which === undefined ? what : `${what} ${which}`;
    throw new RangeError(`${name} must be an integer from 0 to ${max}, got ${value}`);
  }
}

function assertInt32(value: number, what: string, which?: number): void {
  if (!Number.isInteger(value) || value < -(2 ** 31) || value > 2 ** 31 - 1) {
    const name = which === undefined ? what : `${what} ${which}`;
    throw new RangeError(`${name} must be a 32-bit signed integer, got ${value}`);
  }
}

/**
 * One attribute: struct nlattr, the value, zero padding to 4 bytes. nla_len
 * counts header and value, not the padding.
 */
export function attribute(type: number, value: Buffer, flags = 0): Buffer {
  const bytes = attributeRoom(type, value.length, flags);
  value.copy(bytes, NLA_HDRLEN);
  return bytes;
}

/** A zeroed attribute of `valueLength` bytes with its header written, for the value to be written in place. */
function attributeRoom(type: number, valueLength: number, flags = 0): Buffer {
  assertUint(type, 16, 'attribute type');
  const length = NLA_HDRLEN + valueLength;
  if (length > 0xffff) {
    throw new RangeError(`attribute ${type} would be ${length} bytes; nla_len holds at most 65535`);
  }
  const bytes = zeroed(align4(length));
  bytes.writeUInt16LE(length, 0);
  bytes.writeUInt16LE(type | flags, 2);
  return bytes;
}

export function u8Attribute(type: number, value: number): Buffer {
  assertUint(value, 8, 'attribute', type);
  const bytes = attributeRoom(type, 1);
  bytes.writeUInt8(value, NLA_HDRLEN);
  return bytes;
}

export function u32Attribute(type: number, value: number): Buffer {
  assertUint(value, 32, 'attribute', type);
  const bytes = attributeRoom(type, 4);
  bytes.writeUInt32LE(value, NLA_HDRLEN);
  return bytes;
}

export function s32Attribute(type: number, value: number): Buffer {
  assertInt32(value, 'attribute', type);
  const bytes = attributeRoom(type, 4);
  bytes.writeInt32LE(value, NLA_HDRLEN);
  return bytes;
}

/**
 * A string attribute. With the NUL (the default) it is what the kernel's
 * NLA_NUL_STRING and nla_strscpy expect; iproute2 sends IFLA_INFO_KIND without.
 */
export function stringAttribute(type: number, text: string, options: { nul?: boolean } = {}): Buffer {
  if (text.includes('\0')) throw new TypeError(`attribute ${type} string must not contain NUL`);
  const size = Buffer.byteLength(text, 'utf8');
  // Written in place; the room is zeroed, so the NUL is there already.
  const bytes = attributeRoom(type, options.nul === false ? size : size + 1);
  bytes.write(text, NLA_HDRLEN, 'utf8');
  return bytes;
}

/**
 * A nest: an attribute whose value is `parts` (attributes, or a struct then
 * attributes). iproute2 does not set NLA_F_NESTED on the rtnetlink nests we
 * build and the kernel parses them either way; pass `flagNested` for
 * families whose strict policies demand it.
 */
export function nestAttribute(type: number, parts: Buffer[], options: { flagNested?: boolean } = {}): Buffer {
  let size = 0;
  for (let i = 0; i < parts.length; i++) size += parts[i].length;
  const bytes = attributeRoom(type, size, options.flagNested ? NLA_F_NESTED : 0);
  for (let i = 0, at = NLA_HDRLEN; i < parts.length; at += parts[i].length, i++) parts[i].copy(bytes, at);
  return bytes;
}

/** The header fields a request sets; the codecs fill in type and flags. */
export interface RequestHeader {
  type: number;
  flags: number;
  /** The caller's sequence number, echoed in every reply to this request. */
  seq: number;
  /** 0: the kernel. */
  pid?: number;
}

/**
 * A copy of the request `template` with sequence number `seq`: a request
 * sent the same way many times (a dump of every namespace of a map) is
 * built once, where encoding it each time costs more than its send.
 */
export function withSequence(template: Buffer, seq: number): Buffer {
  assertUint(seq, 32, 'sequence number');
  const bytes = Buffer.allocUnsafe(template.length);
  template.copy(bytes, 0);
  bytes.writeUInt32LE(seq, NLMSGHDR.fields.seq.offset);
  return bytes;
}

/** A whole message: struct nlmsghdr with nlmsg_len filled in, then `parts` in order. */
export function encodeMessage(header: RequestHeader, parts: Buffer[]): Buffer {
  assertUint(header.type, 16, 'message type');
  assertUint(header.flags, 16, 'message flags');
  assertUint(header.seq, 32, 'sequence number');
  assertUint(header.pid ?? 0, 32, 'port id');
  let length = NLMSG_HDRLEN;
  for (let i = 0; i < parts.length; i++) length += align4(parts[i].length);
  // One zeroed buffer, each part copied to its aligned place: the padding
  // stays zero. Fields named one by one: an object spread of the header
  // cost six times the rest of the encoding (V8 in Node 20).
  const bytes = zeroed(length);
  bytes.writeUInt32LE(length, NLMSGHDR.fields.length.offset);
  bytes.writeUInt16LE(header.type, NLMSGHDR.fields.type.offset);
  bytes.writeUInt16LE(header.flags, NLMSGHDR.fields.flags.offset);
  bytes.writeUInt32LE(header.seq, NLMSGHDR.fields.seq.offset);
  bytes.writeUInt32LE(header.pid ?? 0, NLMSGHDR.fields.pid.offset);
  for (let i = 0, at = NLMSG_HDRLEN; i < parts.length; at += align4(parts[i].length), i++) parts[i].copy(bytes, at);
  return bytes;
}
