// struct sockaddr_in / sockaddr_in6 bytes for bind(2), from an IP literal,
// optionally with an IPv6 zone (`fe80::1%eth0`, `fe80::1%3`).
import { native } from '../binding';
import { type IpFamily, parseIP } from '../rtnl/ip-address';

const { AF_INET, AF_INET6 } = native.constants;

export function assertPort(port: unknown, what = 'port'): asserts port is number {
  if (typeof port !== 'number') throw new TypeError(`${what} must be a number, got ${typeof port}`);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`${what} must be an integer from 0 to 65535, got ${port}`);
  }
}

export interface HostAddress {
  family: IpFamily;
  /** 4 or 16 bytes, network order. */
  address: Buffer;
  /** An IPv6 zone: an interface name or index, to be resolved inside the namespace. */
  zone?: string;
}

const ZONE = /^[A-Za-z0-9_.:@+-]{1,15}$/;

/**
 * Only IP literals: a hostname would have to be resolved, and resolving
 * (dns.lookup, the libuv threadpool) happens outside the namespace.
 */
export function parseHost(host: unknown, what = 'host'): HostAddress {
  if (typeof host !== 'string') throw new TypeError(`${what} must be a string, got ${typeof host}`);
  const [text, zone, ...rest] = host.split('%');
  let parsed: { family: IpFamily; address: Buffer };
  try {
    parsed = parseIP(text, what);
  } catch (error) {
    // Something like an address (digits, dots, colons) is just a bad one.
    if (/^[0-9a-fA-F.:]+$/.test(text)) throw error;
    throw new TypeError(
      `${what} must be an IP address, got '${host}': a hostname would be ` +
        'resolved outside the namespace; resolve it yourself and pass the address',
    );
  }
  if (zone === undefined) return parsed;
  if (parsed.family !== 6 || rest.length > 0 || !ZONE.test(zone)) {
    throw new TypeError(`${what} '${host}': a zone (%NAME or %INDEX) goes only after an IPv6 address`);
  }
  return { ...parsed, zone };
}

/** The sockaddr bytes for an address, a port and (IPv6) a scope id. */
export function sockaddrOf(host: HostAddress, port: number, scopeId = 0): Buffer {
  assertPort(port);
  if (host.family === 4) {
    const bytes = Buffer.alloc(16);
    bytes.writeUInt16LE(AF_INET, 0); // sa_family_t is host order (x86, arm: little endian)
    bytes.writeUInt16BE(port, 2);
    host.address.copy(bytes, 4);
    return bytes;
  }
  const bytes = Buffer.alloc(28);
  bytes.writeUInt16LE(AF_INET6, 0);
  bytes.writeUInt16BE(port, 2);
  host.address.copy(bytes, 8);
  bytes.writeUInt32LE(scopeId, 24);
  return bytes;
}
