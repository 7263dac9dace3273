// Link codec: requests against the bytes iproute2 sends, requests against
// the ones a real kernel accepted (fixtures), and a real dump against
// `ip -j -d link` of the same moment.
import { describe, expect, it } from 'vitest';
import { RTEXT_FILTER_SKIP_STATS, RTEXT_FILTER_VF } from '../../lib/rtnl/constants';
import {
  assertInterfaceName,
  createBridgeRequest,
  createVethRequest,
  deleteLinkRequest,
  getLinkByNameRequest,
  linkDumpRequest,
  linkNames,
  parseLinkDump,
  parseLinkMessage,
  setLinkRequest,
} from '../../lib/rtnl/link-codec';
import type { Link } from '../../lib/rtnl/model';
import { parseAck } from '../../lib/rtnl/wire';
import { hex, loadExchange, loadIpJson } from './rtnl-fixture';
import type { IpLink } from '../ip-json';

// Golden requests: what iproute2 6.1 sends, seen with
//   ip netns exec NS strace -e trace=sendmsg,sendto -e write=all -xx ip ...
// (namespace fds were 4 and ifindex 6/7 in that session; seq is ip's own,
// time-based, and passed to our builder so the bytes can be compared whole).
describe('link requests equal what ip sends', () => {
  it('ip link add va3 type veth peer name vb3', () => {
    // len 0x54, RTM_NEWLINK, REQUEST|ACK|EXCL|CREATE (0x605); ifinfomsg all zero;
    // IFLA_IFNAME "va3\0"; IFLA_LINKINFO { IFLA_INFO_KIND "veth" (no NUL),
    // IFLA_INFO_DATA { VETH_INFO_PEER { ifinfomsg, IFLA_IFNAME "vb3\0" } } }
    expect(hex(createVethRequest(0x6b04f6a7, { name: 'va3' }, { name: 'vb3' }))).toBe(
      '5400000010000506a7f6046b00000000' +
        '00000000000000000000000000000000' +
        '0800030076613300' +
        '2c001200' +
        '0800010076657468' +
        '20000200' +
        '1c000100' +
        '00000000000000000000000000000000' +
        '0800030076623300',
    );
  });

  it('ip link add va2 type veth peer name vb2 netns B: IFLA_NET_NS_FD before IFLA_IFNAME in the peer', () => {
    expect(hex(createVethRequest(0x6b04f6a6, { name: 'va2' }, { name: 'vb2', nsFd: 4 }))).toBe(
      '5c00000010000506a6f6046b0000000000000000000000000000000000000000080003007661320034001200' +
        '080001007665746828000200240001000000000000000000000000000000000008001c00040000000800030076623200',
    );
  });

  it('ip link add va1 netns B type veth peer name vb1: the outer IFLA_NET_NS_FD', () => {
    expect(hex(createVethRequest(0x6b04f6a6, { name: 'va1', nsFd: 4 }, { name: 'vb1' }))).toBe(
      '5c00000010000506a6f6046b000000000000000000000000000000000000000008001c000400000008000300' +
        '766131002c0012000800010076657468200002001c000100000000000000000000000000000000000800030076623100',
    );
  });

  it('ip link add br0 type bridge', () => {
    // IFLA_INFO_KIND "bridge": nla_len 10, two bytes of padding.
    expect(hex(createBridgeRequest(0x6b04f6a7, 'br0'))).toBe(
      '3800000010000506a7f6046b00000000000000000000000000000000000000000800030062723000' +
        '100012000a0001006272696467650000',
    );
  });

  it('ip link set dev X up | down: ifi_flags/ifi_change IFF_UP, REQUEST|ACK', () => {
    expect(hex(setLinkRequest(0x6b04f6a8, 6, { up: true }))).toBe(
      '2000000010000500a8f6046b0000000000000000060000000100000001000000',
    );
    expect(hex(setLinkRequest(0x6b04f6a8, 6, { up: false }))).toBe(
      '2000000010000500a8f6046b0000000000000000060000000000000001000000',
    );
  });

  it('ip link set dev X mtu 1400 | name va3x | master br0 | nomaster | netns B', () => {
    expect(hex(setLinkRequest(0x6b04f6a8, 6, { mtu: 1400 }))).toBe(
      '2800000010000500a8f6046b00000000000000000600000000000000000000000800040078050000',
    );
    // "va3x\0" is 5 bytes: nla_len 9, three bytes of padding.
    expect(hex(setLinkRequest(0x6b04f6a9, 6, { name: 'va3x' }))).toBe(
      '2c00000010000500a9f6046b0000000000000000060000000000000000000000090003007661337800000000',
    );
    expect(hex(setLinkRequest(0x6b04f6a9, 6, { masterIndex: 7 }))).toBe(
      '2800000010000500a9f6046b000000000000000006000000000000000000000008000a0007000000',
    );
    expect(hex(setLinkRequest(0x6b04f6a9, 6, { masterIndex: 0 }))).toBe(
      '2800000010000500a9f6046b000000000000000006000000000000000000000008000a0000000000',
    );
    expect(hex(setLinkRequest(0x6b04f6aa, 5, { nsFd: 4 }))).toBe(
      '2800000010000500aaf6046b000000000000000005000000000000000000000008001c0004000000',
    );
    // The same move into a chosen ifindex: IFLA_NEW_IFINDEX (49) = 7 right after IFLA_NET_NS_FD.
    expect(hex(setLinkRequest(0x6b04f6aa, 5, { nsFd: 4, newIfindex: 7 }))).toBe(
      '3000000010000500aaf6046b000000000000000005000000000000000000000008001c00040000000800310007000000',
    );
  });

  it('ip link del dev X: RTM_DELLINK by ifindex', () => {
    expect(hex(deleteLinkRequest(0x6b04f6aa, 6))).toBe(
      '2000000011000500aaf6046b0000000000000000060000000000000000000000',
    );
  });

  it('a change or delete by name: ifi_index 0 and IFLA_IFNAME, which the kernel looks up itself', () => {
    expect(hex(setLinkRequest(0x6b04f6a8, { name: 'va3' }, { up: true }))).toBe(
      '2800000010000500a8f6046b00000000000000000000000001000000010000000800030076613300',
    );
    expect(hex(deleteLinkRequest(0x6b04f6aa, { name: 'va3' }))).toBe(
      '2800000011000500aaf6046b00000000000000000000000000000000000000000800030076613300',
    );
    // IFLA_IFNAME is the key then: a rename needs the ifindex.
    expect(() => setLinkRequest(1, { name: 'va3' }, { name: 'vb3' })).toThrow(/cannot be renamed/);
    expect(() => setLinkRequest(1, { name: 'a/b' }, { up: true })).toThrow(TypeError);
    expect(() => deleteLinkRequest(1, { name: '' })).toThrow(RangeError);
  });

  it('the name lookup ip does before `ip link set dev va3` (ll_name_to_index)', () => {
    // AF_UNSPEC, IFLA_EXT_MASK (VF|SKIP_STATS = 9), IFLA_IFNAME; no ACK flag:
    // the answer is the link itself.
    expect(hex(getLinkByNameRequest(0x6b04f6a8, 'va3', { extMask: RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS }))).toBe(
      '3000000012000100a8f6046b000000000000000000000000000000000000000008001d00090000000800030076613300',
    );
  });

  it('ip -d link show: a dump with AF_PACKET and IFLA_EXT_MASK', () => {
    expect(hex(linkDumpRequest(0x6b04f68f, { extMask: RTEXT_FILTER_VF }))).toBe(
      '28000000120001038ff6046b000000001100000000000000000000000000000008001d0001000000',
    );
    // Ours by default: no VF info, no statistics.
    expect(hex(linkDumpRequest(1).subarray(36))).toBe('08000000');
  });
});

describe('link requests a real kernel accepted', () => {
  // The capture script sent these bytes and the kernel acked them; the same
  // arguments must build the same bytes here. fd 100 was the peer namespace.
  const dump = parseLinkDump(loadExchange('link-dump').messages);
  const indexOf = (name: string) => {
    const link = dump.find((candidate) => candidate.name === name);
    if (!link) throw new Error(`no ${name} in the fixture dump`);
    return link.ifindex;
  };
  const accepted = (name: string) => {
    const exchange = loadExchange(name);
    const ack = parseAck(exchange.messages[0]);
    expect(ack.errno).toBe(0);
    expect(ack.request.seq).toBe(exchange.request.readUInt32LE(8));
    return exchange.request;
  };

  it('create veth (peer in another namespace), bridge, local veth', () => {
    expect(createVethRequest(1002, { name: 'veth-a0' }, { name: 'veth-b0', nsFd: 100 })).toEqual(
      accepted('ack-veth-create'),
    );
    expect(createBridgeRequest(1004, 'br0')).toEqual(accepted('ack-bridge-create'));
    expect(createVethRequest(1005, { name: 'tmp0' }, { name: 'port0' })).toEqual(accepted('ack-veth-create-local'));
  });

  it('set up, rename, master, mtu, delete', () => {
    expect(setLinkRequest(1001, 1, { up: true })).toEqual(accepted('ack-link-up'));
    expect(setLinkRequest(1007, indexOf('renamed0'), { name: 'renamed0' })).toEqual(accepted('ack-link-rename'));
    expect(setLinkRequest(1011, indexOf('port0'), { masterIndex: indexOf('br0') })).toEqual(
      accepted('ack-link-master'),
    );
    expect(setLinkRequest(1012, indexOf('veth-a0'), { mtu: 1400 })).toEqual(accepted('ack-link-mtu'));
    const gone0 = parseLinkMessage(loadExchange('link-get-gone0').messages[0]).ifindex;
    expect(deleteLinkRequest(1018, gone0)).toEqual(accepted('ack-link-delete'));
  });

  it('get by name: the request, and the one RTM_NEWLINK it answers', () => {
    const exchange = loadExchange('link-get');
    expect(getLinkByNameRequest(1006, 'tmp0')).toEqual(exchange.request);
    expect(exchange.messages).toHaveLength(1);
    const raw = parseLinkMessage(exchange.messages[0]);
    expect(raw).toMatchObject({ name: 'tmp0', kind: 'veth', mtu: 1500 });
    expect(exchange.messages[0].seq).toBe(1006);
  });

  it('the link dump request', () => {
    expect(linkDumpRequest(1040)).toEqual(loadExchange('link-dump').request);
  });

  it('an existing name: EEXIST, the request echoed whole, no extended ack', () => {
    const exchange = loadExchange('error-exists');
    expect(createVethRequest(1003, { name: 'veth-a0' }, { name: 'veth-b9', nsFd: 100 })).toEqual(exchange.request);
    const ack = parseAck(exchange.messages[0]);
    expect(ack).toMatchObject({ errno: -17, capped: false });
    expect(ack.message).toBeUndefined();
    expect(ack.request.length).toBe(exchange.request.length);
  });
});

describe('a real link dump reads as `ip -j -d link` of the same moment', () => {
  const links = parseLinkDump(loadExchange('link-dump').messages);
  const ipLinks = loadIpJson<IpLink[]>('link');

  it('has the same links in the same order', () => {
    expect(links.map((link) => link.ifindex)).toEqual(ipLinks.map((link) => link.ifindex));
  });

  it.each(loadIpJson<IpLink[]>('link').map((ip) => [ip.ifname, ip] as const))('%s field by field', (_name, ip) => {
    const link = links.find((candidate) => candidate.ifindex === ip.ifindex) as Link;
    const lowerInThisNamespace = typeof ip.link === 'string';
    const expected: Link = {
      ifindex: ip.ifindex,
      name: ip.ifname,
      kind: ip.linkinfo?.info_kind ?? (ip.link_type === 'loopback' ? 'loopback' : 'device'),
      type: ip.link_type,
      mtu: ip.mtu,
      up: ip.flags.includes('UP'),
      flags: ip.flags,
      operstate: ip.operstate,
      ...(ip.address !== undefined && { mac: ip.address }),
      ...(ip.broadcast !== undefined && { broadcast: ip.broadcast }),
      ...(ip.master !== undefined && {
        master: ip.master,
        masterIndex: ipLinks.find((other) => other.ifname === ip.master)?.ifindex,
      }),
      ...(ip.linkinfo?.info_slave_kind !== undefined && { slaveKind: ip.linkinfo.info_slave_kind }),
      ...(ip.link_index !== undefined && { linkIndex: ip.link_index }),
      ...(lowerInThisNamespace && {
        link: ip.link as string,
        linkIndex: ipLinks.find((other) => other.ifname === ip.link)?.ifindex,
      }),
      ...(ip.link_netnsid !== undefined && { linkNetnsid: ip.link_netnsid }),
      ...(ip.qdisc !== undefined && { qdisc: ip.qdisc }),
      // ip leaves out a zero qlen.
      txqlen: ip.txqlen ?? 0,
      ...(ip.group !== undefined && { group: ip.group }),
      ...(ip.ifalias !== undefined && { alias: ip.ifalias }),
      ...(ip.altnames !== undefined && { altNames: ip.altnames }),
      ...(ip.parentbus !== undefined && { parentBus: ip.parentbus }),
      ...(ip.parentdev !== undefined && { parentDev: ip.parentdev }),
    };
    expect(link).toEqual(expected);
  });

  it('covers what the fixture was built to show', () => {
    const byName = new Map(links.map((link) => [link.name, link]));
    expect(byName.get('veth-a0')).toMatchObject({ kind: 'veth', mtu: 1400, linkNetnsid: 0, operstate: 'DOWN' });
    expect(byName.get('veth-a0')?.link).toBeUndefined();
    expect(byName.get('port0')).toMatchObject({ master: 'br0', slaveKind: 'bridge', link: 'renamed0' });
    expect(byName.get('mdown0')?.flags).toContain('M-DOWN');
    expect(byName.get('mdown1')).toMatchObject({ up: false, operstate: 'DOWN' });
    expect(byName.get('ifbd0')).toMatchObject({ kind: 'ifb', up: false });
    expect(byName.get('br0')).toMatchObject({ kind: 'bridge', altNames: ['bridge-main'], mtu: 1450 });
    expect(byName.get('renamed0')?.alias).toBe('renamed by the fixture script');
    expect(byName.get('lo')).toMatchObject({ kind: 'loopback', type: 'loopback', up: true });
    expect(linkNames(links).get(1)).toBe('lo');
  });
});

describe('link request arguments are checked before anything is sent', () => {
  it('interface names follow the kernel (dev_valid_name)', () => {
    for (const good of ['a', 'eth0', 'veth-a0', 'x'.repeat(15), 'br.100', 'wg_0']) {
      expect(() => assertInterfaceName(good)).not.toThrow();
    }
    expect(() => assertInterfaceName('')).toThrow(RangeError);
    expect(() => assertInterfaceName('x'.repeat(16))).toThrow(/1 to 15 bytes/);
    expect(() => assertInterfaceName('é'.repeat(8))).toThrow(RangeError); // 16 bytes in UTF-8
    for (const bad of ['.', '..', 'a/b', 'a b', 'eth0:1', 'tab\t', 'nul\0']) {
      expect(() => assertInterfaceName(bad)).toThrow(TypeError);
    }
    expect(() => assertInterfaceName(7)).toThrow(TypeError);
  });

  it('refuses bad indexes, fds, mtus, and empty or contradictory changes', () => {
    expect(() => setLinkRequest(1, 0, { up: true })).toThrow(RangeError);
    expect(() => setLinkRequest(1, 1.5, { up: true })).toThrow(RangeError);
    expect(() => setLinkRequest(1, 2, {})).toThrow(/at least one/);
    expect(() => setLinkRequest(1, 2, { mtu: 0 })).toThrow(RangeError);
    expect(() => setLinkRequest(1, 2, { nsFd: -1 })).toThrow(RangeError);
    expect(() => setLinkRequest(1, 2, { nsFd: 5, masterIndex: 3 })).toThrow(/move a link and set its master/);
    expect(() => setLinkRequest(1, 2, { newIfindex: 3 })).toThrow(/only to a move/);
    expect(() => setLinkRequest(1, 2, { nsFd: 5, newIfindex: 0 })).toThrow(RangeError);
    expect(() => createVethRequest(1, { name: 'a' }, { name: 'b/c' })).toThrow(/peer name/);
    expect(() => deleteLinkRequest(1, -3)).toThrow(RangeError);
    expect(() => linkDumpRequest(2 ** 32)).toThrow(/sequence number/);
  });
});
