// IP text <-> bytes: printing as ip prints, parsing strictly.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  formatIP,
  formatIPv4,
  formatIPv6,
  hostBitsAreZero,
  parseCidr,
  parseIP,
  withHostBits,
} from '../../lib/rtnl/ip-address';

// input → how ip prints it. Taken from `ip -j -6 route show` after
// `ip -6 route add unreachable INPUT/128` in a throwaway namespace
// (iproute2 6.1, glibc inet_ntop), plus glibc's inet_ntop for the rest.
const IPV6_AS_IP_PRINTS: Array<[string, string]> = [
  ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // first of two equal runs
  ['2001:0:0:1:0:0:0:0', '2001:0:0:1::'], // the longer run, not the first
  ['0:0:1:0:0:1:0:0', '::1:0:0:1:0:0'],
  ['1:0:0:1:0:0:0:1', '1:0:0:1::1'],
  ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a lone zero group stays
  ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
  ['FE80::ABCD:0:0:1', 'fe80::abcd:0:0:1'], // lower case
  ['::ffff:1.2.3.4', '::ffff:1.2.3.4'], // v4-mapped keeps its dotted tail
  ['::ffff:0102:0304', '::ffff:1.2.3.4'],
  ['::1.2.3.4', '::1.2.3.4'], // v4-compatible: first six groups zero
  ['::1:2', '::0.1.0.2'], // ... which inet_ntop applies to this too
  ['::ffff:0:1.2.3.4', '::ffff:0:102:304'], // SIIT: no dotted tail
  ['64:ff9b::1.2.3.4', '64:ff9b::102:304'], // NAT64: no dotted tail
  ['::1', '::1'],
  ['::', '::'],
  ['::0.0.0.1', '::1'], // seven zero groups: not the v4 form
  ['::ffff:0.0.0.0', '::ffff:0.0.0.0'],
  ['1::', '1::'],
  ['0:0:0:0:0:1:0:0', '::1:0:0'],
];

describe('printing', () => {
  it.each(IPV6_AS_IP_PRINTS)('%s prints as %s', (input, printed) => {
    expect(formatIPv6(parseIP(input).address)).toBe(printed);
    // And reads back to the same bytes.
    expect(parseIP(printed).address).toEqual(parseIP(input).address);
  });

  it('random addresses print as inet_ntop writes them, and read back to their bytes', () => {
    // The oracle: libuv's inet_ntop, through node:net (it prints as glibc's, which ip uses).
    const inetNtop = (bytes: Buffer) => {
      const expanded = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(2 * i).toString(16)).join(':');
      return new net.SocketAddress({ address: expanded, family: 'ipv6' }).address;
    };
    // Groups drawn to make the byte patterns a table could get wrong (0x00ab, 0x0a00, 0xab00).
    const values = [0, 0x1, 0xab, 0xa00, 0xab00, 0xffff, 0x1234, 0xfe80];
    let seed = 12345;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return Math.floor((seed / 2 ** 31) * n); // from the high bits: the low ones of this generator cycle fast
    };
    const shapes = { compressed: 0, dotted: 0 };
    for (let round = 0; round < 4000; round++) {
      const groups = Array.from({ length: 8 }, () => values[random(values.length)]);
      // Zero runs of every length and place, and the shapes with a dotted IPv4 tail.
      const start = random(8);
      groups.fill(0, start, start + random(9 - start));
      if (round % 8 === 0) groups.fill(0, 0, 5 + random(2));
      if (round % 16 === 0) groups[5] = 0xffff;
      const bytes = Buffer.alloc(16);
      groups.forEach((group, i) => bytes.writeUInt16BE(group, 2 * i));
      const printed = formatIPv6(bytes);
      expect(printed).toBe(inetNtop(bytes));
      expect(parseIP(printed).address).toEqual(bytes);
      if (printed.includes('::')) shapes.compressed++;
      if (printed.includes('.')) shapes.dotted++;
    }
    // The premise: the rounds drew both shapes a printer can get wrong, many times.
    expect(shapes.compressed).toBeGreaterThan(1000);
    expect(shapes.dotted).toBeGreaterThan(100);
  });

  it('IPv4, and by length', () => {
    expect(formatIPv4(Buffer.from([10, 0, 0, 255]))).toBe('10.0.0.255');
    expect(formatIP(Buffer.from([0, 0, 0, 0]))).toBe('0.0.0.0');
    expect(formatIP(Buffer.alloc(16))).toBe('::');
    expect(() => formatIP(Buffer.alloc(5))).toThrow(RangeError);
    expect(() => formatIPv6(Buffer.alloc(4))).toThrow(RangeError);
  });
});

describe('parseCidr', () => {
  const valid: Array<[string, 4 | 6, string, number]> = [
    ['10.0.0.1/24', 4, '0a000001', 24],
    ['0.0.0.0/0', 4, '00000000', 0],
    ['255.255.255.255/32', 4, 'ffffffff', 32],
    ['192.168.0.10/31', 4, 'c0a8000a', 31],
    ['2001:db8::1/64', 6, '20010db8000000000000000000000001', 64],
    ['::/0', 6, '00000000000000000000000000000000', 0],
    ['fe80::1/128', 6, 'fe800000000000000000000000000001', 128],
    ['::ffff:10.0.0.1/96', 6, '00000000000000000000ffff0a000001', 96],
    ['2001:DB8::A/48', 6, '20010db800000000000000000000000a', 48],
  ];

  it.each(valid)('%s', (text, family, bytes, prefixLength) => {
    const cidr = parseCidr(text);
    expect({ family: cidr.family, address: cidr.address.toString('hex'), prefixLength }).toEqual({
      family,
      address: bytes,
      prefixLength,
    });
    // node agrees these are addresses of that family.
    expect(net.isIP(text.split('/')[0])).toBe(family);
  });

  // [input, error class, message part, what node's net.isIP says of the address part]
  const invalid: Array<[string, typeof TypeError | typeof RangeError, RegExp, number]> = [
    ['10.0.0.1', TypeError, /no prefix length/, 4],
    ['010.0.0.1/24', TypeError, /leading zeros/, 0],
    ['10.0.0.01/24', TypeError, /leading zeros/, 0],
    ['256.0.0.1/24', RangeError, /above 255/, 0],
    ['10.0.0/24', TypeError, /four dotted decimal octets/, 0],
    ['10.0.0.1/33', RangeError, /0 to 32/, 4],
    ['::1/129', RangeError, /0 to 128/, 6],
    ['10.0.0.1/08', TypeError, /without leading zeros/, 4],
    ['10.0.0.1/-1', TypeError, /decimal number/, 4],
    ['10.0.0.1/+8', TypeError, /decimal number/, 4],
    ['10.0.0.1/', TypeError, /decimal number/, 4],
    ['10.0.0.1/24/1', TypeError, /decimal number/, 4],
    ['10.0.0.1/255.255.255.0', TypeError, /netmask notation/, 4],
    [' 10.0.0.1/24', TypeError, /whitespace/, 0],
    ['10.0.0.1/24\n', TypeError, /whitespace/, 4],
    ['10.0.0.1 /24', TypeError, /whitespace/, 0],
    ['fe80::1%eth0/64', TypeError, /zone ids/, 6], // node accepts the zone
    ['[2001:db8::1]/64', TypeError, /brackets/, 0],
    ['localhost/8', TypeError, /hostnames are not resolved/, 0],
    ['host.example/24', TypeError, /not an IP address/, 0],
    ['0x7f.0.0.1/8', TypeError, /not an IP address/, 0],
    ['1::2::3/64', TypeError, /only once/, 0],
    ['1:2:3:4:5:6:7:8:9/64', TypeError, /9 groups/, 0],
    ['1:2:3:4:5:6:7/64', TypeError, /7 groups, not 8/, 0],
    ['1::2:3:4:5:6:7:8/64', TypeError, /at least one zero group/, 0],
    ['12345::/64', TypeError, /1 to 4 hex digits/, 0],
    [':1::/64', TypeError, /empty group/, 0],
    ['::ffff:01.2.3.4/96', TypeError, /leading zeros/, 0],
    ['1.2.3.4::/64', TypeError, /not 1 to 4 hex digits/, 0],
    ['/24', TypeError, /empty/, 0],
  ];

  it.each(invalid)('refuses %j', (text, errorClass, message, nodeSays) => {
    expect(() => parseCidr(text)).toThrow(errorClass);
    expect(() => parseCidr(text)).toThrow(message);
    expect(net.isIP(text.split('/')[0])).toBe(nodeSays);
  });

  it('refuses what is not a string', () => {
    expect(() => parseCidr(167772161)).toThrow(TypeError);
    expect(() => parseCidr(undefined)).toThrow(TypeError);
  });

  it('an address without prefix, where allowed, is a host prefix', () => {
    expect(parseCidr('10.0.0.1', { requirePrefix: false }).prefixLength).toBe(32);
    expect(parseCidr('2001:db8::1', { requirePrefix: false }).prefixLength).toBe(128);
  });

  it('can insist on one family', () => {
    expect(() => parseCidr('10.0.0.1/8', { family: 6 })).toThrow(/IPv6 is required/);
    expect(parseCidr('::1/128', { family: 6 }).family).toBe(6);
  });
});

describe('prefix arithmetic', () => {
  it('host bits', () => {
    const net10 = parseCidr('10.1.0.0/16').address;
    expect(hostBitsAreZero(net10, 16)).toBe(true);
    expect(hostBitsAreZero(net10, 15)).toBe(false); // 10.1 ends in a one bit
    expect(hostBitsAreZero(parseCidr('10.2.0.0/15').address, 15)).toBe(true);
    expect(hostBitsAreZero(net10, 8)).toBe(false);
    expect(formatIPv4(withHostBits(parseCidr('10.0.0.2/24').address, 24, 1))).toBe('10.0.0.255');
    expect(formatIPv4(withHostBits(parseCidr('10.0.0.130/25').address, 25, 0))).toBe('10.0.0.128');
    expect(formatIPv6(withHostBits(parseCidr('2001:db8::1/64').address, 64, 0))).toBe('2001:db8::');
  });
});
