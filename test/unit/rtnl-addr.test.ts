// Address codec: requests against what iproute2 sends and what a real kernel
// accepted, and a real dump against `ip -j addr` of the same moment.
import { describe, expect, it } from 'vitest';
import {
  addAddressRequest,
  addressDumpRequest,
  deleteAddressRequest,
  parseAddressDump,
  parseAddressMessage,
} from '../../lib/rtnl/addr-codec';
import { parseCidr } from '../../lib/rtnl/ip-address';
import { linkNames, parseLinkDump } from '../../lib/rtnl/link-codec';
import type { Address } from '../../lib/rtnl/model';
import { parseAck, parseMessages } from '../../lib/rtnl/wire';
import { hex, loadExchange, loadIpJson } from './rtnl-fixture';

// Golden requests: iproute2 6.1 under
//   ip netns exec NS strace -e trace=sendmsg -e write=all -xx ip addr ...
// with br0 at ifindex 7; seq is ip's own.
describe('address requests equal what ip sends', () => {
  it('ip addr add 10.0.0.1/24 dev br0: IFA_LOCAL then IFA_ADDRESS, no broadcast', () => {
    // ifaddrmsg: AF_INET, /24 (0x18), flags 0, scope 0 (global), index 7.
    expect(hex(addAddressRequest(0x6b04f6aa, 7, '10.0.0.1/24'))).toBe(
      '2800000014000506aaf6046b00000000' + '0218000007000000' + '080002000a000001' + '080001000a000001',
    );
  });

  it('ip addr add 10.0.0.2/24 brd + dev br0: IFA_BROADCAST with the host bits set', () => {
    expect(hex(addAddressRequest(0x6b04f6ab, 7, '10.0.0.2/24', { broadcast: true }))).toBe(
      '3000000014000506abf6046b000000000218000007000000080002000a000002080001000a000002080004000a0000ff',
    );
    // An explicit broadcast address gives the same bytes.
    expect(addAddressRequest(0x6b04f6ab, 7, '10.0.0.2/24', { broadcast: '10.0.0.255' })).toEqual(
      addAddressRequest(0x6b04f6ab, 7, '10.0.0.2/24', { broadcast: true }),
    );
  });

  it('ip addr add 2001:db8::1/64 dev br0', () => {
    expect(hex(addAddressRequest(0x6b04f6ab, 7, '2001:db8::1/64'))).toBe(
      '4000000014000506abf6046b000000000a40000007000000' +
        '1400020020010db8000000000000000000000001' +
        '1400010020010db8000000000000000000000001',
    );
  });

  it('ip addr del 10.0.0.1/24 dev br0: RTM_DELADDR, REQUEST|ACK, scope left 0', () => {
    expect(hex(deleteAddressRequest(0x6b04f6ac, 7, '10.0.0.1/24'))).toBe(
      '2800000015000500acf6046b000000000218000007000000080002000a000001080001000a000001',
    );
  });

  it('ip addr show: a dump of every family', () => {
    expect(hex(addressDumpRequest(0x6b04f690))).toBe('180000001600010390f6046b000000000000000000000000');
    expect(hex(addressDumpRequest(1, { family: 6 }).subarray(16))).toBe('0a00000000000000');
  });
});

describe('address requests a real kernel accepted', () => {
  const indexes = linkNames(parseLinkDump(loadExchange('link-dump').messages));
  const indexOf = (name: string) => [...indexes].find(([, candidate]) => candidate === name)?.[0] as number;
  const accepted = (name: string) => {
    const exchange = loadExchange(name);
    expect(parseAck(exchange.messages[0]).errno).toBe(0);
    return exchange.request;
  };

  it('add IPv4, IPv6, with brd +, on lo (scope host); delete', () => {
    expect(addAddressRequest(1020, indexOf('veth-a0'), '10.23.0.1/24')).toEqual(accepted('ack-addr-add-v4'));
    expect(addAddressRequest(1021, indexOf('veth-a0'), '2001:db8:23::1/64')).toEqual(accepted('ack-addr-add-v6'));
    expect(addAddressRequest(1022, indexOf('br0'), '10.24.0.1/24', { broadcast: true })).toEqual(
      accepted('ack-addr-add-brd'),
    );
    const lo = addAddressRequest(1023, 1, '127.0.0.2/8');
    expect(lo[16 + 3]).toBe(254); // RT_SCOPE_HOST, as ip's default_scope
    expect(lo).toEqual(accepted('ack-addr-add-lo'));
    expect(addAddressRequest(1024, indexOf('br0'), '10.26.0.1/24')).toEqual(accepted('ack-addr-add-tmp'));
    expect(deleteAddressRequest(1025, indexOf('br0'), '10.26.0.1/24')).toEqual(accepted('ack-addr-delete'));
  });

  it('the dump request', () => {
    expect(addressDumpRequest(1041)).toEqual(loadExchange('addr-dump').request);
  });
});

interface IpAddrInfo {
  family: 'inet' | 'inet6';
  local: string;
  address?: string;
  prefixlen: number;
  broadcast?: string;
  scope: string;
  label?: string;
  [flag: string]: unknown;
}

// The flags ip prints as "name": true (ip/ipaddress.c ifa_flag_data, plus dynamic).
const IP_FLAG_KEYS = [
  'secondary',
  'temporary',
  'nodad',
  'optimistic',
  'dadfailed',
  'home',
  'deprecated',
  'tentative',
  'dynamic',
  'mngtmpaddr',
  'noprefixroute',
  'autojoin',
  'stable-privacy',
];

describe('a real address dump reads as `ip -j addr` of the same moment', () => {
  const names = linkNames(parseLinkDump(loadExchange('link-dump').messages));
  const addresses = parseAddressDump(loadExchange('addr-dump').messages, names);
  const fromIp: Address[] = loadIpJson<Array<{ ifindex: number; ifname: string; addr_info: IpAddrInfo[] }>>(
    'addr',
  ).flatMap((link) =>
    link.addr_info.map((info): Address => ({
      ifindex: link.ifindex,
      name: link.ifname,
      family: info.family === 'inet' ? 4 : 6,
      address: info.local,
      prefixLength: info.prefixlen,
      scope: info.scope as Address['scope'],
      ...(info.address !== undefined && { peer: info.address }),
      ...(info.broadcast !== undefined && { broadcast: info.broadcast }),
      ...(info.label !== undefined && { label: info.label }),
      flags: IP_FLAG_KEYS.filter((key) => info[key] === true),
    })),
  );
  const key = (address: Address) => `${address.ifindex} ${address.address}/${address.prefixLength}`;
  const sorted = (list: Address[]) => [...list].sort((a, b) => key(a).localeCompare(key(b)));

  it('has every address ip shows, field by field', () => {
    expect(addresses).toHaveLength(fromIp.length);
    // ip shows permanence only by leaving out 'dynamic'; we also say 'permanent'.
    const comparable = addresses.map((address) => ({
      ...address,
      flags: address.flags.filter((flag) => flag !== 'permanent'),
    }));
    expect(sorted(comparable).map((a) => ({ ...a, flags: [...a.flags].sort() }))).toEqual(
      sorted(fromIp).map((a) => ({ ...a, flags: [...a.flags].sort() })),
    );
  });

  it('covers what the fixture was built to show', () => {
    const find = (text: string) => addresses.find((address) => address.address === text);
    expect(find('10.25.0.1')).toMatchObject({ peer: '10.25.0.2', prefixLength: 32, name: 'renamed0' });
    expect(find('10.23.0.2')?.flags).toContain('secondary');
    expect(find('10.24.0.1')?.broadcast).toBe('10.24.0.255');
    expect(find('192.0.2.9')?.label).toBe('br0:svc');
    expect(find('2001:db8:24::1')?.flags).toEqual(expect.arrayContaining(['nodad', 'noprefixroute', 'permanent']));
    expect(find('127.0.0.2')?.scope).toBe('host');
    expect(find('::1')).toMatchObject({ family: 6, prefixLength: 128, scope: 'host' });
  });

  it('an unknown ifindex reads if<N>, as in ip', () => {
    const [message] = loadExchange('addr-dump').messages;
    expect(parseAddressMessage(message, new Map())?.name).toBe(`if${message.payload.readUInt32LE(4)}`);
  });

  it('a wrong-sized address attribute is an error', () => {
    const bytes = Buffer.from(loadExchange('addr-dump').datagrams[0]);
    const [first] = parseMessages(bytes);
    // First attribute after ifaddrmsg of the first (IPv4) message: shrink its length to 6.
    bytes.writeUInt16LE(6, first.offset + 16 + 8);
    expect(() => parseAddressMessage(parseMessages(bytes)[0], names)).toThrow(/has 2 bytes, IPv4 needs 4/);
  });
});

describe('address arguments are checked before anything is sent', () => {
  it('refuses bad CIDRs, indexes and broadcasts', () => {
    expect(() => addAddressRequest(1, 2, '10.0.0.1')).toThrow(/no prefix length/);
    expect(() => addAddressRequest(1, 2, '10.0.0.01/24')).toThrow(/leading zeros/);
    expect(() => addAddressRequest(1, 0, '10.0.0.1/24')).toThrow(RangeError);
    expect(() => addAddressRequest(1, 2, '2001:db8::1/64', { broadcast: true })).toThrow(/only for IPv4/);
    expect(() => addAddressRequest(1, 2, '10.0.0.1/24', { broadcast: '::1' })).toThrow(/IPv4/);
    expect(() => deleteAddressRequest(1, 2, 'eth0')).toThrow(TypeError);
  });

  it('takes a parsed Cidr too, and checks it', () => {
    expect(addAddressRequest(5, 2, parseCidr('10.0.0.1/24'))).toEqual(addAddressRequest(5, 2, '10.0.0.1/24'));
    expect(() => addAddressRequest(5, 2, { family: 4, address: Buffer.alloc(16), prefixLength: 24 })).toThrow(
      TypeError,
    );
  });

  it('brd + gives no broadcast to /31 and /32, as ip', () => {
    expect(addAddressRequest(1, 2, '10.0.0.0/31', { broadcast: true })).toEqual(addAddressRequest(1, 2, '10.0.0.0/31'));
    expect(addAddressRequest(1, 2, '10.0.0.1/32', { broadcast: true })).toEqual(addAddressRequest(1, 2, '10.0.0.1/32'));
  });
});
