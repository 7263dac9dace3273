// Creating and deleting one link: each is a single request that the kernel
// does whole or not at all (`ip link add NAME type bridge`, `ip link del NAME`).
import type { NamespaceRef } from '../ref';
import { assertInterfaceName, createBridgeRequest, deleteLinkRequest } from '../rtnl/link-codec';
import { RtnlSocket } from '../rtnl/transport';
import { echoedLink } from './echo';
import { findLink, quoted } from './lookup';
import type { LinkRef } from './model';
import { allOrNothing } from './rollback';

/** Deletes a link by its name (the kernel looks it up: ENODEV naming it when there is none). */
export function deleteByName(socket: RtnlSocket, name: string, step: string): void {
  socket.request({ what: 'RTM_DELLINK', subject: name, step }, (seq) => deleteLinkRequest(seq, { name }));
}

/** Deletes a link; deleting one end of a veth pair deletes the other end too, wherever it is. */
export function deleteLinkIn(ns: NamespaceRef, ifname: string): void {
  assertInterfaceName(ifname);
  using socket = RtnlSocket.of(ns);
  deleteByName(socket, ifname, `deleting ${quoted(ifname)} in ${ns.id}`);
}

/** A new bridge, down, with the kernel's defaults; a name in use is EEXIST. */
export function createBridgeIn(ns: NamespaceRef, name: string): LinkRef {
  assertInterfaceName(name, 'bridge name');
  using socket = RtnlSocket.of(ns);
  return allOrNothing((rollback) => {
    const replies = socket.request(
      { what: 'RTM_NEWLINK', subject: name, step: `creating bridge ${quoted(name)} in ${ns.id}` },
      (seq) => createBridgeRequest(seq, name, { echo: true }),
    );
    rollback.add(`the creation of bridge ${quoted(name)}`, () =>
      deleteByName(socket, name, 'deleting the new bridge again'),
    );
    const made = echoedLink(replies, name) ?? findLink(socket, name, ns.id, 'the new bridge ');
    return { ns: ns.id, ifindex: made.ifindex, name };
  });
}
