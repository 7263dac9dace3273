// What a move strips from a link, so that undoing a move gives the link back
// as it was: a move brings a link into its new namespace down, without its
// addresses and out of its master, and the routes through it are gone.
// Moving it back restores its name and, where the kernel allows, its
// ifindex; the rest is put back from what was read before the move: the
// routes as dumped, replayed as `ip route restore` does. Not put back: the
// routes the kernel makes itself (they come back with the addresses), a
// multipath route with one hop through the link (its other hops stayed, and
// the kernel deleted or kept it by its own rules), a route through a nexthop
// object, and an address's other flags and lifetimes.
import { NetnsError } from '../errors';
import { addAddressRequest } from '../rtnl/addr-codec';
import { setLinkRequest } from '../rtnl/link-codec';
import type { Link } from '../rtnl/model';
import { readAddresses, readRouteMessagesOutOf } from '../rtnl/read';
import { replayRouteRequest } from '../rtnl/route-codec';
import type { RtnlSocket } from '../rtnl/transport';
import type { NetlinkMessage } from '../rtnl/wire';
import { findLink, quoted } from './lookup';

export interface MovedState {
  name: string;
  ifindex: number;
  up: boolean;
  masterIndex?: number;
  /**
   * 'ADDRESS/PREFIX', broadcast, and whether an IPv6 one had passed duplicate
   * address detection; without the IPv6 link-local ones the kernel makes itself.
   */
  addresses: Array<{ cidr: string; broadcast?: string; detected: boolean }>;
  /** The routes out of the link, not made by the kernel: as dumped, and in words for errors. */
  routes: Array<{ message: NetlinkMessage; described: string }>;
}

export function captureMovedState(socket: RtnlSocket, link: Link): MovedState {
  const addresses = readAddresses(socket, [])
    .filter((address) => address.ifindex === link.ifindex && address.peer === undefined)
    .filter((address) => !(address.family === 6 && address.scope === 'link'))
    .map((address) => ({
      cidr: `${address.address}/${address.prefixLength}`,
      broadcast: address.broadcast,
      detected: address.family === 6 && !address.flags.includes('tentative') && !address.flags.includes('dadfailed'),
    }));
  const routes = readRouteMessagesOutOf(socket, link.ifindex)
    .filter(({ route }) => route.protocol !== 'kernel')
    .map(({ route, message }) => ({
      // The message is a view into a receive buffer: keep a copy of its own.
      message: { ...message, payload: Buffer.from(message.payload) },
      described: `${route.dst}${route.gateway === undefined ? '' : ` via ${route.gateway}`} table ${route.table}`,
    }));
  return {
    name: link.name,
    ifindex: link.ifindex,
    up: link.up,
    masterIndex: link.masterIndex,
    addresses,
    routes,
  };
}

/**
 * Puts back, on the link of that name in the socket's namespace, what the
 * move took. Each route is tried even when one is refused; the first refusal
 * is thrown, naming the others.
 */
export function restoreMovedState(socket: RtnlSocket, state: MovedState, nsId: string): void {
  const link = findLink(socket, state.name, nsId, 'the link moved back ');
  const step = (what: string) => ({
    what: 'RTM_NEWLINK',
    subject: state.name,
    step: `${what} of ${quoted(state.name)} in ${nsId}`,
  });
  for (const { cidr, broadcast, detected } of state.addresses) {
    // An IPv6 address that had passed detection comes back usable at once, as
    // it was: a tentative one would refuse the routes that name it as source.
    socket.request({ ...step(`restoring address ${cidr}`), what: 'RTM_NEWADDR' }, (seq) =>
      addAddressRequest(seq, link.ifindex, cidr, { broadcast, nodad: detected }),
    );
  }
  if (state.masterIndex !== undefined) {
    socket.request(step('restoring the master'), (seq) =>
      setLinkRequest(seq, link.ifindex, { masterIndex: state.masterIndex }),
    );
  }
  if (state.up)
    socket.request(step('restoring the up state'), (seq) => setLinkRequest(seq, link.ifindex, { up: true }));
  // Last: a route through a gateway needs the link up and its address there.
  const refused: Array<{ described: string; error: unknown }> = [];
  for (const { message, described } of state.routes) {
    try {
      socket.request({ ...step(`restoring route ${described}`), what: 'RTM_NEWROUTE' }, (seq) =>
        replayRouteRequest(seq, message, link.ifindex),
      );
    } catch (error) {
      refused.push({ described, error });
    }
  }
  if (refused.length === 0) return;
  const [first, ...others] = refused;
  if (others.length > 0 && first.error instanceof NetnsError) {
    throw first.error.withHint(`routes not restored either: ${others.map((other) => other.described).join(', ')}`);
  }
  throw first.error;
}
