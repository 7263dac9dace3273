// The fixed C structs of netlink, each described once (C member, offset,
// width, signedness): the description encodes and decodes it, and
// test/unit/rtnl-constants.test.ts checks it against offsetof/sizeof in the
// kernel headers. Host byte order, which is little endian here (wire.ts).
import { compileStructReader } from './compiled-readers';
import { zeroed } from './zeroed';

/** u32 that a request fills from a JS bit expression (which may be negative): written modulo 2^32. */
type Width = 'u8' | 'u16' | 'u32' | 's32' | 'bits32';

export interface FieldLayout {
  /** The member's name in the C struct. */
  readonly c: string;
  readonly offset: number;
  readonly width: Width;
}

export interface StructLayout<F extends string> {
  /** The C struct's name. */
  readonly name: string;
  /** sizeof, as sent: padded to 4 bytes (NLMSG_ALIGN). */
  readonly size: number;
  readonly fields: Readonly<Record<F, FieldLayout>>;
  /** The struct with `values` in it, zero elsewhere. */
  encode(values?: Partial<Record<F, number>>): Buffer;
  /** Reads it from `bytes` at `offset` (the caller has checked that it fits). */
  decode(bytes: Buffer, offset?: number): Record<F, number>;
}

/** The values of a struct, by field name. */
export type StructOf<L> = L extends StructLayout<infer F> ? Record<F, number> : never;

type Reader = (bytes: Buffer, offset: number) => number;
type Writer = (bytes: Buffer, value: number, offset: number) => void;

/**
 * Little-endian reads, byte by byte rather than through Buffer's checked
 * readers (which cost about twice as much): every message of every dump has
 * its header and attributes read with these. Unchecked: the caller has
 * checked that the bytes are there (StructLayout.decode, the attribute walk).
 */
export const u16At: Reader = (bytes, offset) => bytes[offset] | (bytes[offset + 1] << 8);
export const u32At: Reader = (bytes, offset) =>
  (bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16)) + bytes[offset + 3] * 0x1000000;

const READERS: Record<Width, Reader> = {
  u8: (bytes, offset) => bytes[offset],
  u16: u16At,
  u32: u32At,
  s32: (bytes, offset) =>
    bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16) | (bytes[offset + 3] << 24),
  bits32: u32At,
};

const WRITERS: Record<Width, Writer> = {
  u8: (bytes, value, offset) => bytes.writeUInt8(value, offset),
  u16: (bytes, value, offset) => bytes.writeUInt16LE(value, offset),
  u32: (bytes, value, offset) => bytes.writeUInt32LE(value, offset),
  s32: (bytes, value, offset) => bytes.writeInt32LE(value, offset),
  bits32: (bytes, value, offset) => bytes.writeUInt32LE(value >>> 0, offset),
};

function struct<F extends string>(
  name: string,
  size: number,
  fields: Record<F, [c: string, offset: number, width: Width]>,
): StructLayout<F> {
  const list = Object.entries<[string, number, Width]>(fields).map(([field, [c, offset, width]]) => ({
    field: field as F,
    layout: { c, offset, width },
  }));
  // Parallel arrays walked by index in encode: an iterator and a
  // destructuring per field cost more than the writes.
  const names = list.map(({ field }) => field);
  const offsets = list.map(({ layout }) => layout.offset);
  const writers = list.map(({ layout }) => WRITERS[layout.width]);
  // Every message of a dump has its header decoded: compiled once
  // (compiled-readers.ts), one object literal of one shape.
  const read = compileStructReader(
    names,
    offsets,
    list.map(({ layout }) => READERS[layout.width]),
  ) as (bytes: Buffer, at: number) => Record<F, number>;
  return {
    name,
    size,
    fields: Object.fromEntries(list.map(({ field, layout }) => [field, layout])) as Record<F, FieldLayout>,
    encode(values = {}) {
      const bytes = zeroed(size);
      for (let i = 0; i < names.length; i++) writers[i](bytes, values[names[i]] ?? 0, offsets[i]);
      return bytes;
    },
    decode(bytes, at = 0) {
      if (at < 0 || at + size > bytes.length) {
        throw new RangeError(`${name} needs ${size} bytes at offset ${at}, the buffer has ${bytes.length}`);
      }
      return read(bytes, at);
    },
  };
}

/** struct nlmsghdr. */
export const NLMSGHDR = struct('nlmsghdr', 16, {
  /** header + payload, without trailing padding. */
  length: ['nlmsg_len', 0, 'u32'],
  type: ['nlmsg_type', 4, 'u16'],
  flags: ['nlmsg_flags', 6, 'u16'],
  seq: ['nlmsg_seq', 8, 'u32'],
  pid: ['nlmsg_pid', 12, 'u32'],
});

/** struct nlmsgerr: the errno, then the header of the request it answers (decoded with NLMSGHDR). */
export const NLMSGERR = struct('nlmsgerr', 20, {
  /** 0 or a negative errno. */
  error: ['error', 0, 's32'],
});
/** Where the echoed request header starts in struct nlmsgerr. */
export const NLMSGERR_REQUEST_OFFSET = 4;

/** struct ifinfomsg, which starts every link message. */
export const IFINFOMSG = struct('ifinfomsg', 16, {
  family: ['ifi_family', 0, 'u8'],
  /** ARPHRD_*. */
  type: ['ifi_type', 2, 'u16'],
  index: ['ifi_index', 4, 's32'],
  /** IFF_* flags. */
  flags: ['ifi_flags', 8, 'bits32'],
  /** Which IFF_* bits of `flags` a request changes. */
  change: ['ifi_change', 12, 'bits32'],
});

/** struct ifaddrmsg, which starts every address message. */
export const IFADDRMSG = struct('ifaddrmsg', 8, {
  family: ['ifa_family', 0, 'u8'],
  prefixLength: ['ifa_prefixlen', 1, 'u8'],
  /** IFA_F_* (the low 8 bits; IFA_FLAGS carries all 32 when present). */
  flags: ['ifa_flags', 2, 'u8'],
  scope: ['ifa_scope', 3, 'u8'],
  index: ['ifa_index', 4, 'u32'],
});

/** struct rtmsg, which starts every route message. */
export const RTMSG = struct('rtmsg', 12, {
  family: ['rtm_family', 0, 'u8'],
  dstLength: ['rtm_dst_len', 1, 'u8'],
  srcLength: ['rtm_src_len', 2, 'u8'],
  tos: ['rtm_tos', 3, 'u8'],
  /** The table id when it fits in 8 bits; RTA_TABLE carries the full one. */
  table: ['rtm_table', 4, 'u8'],
  protocol: ['rtm_protocol', 5, 'u8'],
  scope: ['rtm_scope', 6, 'u8'],
  type: ['rtm_type', 7, 'u8'],
  flags: ['rtm_flags', 8, 'bits32'],
});

/** struct rtgenmsg (one byte, sent padded to 4 as iproute2 does), which starts nsid messages. */
export const RTGENMSG = struct('rtgenmsg', 4, {
  family: ['rtgen_family', 0, 'u8'],
});

/** struct rtnexthop: one hop of RTA_MULTIPATH, followed by its attributes. */
export const RTNEXTHOP = struct('rtnexthop', 8, {
  length: ['rtnh_len', 0, 'u16'],
  flags: ['rtnh_flags', 2, 'u8'],
  hops: ['rtnh_hops', 3, 'u8'],
  ifindex: ['rtnh_ifindex', 4, 's32'],
});

/** Every layout, for the check against the kernel headers. */
export const LAYOUTS: ReadonlyArray<StructLayout<string>> = [
  NLMSGHDR,
  NLMSGERR,
  IFINFOMSG,
  IFADDRMSG,
  RTMSG,
  RTGENMSG,
  RTNEXTHOP,
];
