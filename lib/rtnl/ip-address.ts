// IP addresses as bytes (what netlink carries, network byte order) and as
// text (what users and `ip` read and write).
//
// Printing follows inet_ntop(3) of glibc, which is what iproute2 prints:
// lower case, the longest run (two or more) of zero groups shortened to
// `::` (the first such run on a tie), and the dotted tail for ::ffff:a.b.c.d
// (v4-mapped) and ::a.b.c.d (v4-compatible, all of the first six groups zero
// and the seventh not zero).
//
// Parsing is strict on purpose: an address that reaches the kernel is the
// address the user meant, so anything a reader could take two ways is refused.
import net from 'node:net';
import { AF_INET, AF_INET6 } from './constants';

export type IpFamily = 4 | 6;

/** 4/6 → AF_INET/AF_INET6, the family byte of ifaddrmsg and rtmsg. */
export function addressFamilyOf(family: IpFamily): number {
  return family === 4 ? AF_INET : AF_INET6;
}

/** AF_INET/AF_INET6 → 4/6; undefined for every other address family. */
export function ipFamilyOf(addressFamily: number): IpFamily | undefined {
  if (addressFamily === AF_INET) return 4;
  if (addressFamily === AF_INET6) return 6;
  return undefined;
}

/** A parsed CIDR (or single address), ready for netlink. */
export interface Cidr {
  family: IpFamily;
  /** 4 or 16 bytes, network byte order. */
  address: Buffer;
  prefixLength: number;
}

// ---------------------------------------------------------------- printing --

export function formatIPv4(bytes: Buffer): string {
  if (bytes.length !== 4) throw new RangeError(`an IPv4 address is 4 bytes, got ${bytes.length}`);
  return ipv4At(bytes, 0);
}

/** The IPv4 address in bytes[at, at + 4) (the caller has checked that it is there). */
export function ipv4At(bytes: Buffer, at: number): string {
  return `${bytes[at]}.${bytes[at + 1]}.${bytes[at + 2]}.${bytes[at + 3]}`;
}

export function formatIPv6(bytes: Buffer): string {
  if (bytes.length !== 16) throw new RangeError(`an IPv6 address is 16 bytes, got ${bytes.length}`);
  return ipv6At(bytes, 0);
}

/** Each byte value in hex without leading zeros ('0' for 0), and in two digits. */
const HEX_SHORT = Array.from({ length: 256 }, (_, byte) => byte.toString(16));
const HEX_TWO = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** The 16-bit group at `at` in hex without leading zeros, from the two tables (no number-to-text conversion). */
function hexGroupAt(bytes: Buffer, at: number): string {
  const high = bytes[at];
  return high === 0 ? HEX_SHORT[bytes[at + 1]] : HEX_SHORT[high] + HEX_TWO[bytes[at + 1]];
}

/**
 * The IPv6 address in bytes[at, at + 16) (the caller has checked that it is
 * there), read in place, as glibc's inet_ntop (and so ip) writes it: every
 * address of a dump comes through here.
 */
export function ipv6At(bytes: Buffer, at: number): string {
  // Longest run of zero groups; a lone zero group is not shortened.
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8;) {
    if (bytes[at + 2 * i] !== 0 || bytes[at + 2 * i + 1] !== 0) {
      i++;
      continue;
    }
    let end = i + 1;
    while (end < 8 && bytes[at + 2 * end] === 0 && bytes[at + 2 * end + 1] === 0) end++;
    if (end - i > bestLength) {
      bestStart = i;
      bestLength = end - i;
    }
    i = end;
  }
  if (bestLength < 2) bestStart = -1;

  const v4Tail =
    bestStart === 0 && (bestLength === 6 || (bestLength === 5 && bytes[at + 10] === 0xff && bytes[at + 11] === 0xff));
  const hexGroups = v4Tail ? 6 : 8;

  let text = '';
  for (let i = 0; i < hexGroups; i++) {
    if (i === bestStart) {
      text += '::';
      i += bestLength - 1;
      continue;
    }
    // A separator between groups, none right after '::'.
    if (i > 0 && i !== bestStart + bestLength) text += ':';
    text += hexGroupAt(bytes, at + 2 * i);
  }
  if (v4Tail) text += `${text.endsWith(':') ? '' : ':'}${ipv4At(bytes, at + 12)}`;
  return text;
}

/** Address bytes as text: 4 bytes are IPv4, 16 are IPv6. */
export function formatIP(bytes: Buffer): string {
  if (bytes.length === 4) return formatIPv4(bytes);
  if (bytes.length === 16) return formatIPv6(bytes);
  throw new RangeError(`an IP address is 4 or 16 bytes, got ${bytes.length}`);
}

/** Address bytes of a known family (as netlink states it) as text. */
export function formatAddress(family: IpFamily, bytes: Buffer): string {
  return family === 4 ? formatIPv4(bytes) : formatIPv6(bytes);
}

/** The address of `family` in bytes at `at` (the caller has checked its size). */
export function addressAt(family: IpFamily, bytes: Buffer, at: number): string {
  return family === 4 ? ipv4At(bytes, at) : ipv6At(bytes, at);
}

// ----------------------------------------------------------------- parsing --

function describe(text: string): string {
  return JSON.stringify(text);
}

const DECIMAL_OCTET = /^(0|[1-9][0-9]{0,2})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

function parseIPv4Text(text: string, original: string, what: string): Buffer {
  const parts = text.split('.');
  if (parts.length !== 4) {
    throw new TypeError(`${what} ${describe(original)} is not an IPv4 address: it needs four dotted decimal octets`);
  }
  // Written into a buffer from the shared pool: Buffer.from(array) cost as much as the checks.
  const bytes = Buffer.allocUnsafe(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i];
    if (!DECIMAL_OCTET.test(part)) {
      throw new TypeError(
        `${what} ${describe(original)}: octet ${describe(part)} ` +
          'must be decimal digits without leading zeros (a leading zero reads as octal to some tools)',
      );
    }
    const value = Number(part);
    if (value > 255) throw new RangeError(`${what} ${describe(original)}: octet ${part} is above 255`);
    bytes[i] = value;
  }
  return bytes;
}

function parseIPv6Text(text: string, original: string, what: string): Buffer {
  const bad = (why: string) => new TypeError(`${what} ${describe(original)} is not an IPv6 address: ${why}`);
  if (text.startsWith('[') || text.endsWith(']')) throw bad('write it without brackets');
  if (text.includes('%'))
    throw bad('zone ids (%eth0) name an interface, not an address; pass the interface separately');
  const halves = text.split('::');
  if (halves.length > 2) throw bad("'::' may appear only once");

  const groupsOf = (half: string, isLast: boolean): number[] => {
    if (half === '') return [];
    const parts = half.split(':');
    const groups: number[] = [];
    parts.forEach((part, i) => {
      if (isLast && i === parts.length - 1 && part.includes('.')) {
        const v4 = parseIPv4Text(part, original, what);
        groups.push(v4.readUInt16BE(0), v4.readUInt16BE(2));
      } else if (HEX_GROUP.test(part)) {
        groups.push(parseInt(part, 16));
      } else {
        throw bad(part === '' ? 'empty group' : `group ${describe(part)} is not 1 to 4 hex digits`);
      }
    });
    return groups;
  };

  const compressed = halves.length === 2;
  const head = groupsOf(halves[0], !compressed);
  const tail = compressed ? groupsOf(halves[1], true) : [];
  const count = head.length + tail.length;
  if (compressed ? count > 7 : count !== 8) {
    throw bad(
      compressed
        ? `'::' stands for at least one zero group, but ${count} groups are given`
        : `it has ${count} groups, not 8`,
    );
  }
  const groups = [...head, ...Array<number>(8 - count).fill(0), ...tail];
  const bytes = Buffer.alloc(16);
  groups.forEach((group, i) => bytes.writeUInt16BE(group, i * 2));
  return bytes;
}

/**
 * Parses a single IP address (no prefix). Refuses whitespace, zone ids,
 * brackets, hostnames and IPv4 octets with leading zeros.
 */
export function parseIP(text: unknown, what = 'address'): { family: IpFamily; address: Buffer } {
  if (typeof text !== 'string') throw new TypeError(`${what} must be a string, got ${typeof text}`);
  if (text === '') throw new TypeError(`${what} is empty`);
  if (/\s/.test(text)) throw new TypeError(`${what} ${describe(text)} contains whitespace`);
  if (text.includes(':')) {
    const address = parseIPv6Text(text, text, what);
    // A second opinion: node's parser must agree it is IPv6.
    if (!net.isIPv6(text)) throw new TypeError(`${what} ${describe(text)} is not a valid IPv6 address`);
    return { family: 6, address };
  }
  if (/^[0-9.]+$/.test(text)) {
    const address = parseIPv4Text(text, text, what);
    if (!net.isIPv4(text)) throw new TypeError(`${what} ${describe(text)} is not a valid IPv4 address`);
    return { family: 4, address };
  }
  throw new TypeError(`${what} ${describe(text)} is not an IP address (hostnames are not resolved here)`);
}

export interface ParseCidrOptions {
  /** When false, an address without `/N` is a host prefix (/32 or /128). Default true. */
  requirePrefix?: boolean;
  /** Refuse the other family. */
  family?: IpFamily;
  /** Names the argument in error messages. */
  what?: string;
}

/**
 * Parses `ADDRESS/PREFIX` strictly: '10.0.0.1/24' → { family: 4, address:
 * <0a 00 00 01>, prefixLength: 24 }. The prefix is decimal without leading
 * zeros, within /0–32 (IPv4) or /0–128 (IPv6); netmask notation
 * (/255.255.255.0) is refused.
 */
export function parseCidr(text: unknown, options: ParseCidrOptions = {}): Cidr {
  const what = options.what ?? 'CIDR';
  if (typeof text !== 'string') throw new TypeError(`${what} must be a string, got ${typeof text}`);
  if (/\s/.test(text)) throw new TypeError(`${what} ${describe(text)} contains whitespace`);
  const slash = text.indexOf('/');
  const addressText = slash === -1 ? text : text.slice(0, slash);
  const { family, address } = parseIP(addressText, `${what} address`);
  if (options.family !== undefined && options.family !== family) {
    throw new TypeError(`${what} ${describe(text)} is IPv${family}, IPv${options.family} is required`);
  }
  const maxPrefix = family === 4 ? 32 : 128;
  if (slash === -1) {
    if (options.requirePrefix ?? true) {
      throw new TypeError(`${what} ${describe(text)} has no prefix length: write it as ${text}/N`);
    }
    return { family, address, prefixLength: maxPrefix };
  }
  const prefixText = text.slice(slash + 1);
  if (!/^(0|[1-9][0-9]*)$/.test(prefixText)) {
    throw new TypeError(
      `${what} ${describe(text)}: the prefix length must be a decimal number ` +
        `without leading zeros${prefixText.includes('.') ? ' (netmask notation is not accepted)' : ''}`,
    );
  }
  const prefixLength = Number(prefixText);
  if (prefixLength > maxPrefix) {
    throw new RangeError(`${what} ${describe(text)}: an IPv${family} prefix length is 0 to ${maxPrefix}`);
  }
  return { family, address, prefixLength };
}

/** True when no bit after the first `prefixLength` is set (a network address). */
export function hostBitsAreZero(address: Buffer, prefixLength: number): boolean {
  for (let bit = prefixLength; bit < address.length * 8; bit++) {
    if (address[bit >> 3] & (0x80 >> (bit & 7))) return false;
  }
  return true;
}

/** The address with every bit after `prefixLength` set to `hostBit` (broadcast, network). */
export function withHostBits(address: Buffer, prefixLength: number, hostBit: 0 | 1): Buffer {
  const result = Buffer.from(address);
  for (let bit = prefixLength; bit < result.length * 8; bit++) {
    const mask = 0x80 >> (bit & 7);
    result[bit >> 3] = hostBit ? result[bit >> 3] | mask : result[bit >> 3] & ~mask;
  }
  return result;
}
