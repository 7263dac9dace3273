// `ip addr add|del CIDR dev NAME`: the CIDR is parsed strictly before
// anything is opened, the link looked up by name, then one request.
import type { NamespaceRef } from '../ref';
import { addAddressRequest, deleteAddressRequest } from '../rtnl/addr-codec';
import { type Cidr, parseCidr } from '../rtnl/ip-address';
import { assertInterfaceName } from '../rtnl/link-codec';
import { RtnlSocket } from '../rtnl/transport';
import { findLink, quoted } from './lookup';

function checked(ifname: unknown, cidr: unknown): Cidr {
  assertInterfaceName(ifname);
  return parseCidr(cidr, { what: 'address' });
}

/** Adds an IPv4 or IPv6 address ('10.0.0.1/24', 'fd00::1/64'); one already there is EEXIST. */
export function addAddressIn(ns: NamespaceRef, ifname: string, cidr: string): void {
  const parsed = checked(ifname, cidr);
  using socket = RtnlSocket.of(ns);
  const link = findLink(socket, ifname, ns.id);
  socket.request(
    { what: 'RTM_NEWADDR', subject: `${cidr} dev ${ifname}`, step: `adding ${cidr} to ${quoted(ifname)} in ${ns.id}` },
    (seq) => addAddressRequest(seq, link.ifindex, parsed),
  );
}

/** Removes an address; one not there is EADDRNOTAVAIL. */
export function deleteAddressIn(ns: NamespaceRef, ifname: string, cidr: string): void {
  const parsed = checked(ifname, cidr);
  using socket = RtnlSocket.of(ns);
  const link = findLink(socket, ifname, ns.id);
  socket.request(
    {
      what: 'RTM_DELADDR',
      subject: `${cidr} dev ${ifname}`,
      step: `removing ${cidr} from ${quoted(ifname)} in ${ns.id}`,
    },
    (seq) => deleteAddressRequest(seq, link.ifindex, parsed),
  );
}
