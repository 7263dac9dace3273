// sockaddr bytes for bind(2), laid out as <netinet/in.h> says, without root.
import { describe, expect, it } from 'vitest';
import { parseHost, sockaddrOf } from '../../lib/inside/sockaddr';

const hex = (bytes: Buffer) => bytes.toString('hex');

describe('sockaddrOf', () => {
  it('sockaddr_in: family (host order), port (network order), address, 8 bytes of zero', () => {
    expect(hex(sockaddrOf(parseHost('10.1.2.3'), 8080))).toBe('0200' + '1f90' + '0a010203' + '0000000000000000');
  });

  it('sockaddr_in6: family, port, flowinfo 0, address, scope id (host order)', () => {
    const bytes = sockaddrOf(parseHost('fe80::1'), 443, 7);
    expect(bytes).toHaveLength(28);
    expect(hex(bytes)).toBe('0a00' + '01bb' + '00000000' + 'fe800000000000000000000000000001' + '07000000');
  });

  it('an IPv4-mapped IPv6 address keeps its 16 bytes', () => {
    expect(hex(sockaddrOf(parseHost('::ffff:192.0.2.1'), 1).subarray(8, 24))).toBe('00000000000000000000ffffc0000201');
  });

  it.each([-1, 65536, 1.5, Number.NaN])('refuses port %s', (port) => {
    expect(() => sockaddrOf(parseHost('127.0.0.1'), port)).toThrow(RangeError);
  });
});

describe('parseHost', () => {
  it('keeps an IPv6 zone, by name or index, for the namespace to resolve', () => {
    expect(parseHost('fe80::1%eth0')).toMatchObject({ family: 6, zone: 'eth0' });
    expect(parseHost('fe80::1%3')).toMatchObject({ family: 6, zone: '3' });
    expect(parseHost('::1')).not.toHaveProperty('zone');
  });

  it.each([
    'localhost',
    'example.com',
    '10.0.0.1%eth0',
    'fe80::1%',
    'fe80::1%a%b',
    'fe80::1%a b',
    '1.2.3',
    '01.2.3.4',
    '',
    'fe80::1%sixteen-chars-long',
  ])('refuses %j', (host) => {
    expect(() => parseHost(host)).toThrow(TypeError);
  });

  it('refuses non-strings', () => {
    expect(() => parseHost(7)).toThrow(TypeError);
  });
});
