// What a move strips from a link, so that undoing a move gives the link back
// as it was: a move brings a link into its new namespace down, without its
// addresses and out of its master (and routes through it are gone). Moving
// it back restores its name and, where the kernel allows, its ifindex; the
// rest is put back from what was read before the move. Routes are not
// (they may have been many, in several tables): the only loss of an undo.
import { addAddressRequest } from '../rtnl/addr-codec';
import { IFF_UP } from '../rtnl/constants';
import { type RawLink, setLinkRequest } from '../rtnl/link-codec';
import { readAddresses } from '../rtnl/read';
import type { RtnlSocket } from '../rtnl/transport';
import { findLink, quoted } from './lookup';

export interface MovedState {
  name: string;
  ifindex: number;
  up: boolean;
  masterIndex?: number;
  /** 'ADDRESS/PREFIX' and broadcast, without the IPv6 link-local ones the kernel makes itself. */
  addresses: Array<{ cidr: string; broadcast?: string }>;
}

export function captureMovedState(socket: RtnlSocket, link: RawLink): MovedState {
  const addresses = readAddresses(socket, [])
    .filter((address) => address.ifindex === link.ifindex && address.peer === undefined)
    .filter((address) => !(address.family === 6 && address.scope === 'link'))
    .map((address) => ({ cidr: `${address.address}/${address.prefixLength}`, broadcast: address.broadcast }));
  return {
    name: link.name,
    ifindex: link.ifindex,
    up: (link.flags & IFF_UP) !== 0,
    masterIndex: link.masterIndex,
    addresses,
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
}
