#!/usr/bin/env python3
"""Captures real rtnetlink exchanges for the codec's unit tests.

usage (as root):  python3 scripts/capture-rtnl-fixtures.py [OUTDIR]
                  (OUTDIR defaults to test/fixtures/rtnl)

It makes two throwaway network namespaces with `ip netns add`, builds a small
network in the first over a raw AF_NETLINK socket (running itself inside the
namespace with `ip netns exec`), and writes each request with the kernel's
reply datagrams as hex. Right after each dump it runs `ip -j` in the same
namespace, so each dump has iproute2's reading of the same moment beside it.
The namespaces are deleted at the end, also on failure; nothing is made in
the namespace the script is started from.

The requests are built here byte for byte as lib/rtnl builds them; the unit
tests rebuild each with the TypeScript codec and check that the bytes are
equal, so every request the codec makes has been accepted by a real kernel.

Fixture format: '#' comment lines, one '>' line with the request in hex, then
one '<' line per datagram received in answer.
"""
import json
import os
import socket
import struct
import subprocess
import sys
import time

NETLINK_ROUTE = 0
SOL_NETLINK = 270
NETLINK_CAP_ACK = 10
NETLINK_EXT_ACK = 11
NETLINK_GET_STRICT_CHK = 12

NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 0x1, 0x4, 0x300
NLM_F_EXCL, NLM_F_CREATE = 0x200, 0x400
RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK = 16, 17, 18
RTM_NEWADDR, RTM_DELADDR, RTM_GETADDR = 20, 21, 22
RTM_NEWROUTE, RTM_GETROUTE = 24, 26
RTM_GETNSID = 90
AF_UNSPEC, AF_INET, AF_INET6, AF_PACKET = 0, 2, 10, 17
IFLA_ADDRESS, IFLA_IFNAME, IFLA_MTU, IFLA_MASTER = 1, 3, 4, 10
IFLA_LINKINFO, IFLA_NET_NS_FD, IFLA_EXT_MASK = 18, 28, 29
IFLA_INFO_KIND, IFLA_INFO_DATA, VETH_INFO_PEER = 1, 2, 1
RTEXT_FILTER_SKIP_STATS = 8
IFA_ADDRESS, IFA_LOCAL, IFA_BROADCAST = 1, 2, 4
RTA_DST, RTA_OIF, RTA_GATEWAY = 1, 4, 5
NETNSA_FD = 3
IFF_UP = 1

# Fixed fd numbers, so the tests can rebuild the same request bytes.
PEER_NS_FD = 100      # the second namespace
HOST_NS_FD = 101      # the namespace the script started in (no nsid here)
NOT_A_NS_FD = 102     # /dev/null


# ------------------------------------------------------------- encoding --

def pad(data):
    return data + b'\0' * (-len(data) % 4)


def nla(kind, data):
    return pad(struct.pack('<HH', 4 + len(data), kind) + data)


def nla_u32(kind, value):
    return nla(kind, struct.pack('<I', value))


def nla_str(kind, text, nul=True):
    return nla(kind, text.encode() + (b'\0' if nul else b''))


def nlmsg(kind, flags, seq, *parts):
    body = b''.join(pad(part) for part in parts)
    return struct.pack('<IHHII', 16 + len(body), kind, flags, seq, 0) + body


def ifinfomsg(family=AF_UNSPEC, index=0, flags=0, change=0):
    return struct.pack('<BBHiII', family, 0, 0, index, flags, change)


def ifaddrmsg(family, prefixlen, scope, index):
    return struct.pack('<BBBBI', family, prefixlen, 0, scope, index)


def rtmsg(family=AF_UNSPEC, dst_len=0, table=0, protocol=0, scope=0, kind=0):
    return struct.pack('<BBBBBBBBI', family, dst_len, 0, 0, table, protocol, scope, kind, 0)


CREATE = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL
CHANGE = NLM_F_REQUEST | NLM_F_ACK


def veth_request(seq, name, peer, peer_fd=None):
    peer_attrs = ([nla_u32(IFLA_NET_NS_FD, peer_fd)] if peer_fd is not None else []) + [nla_str(IFLA_IFNAME, peer)]
    peer_info = nla(VETH_INFO_PEER, ifinfomsg() + b''.join(peer_attrs))
    info = nla(IFLA_LINKINFO, nla_str(IFLA_INFO_KIND, 'veth', nul=False) + nla(IFLA_INFO_DATA, peer_info))
    return nlmsg(RTM_NEWLINK, CREATE, seq, ifinfomsg(), nla_str(IFLA_IFNAME, name), info)


def bridge_request(seq, name):
    info = nla(IFLA_LINKINFO, nla_str(IFLA_INFO_KIND, 'bridge', nul=False))
    return nlmsg(RTM_NEWLINK, CREATE, seq, ifinfomsg(), nla_str(IFLA_IFNAME, name), info)


def set_link_request(seq, index, up=None, mtu=None, name=None, master=None):
    attrs = []
    if mtu is not None:
        attrs.append(nla_u32(IFLA_MTU, mtu))
    if name is not None:
        attrs.append(nla_str(IFLA_IFNAME, name))
    if master is not None:
        attrs.append(nla_u32(IFLA_MASTER, master))
    flags, change = (0, 0) if up is None else (IFF_UP if up else 0, IFF_UP)
    return nlmsg(RTM_NEWLINK, CHANGE, seq, ifinfomsg(index=index, flags=flags, change=change), *attrs)


def get_link_request(seq, name):
    return nlmsg(RTM_GETLINK, NLM_F_REQUEST, seq, ifinfomsg(),
                 nla_u32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS), nla_str(IFLA_IFNAME, name))


def ip_bytes(text):
    family = socket.AF_INET6 if ':' in text else socket.AF_INET
    return (AF_INET6 if family == socket.AF_INET6 else AF_INET), socket.inet_pton(family, text)


def address_request(seq, kind, index, cidr, broadcast=None):
    text, prefix = cidr.split('/')
    family, raw = ip_bytes(text)
    scope = 254 if family == AF_INET and raw[0] == 127 and kind == RTM_NEWADDR else 0
    attrs = [nla(IFA_LOCAL, raw), nla(IFA_ADDRESS, raw)]
    if broadcast is not None:
        attrs.append(nla(IFA_BROADCAST, ip_bytes(broadcast)[1]))
    flags = CREATE if kind == RTM_NEWADDR else CHANGE
    return nlmsg(kind, flags, seq, ifaddrmsg(family, int(prefix), scope, index), *attrs)


def route_request(seq, to, via=None, dev=None):
    """As `ip route add`: table main, proto boot, unicast, scope link without a gateway (IPv4)."""
    family, dst, prefix = None, None, 0
    if to != 'default':
        text, prefix = (to.split('/') + [None])[:2]
        family, dst = ip_bytes(text)
        prefix = int(prefix) if prefix is not None else len(dst) * 8
    gateway = ip_bytes(via) if via else None
    family = family or (gateway[0] if gateway else AF_INET)
    scope = 0 if family == AF_INET6 or gateway else 253
    attrs = []
    if dst is not None and prefix > 0:
        attrs.append(nla(RTA_DST, dst))
    if gateway:
        attrs.append(nla(RTA_GATEWAY, gateway[1]))
    if dev is not None:
        attrs.append(nla_u32(RTA_OIF, dev))
    return nlmsg(RTM_NEWROUTE, CREATE, seq, rtmsg(family, prefix, 254, 3, scope, 1), *attrs)


# ------------------------------------------------------------- exchange --

def open_socket(cap_ack=False):
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
    sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
    sock.setsockopt(SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1)
    if cap_ack:
        sock.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
    sock.bind((0, 0))
    return sock


def messages(datagram):
    offset = 0
    while offset + 16 <= len(datagram):
        length, kind, flags, seq = struct.unpack_from('<IHHI', datagram, offset)
        yield kind, flags, seq, datagram[offset + 16:offset + length]
        offset += (length + 3) & ~3


def exchange(sock, request):
    """Sends a request; returns the datagrams up to NLMSG_DONE, NLMSG_ERROR or the one reply."""
    seq = struct.unpack_from('<I', request, 8)[0]
    is_dump = struct.unpack_from('<H', request, 6)[0] & NLM_F_DUMP == NLM_F_DUMP
    sock.send(request)
    datagrams = []
    while True:
        datagram = sock.recv(1 << 20)
        datagrams.append(datagram)
        for kind, _flags, msg_seq, _payload in messages(datagram):
            if msg_seq != seq:
                continue
            if kind in (NLMSG_DONE, NLMSG_ERROR) or not is_dump:
                return datagrams


def ack_errno(datagrams):
    for kind, _flags, _seq, payload in messages(datagrams[-1]):
        if kind == NLMSG_ERROR:
            return struct.unpack_from('<i', payload)[0]
    return None


class Recorder:
    def __init__(self, outdir):
        self.outdir = outdir
        self.kernel = os.uname().release

    def write(self, name, description, request, datagrams):
        with open(os.path.join(self.outdir, name + '.hex'), 'w') as out:
            out.write(f'# {description}\n')
            out.write(f'# captured by scripts/capture-rtnl-fixtures.py, Linux {self.kernel}\n')
            out.write('> ' + request.hex() + '\n')
            for datagram in datagrams:
                out.write('< ' + datagram.hex() + '\n')

    def ip_json(self, name, *args):
        output = subprocess.run(['ip', '-j', *args], check=True, capture_output=True, text=True).stdout
        with open(os.path.join(self.outdir, name + '.ip.json'), 'w') as out:
            json.dump(json.loads(output), out, indent=1)
            out.write('\n')


def run(*args):
    subprocess.run(list(args), check=True)


# --------------------------------------------------- inside the namespace --

def inside(outdir, peer_ns):
    rec = Recorder(outdir)
    os.dup2(os.open(f'/run/netns/{peer_ns}', os.O_RDONLY), PEER_NS_FD)
    os.dup2(os.open('/dev/null', os.O_RDONLY), NOT_A_NS_FD)
    sock = open_socket()

    def step(name, description, request, expect_errno=0):
        datagrams = exchange(sock, request)
        errno = ack_errno(datagrams)
        if expect_errno is not None and errno != expect_errno:
            raise SystemExit(f'{name}: kernel answered errno {errno}, expected {expect_errno}')
        if name:
            rec.write(name, description, request, datagrams)
        return datagrams

    def ifindex(name, seq, fixture=None):
        datagrams = step(fixture, f'get link {name} by name', get_link_request(seq, name), expect_errno=None)
        for kind, _flags, _seq, payload in messages(datagrams[0]):
            if kind == RTM_NEWLINK:
                return struct.unpack_from('<i', payload, 4)[0]
        raise SystemExit(f'no link {name}')

    # Links: written with the codec's requests where it has one, with ip otherwise.
    step('ack-link-up', 'set lo up: ack (errno 0, capped)', set_link_request(1001, 1, up=True))
    step('ack-veth-create', 'create veth-a0 here, its peer veth-b0 in the peer namespace (fd 100)',
         veth_request(1002, 'veth-a0', 'veth-b0', PEER_NS_FD))
    step('error-exists', 'create veth-a0 again: EEXIST',
         veth_request(1003, 'veth-a0', 'veth-b9', PEER_NS_FD), expect_errno=-17)
    step('ack-bridge-create', 'create bridge br0', bridge_request(1004, 'br0'))
    step('ack-veth-create-local', 'create veth tmp0 with peer port0, both here', veth_request(1005, 'tmp0', 'port0'))
    tmp0 = ifindex('tmp0', 1006, 'link-get')
    step('ack-link-rename', 'rename tmp0 to renamed0', set_link_request(1007, tmp0, name='renamed0'))
    br0, port0, veth_a0 = ifindex('br0', 1008), ifindex('port0', 1009), ifindex('veth-a0', 1010)
    step('ack-link-master', 'set br0 as master of port0', set_link_request(1011, port0, master=br0))
    step('ack-link-mtu', 'set veth-a0 mtu 1400', set_link_request(1012, veth_a0, mtu=1400))
    for seq, index in ((1013, veth_a0), (1014, br0), (1015, port0), (1016, tmp0)):
        step(None, None, set_link_request(seq, index, up=True))
    run('ip', 'link', 'add', 'gone0', 'type', 'veth', 'peer', 'name', 'gone1')
    gone0 = ifindex('gone0', 1017, 'link-get-gone0')
    step('ack-link-delete', 'delete gone0 (and with it gone1)', nlmsg(RTM_DELLINK, CHANGE, 1018, ifinfomsg(index=gone0)))
    # A down link whose peer is up (M-DOWN on the peer), an ifb, an alias, an altname.
    run('ip', 'link', 'add', 'mdown0', 'type', 'veth', 'peer', 'name', 'mdown1')
    run('ip', 'link', 'set', 'mdown0', 'up')
    run('ip', 'link', 'add', 'ifbd0', 'type', 'ifb')
    run('ip', 'link', 'set', 'renamed0', 'alias', 'renamed by the fixture script')
    run('ip', 'link', 'property', 'add', 'dev', 'br0', 'altname', 'bridge-main')
    run('ip', 'link', 'set', 'br0', 'mtu', '1450')

    # Addresses.
    step('ack-addr-add-v4', 'add 10.23.0.1/24 to veth-a0', address_request(1020, RTM_NEWADDR, veth_a0, '10.23.0.1/24'))
    step('ack-addr-add-v6', 'add 2001:db8:23::1/64 to veth-a0',
         address_request(1021, RTM_NEWADDR, veth_a0, '2001:db8:23::1/64'))
    step('ack-addr-add-brd', 'add 10.24.0.1/24 brd + to br0',
         address_request(1022, RTM_NEWADDR, br0, '10.24.0.1/24', broadcast='10.24.0.255'))
    step('ack-addr-add-lo', 'add 127.0.0.2/8 to lo (scope host)', address_request(1023, RTM_NEWADDR, 1, '127.0.0.2/8'))
    step('ack-addr-add-tmp', 'add 10.26.0.1/24 to br0', address_request(1024, RTM_NEWADDR, br0, '10.26.0.1/24'))
    step('ack-addr-delete', 'delete 10.26.0.1/24 from br0', address_request(1025, RTM_DELADDR, br0, '10.26.0.1/24'))
    run('ip', 'addr', 'add', '10.23.0.2/24', 'dev', 'veth-a0')  # a secondary
    run('ip', 'addr', 'add', '10.25.0.1', 'peer', '10.25.0.2/32', 'dev', 'renamed0')
    run('ip', 'addr', 'add', '2001:db8:24::1/64', 'dev', 'br0', 'nodad', 'noprefixroute')
    run('ip', 'addr', 'add', '192.0.2.9/24', 'dev', 'br0', 'label', 'br0:svc')

    # Routes.
    step('ack-route-default-v4', 'route add default via 10.23.0.254', route_request(1030, 'default', via='10.23.0.254'))
    step('ack-route-dev', f'route add 10.99.0.0/16 dev br0 ({br0})', route_request(1031, '10.99.0.0/16', dev=br0))
    step('ack-route-via-dev', 'route add 10.98.0.0/16 via 10.24.0.254 dev br0',
         route_request(1032, '10.98.0.0/16', via='10.24.0.254', dev=br0))
    step('ack-route-host', 'route add 10.97.0.5 dev br0 (a /32)', route_request(1033, '10.97.0.5', dev=br0))
    step('ack-route-default-v6', 'route add default via 2001:db8:23::fe',
         route_request(1034, 'default', via='2001:db8:23::fe'))
    step('ack-route-dev-v6', 'route add 2001:db8:99::/48 dev br0', route_request(1035, '2001:db8:99::/48', dev=br0))
    run('ip', 'route', 'add', 'blackhole', '10.66.0.0/16')
    run('ip', 'route', 'add', '10.77.0.0/16', 'dev', 'br0', 'table', '100')
    run('ip', 'route', 'add', '10.78.0.0/16', 'dev', 'br0', 'table', '1000')
    run('ip', '-6', 'route', 'add', 'unreachable', '2001:db8:66::/48')
    run('ip', 'route', 'add', '10.88.0.0/16', 'nexthop', 'via', '10.23.0.253',
        'nexthop', 'via', '10.24.0.253', 'weight', '2')
    run('ip', 'route', 'add', '10.55.0.0/16', 'dev', 'br0', 'metric', '50', 'proto', 'static')
    run('ip', 'route', 'add', '10.56.0.0/16', 'dev', 'br0', 'src', '10.24.0.1')

    # Let carrier changes (linkwatch) and the bridge port settle, so the dump
    # and ip's reading a moment later agree.
    time.sleep(3)

    rec.write('link-dump', 'RTM_GETLINK dump', *dump(sock, 1040, nlmsg(
        RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1040, ifinfomsg(AF_PACKET), nla_u32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS))))
    rec.ip_json('link', '-d', 'link', 'show')
    rec.write('addr-dump', 'RTM_GETADDR dump', *dump(sock, 1041, nlmsg(
        RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 1041, ifaddrmsg(AF_UNSPEC, 0, 0, 0))))
    rec.ip_json('addr', 'addr', 'show')
    rec.write('route-dump', 'RTM_GETROUTE dump', *dump(sock, 1042, nlmsg(
        RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, 1042, rtmsg())))
    rec.ip_json('route', '-d', 'route', 'show', 'table', 'all')

    # Namespace ids; the link dump above assigned one to the peer namespace.
    step('nsid-assigned', 'RTM_GETNSID of the peer namespace (fd 100)', nsid_request(1050, PEER_NS_FD), None)
    step('nsid-unassigned', 'RTM_GETNSID of the host namespace (fd 101), which has no id here',
         nsid_request(1051, HOST_NS_FD), None)
    step('error-nsid-extack', 'RTM_GETNSID of /dev/null (fd 102): EINVAL with an extended ack',
         nsid_request(1052, NOT_A_NS_FD), expect_errno=-22)
    capped = open_socket(cap_ack=True)
    request = nsid_request(1053, NOT_A_NS_FD)
    datagrams = exchange(capped, request)
    rec.write('error-nsid-extack-capped', 'the same on a NETLINK_CAP_ACK socket: NLM_F_CAPPED', request, datagrams)

    # A dump the kernel refuses under NETLINK_GET_STRICT_CHK: NLMSG_DONE carries the error.
    request = nlmsg(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 1054, ifaddrmsg(AF_INET, 1, 0, 0))
    rec.write('error-dump-done', 'RTM_GETADDR dump with ifa_prefixlen 1 under strict checking', request,
              exchange(sock, request))


def dump(sock, seq, request):
    return request, exchange(sock, request)


def nsid_request(seq, fd):
    return nlmsg(RTM_GETNSID, NLM_F_REQUEST, seq, struct.pack('<B3x', AF_UNSPEC), nla_u32(NETNSA_FD, fd))


# ------------------------------------------------------------ outside --

def main():
    if len(sys.argv) >= 2 and sys.argv[1] == '--inside':
        inside(sys.argv[2], sys.argv[3])
        return
    outdir = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                             os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'rtnl'))
    os.makedirs(outdir, exist_ok=True)
    ns_a, ns_b = f'rtnlfx-a-{os.getpid()}', f'rtnlfx-b-{os.getpid()}'
    made = []
    try:
        for ns in (ns_a, ns_b):
            run('ip', 'netns', 'add', ns)
            made.append(ns)
        # No duplicate address detection: an address would be 'tentative' for
        # a second, and the dump and ip's reading might disagree about it.
        for key in ('net.ipv6.conf.all.accept_dad', 'net.ipv6.conf.default.accept_dad'):
            run('ip', 'netns', 'exec', ns_a, 'sysctl', '-q', '-w', f'{key}=0')
        # The namespace we started in, passed down as an inherited fd.
        os.dup2(os.open('/proc/self/ns/net', os.O_RDONLY), HOST_NS_FD, inheritable=True)
        subprocess.run(['ip', 'netns', 'exec', ns_a, sys.executable, os.path.abspath(__file__),
                        '--inside', outdir, ns_b], check=True, pass_fds=(HOST_NS_FD,))
    finally:
        for ns in reversed(made):
            subprocess.run(['ip', 'netns', 'delete', ns], check=False)
    print(f'fixtures written to {outdir}')


if __name__ == '__main__':
    main()
