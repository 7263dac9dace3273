// struct sockaddr_in / sockaddr_in6 bytes for bind(2), from an IP literal.
import net from 'node:net';
import { native } from '../binding';

const { AF_INET, AF_INET6 } = native.constants;

export function assertPort(port: unknown, what = 'port'): asserts port is number {
  if (typeof port !== 'number') throw new TypeError(`${what} must be a number, got ${typeof port}`);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`${what} must be an integer from 0 to 65535, got ${port}`);
  }
}

/**
 * Only IP literals: a hostname would have to be resolved, and resolving
 * (dns.lookup, the libuv threadpool) happens outside the namespace.
 */
export function assertIpLiteral(host: unknown, what = 'host'): asserts host is string {
  if (typeof host !== 'string') throw new TypeError(`${what} must be a string, got ${typeof host}`);
  if (net.isIP(host) === 0) {
    throw new TypeError(`${what} must be an IP address, got '${host}': a hostname would be ` +
      'resolved outside the namespace; resolve it yourself and pass the address');
  }
}

function ipv6Bytes(address: string): Buffer {
  let text = address.split('%')[0];
  const bytes = Buffer.alloc(16);
  const embedded = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (embedded) {
    const v4 = embedded[1].split('.').map(Number);
    const high = ((v4[0] << 8) | v4[1]).toString(16);
    const low = ((v4[2] << 8) | v4[3]).toString(16);
    text = `${text.slice(0, -embedded[1].length)}${high}:${low}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array(tail === undefined ? 0 : missing).fill('0'), ...tailGroups];
  groups.forEach((group, i) => bytes.writeUInt16BE(parseInt(group, 16), i * 2));
  return bytes;
}

/** The sockaddr for an IP literal and port, and its address family. */
export function sockaddrOf(host: string, port: number): { family: number; bytes: Buffer } {
  assertIpLiteral(host);
  assertPort(port);
  if (net.isIPv4(host)) {
    const bytes = Buffer.alloc(16);
    bytes.writeUInt16LE(AF_INET, 0); // sa_family_t is host order (x86, arm: little endian)
    bytes.writeUInt16BE(port, 2);
    host.split('.').forEach((octet, i) => bytes.writeUInt8(Number(octet), 4 + i));
    return { family: AF_INET, bytes };
  }
  const bytes = Buffer.alloc(28);
  bytes.writeUInt16LE(AF_INET6, 0);
  bytes.writeUInt16BE(port, 2);
  ipv6Bytes(host).copy(bytes, 8);
  return { family: AF_INET6, bytes };
}
