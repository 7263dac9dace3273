// What a move strips from a link, so that undoing a move gives the link back
// as it was: a move brings a link into its new namespace down, without its
// addresses and out of its master, and the routes through it are gone.
// Moving it back restores its name and, where the kernel allows, its
// ifindex; the rest is put back from what was read before the move: the
// routes as dumped, replayed as `ip route restore` does. Not put back: the
// routes the kernel makes itself (they come back with the addresses), and a
// multipath route with one hop through the link (its other hops stayed, and
// the kernel deleted or kept it by its own rules).
import { addAddressRequest } from '../rtnl/addr-codec';
import { IFF_UP } from '../rtnl/constants';
import { type RawLink, setLinkRequest } from '../rtnl/link-codec';
import { readAddresses, readRouteMessages } from '../rtnl/read';
import { replayRouteRequest } from '../rtnl/route-codec';
import type { RtnlSocket } from '../rtnl/transport';
import type { NetlinkMessage } from '../rtnl/wire';
import { findLink, quoted } from './lookup';

export interface MovedState {
  name: string;
  ifindex: number;
  up: boolean;
  masterIndex?: number;
  /** 'ADDRESS/PREFIX' and broadcast, without the IPv6 link-local ones the kernel makes itself. */
  addresses: Array<{ cidr: string; broadcast?: string }>;
  /** The routes out of the link, not made by the kernel: as dumped, and in words for errors. */
  routes: Array<{ message: NetlinkMessage; described: string }>;
}

export function captureMovedState(socket: RtnlSocket, link: RawLink): MovedState {
  const addresses = readAddresses(socket, [])
    .filter((address) => address.ifindex === link.ifindex && address.peer === undefined)
    .filter((address) => !(address.family === 6 && address.scope === 'link'))
    .map((address) => ({ cidr: `${address.address}/${address.prefixLength}`, broadcast: address.broadcast }));
  const routes = readRouteMessages(socket)
    .filter(({ route }) => route.ifindex === link.ifindex && route.nexthops === undefined && route.protocol !== 'kernel')
    .map(({ route, message }) => ({
      // The message is a view into a receive buffer: keep a copy of its own.
      message: { ...message, payload: Buffer.from(message.payload) },
      described: `${route.dst}${route.gateway === undefined ? '' : ` via ${route.gateway}`} table ${route.table}`,
    }));
  return {
    name: link.name,
    ifindex: link.ifindex,
    up: (link.flags & IFF_UP) !== 0,
    masterIndex: link.masterIndex,
    addresses,
    routes,
  };
}

/** Puts back, on the link of that name in the socket's namespace, what the move took. */
export function restoreMovedState(socket: RtnlSocket, state: MovedState, nsId: string): void {
  const link = findLink(socket, state.name, nsId, 'the link moved back ');
  const step = (what: string) => ({ what: 'RTM_NEWLINK', subject: state.name, step: `${what} of ${quoted(state.name)} in ${nsId}` });
  for (const { cidr, broadcast } of state.addresses) {
    socket.request({ ...step(`restoring address ${cidr}`), what: 'RTM_NEWADDR' },
      (seq) => addAddressRequest(seq, link.ifindex, cidr, { broadcast }));
  }
  if (state.masterIndex !== undefined) {
    socket.request(step('restoring the master'), (seq) => setLinkRequest(seq, link.ifindex, { masterIndex: state.masterIndex }));
  }
  if (state.up) socket.request(step('restoring the up state'), (seq) => setLinkRequest(seq, link.ifindex, { up: true }));
  // Last: a route through a gateway needs the link up and its address there.
  for (const { message, described } of state.routes) {
    socket.request({ ...step(`restoring route ${described}`), what: 'RTM_NEWROUTE' },
      (seq) => replayRouteRequest(seq, message, link.ifindex));
  }
}
