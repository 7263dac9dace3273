// createVeth: a veth pair whose ends are each created straight in their own
// namespace, by one RTM_NEWLINK (the kernel makes both or neither): the
// request goes over a socket in one end's namespace, and each end that lives
// elsewhere carries IFLA_NET_NS_FD in VETH_INFO_PEER. The end in the
// socket's namespace always goes outermost, whichever the caller named
// first: kernels before 6.14 look the outer name up in the socket's
// namespace even when an outer IFLA_NET_NS_FD sends the link elsewhere, so
// `eth0` into a namespace from a host that has an `eth0` was EEXIST there.
// The ifindexes come from the end in the socket's namespace, echoed by the
// kernel or else looked up: its IFLA_LINK is the other end's ifindex.
import { isThreadIn } from '../nsfs/nsfs-file';
import type { NamespaceRef, Target } from '../ref';
import { type NewLinkEnd, assertInterfaceName, createVethRequest } from '../rtnl/link-codec';
import { RtnlSocket } from '../rtnl/transport';
import { echoedLink } from './echo';
import { deleteByName } from './links';
import { findLink, quoted } from './lookup';
import type { LinkRef, VethPair } from './model';
import { allOrNothing } from './rollback';
import { confirmTarget } from './target-check';

/** One end of the pair, its namespace open, and the target it was named by (for confirmTarget). */
export interface PlacedEnd {
  name: string;
  target: Target | undefined;
  namespace: NamespaceRef;
}

/** Refused before anything is opened: an end is `{ name, ns? }` with a valid interface name. */
export function assertEndSpec(spec: unknown, what: string): asserts spec is { name: string } {
  if (typeof spec !== 'object' || spec === null) throw new TypeError(`${what} must be an object { name, ns? }`);
  assertInterfaceName((spec as { name: unknown }).name, `${what} name`);
}

/** createVeth (lib/handle/targets.ts) once both ends are open. */
export function createVethPair(a: PlacedEnd, b: PlacedEnd): VethPair {
  // The socket speaks for the caller's namespace when an end is there (no
  // switch at all), else for the first end's.
  const here = isThreadIn(a.namespace) ? a : isThreadIn(b.namespace) ? b : undefined;
  const home = here ?? a;
  using socket = here ? RtnlSocket.here() : RtnlSocket.of(a.namespace);
  const away = home === a ? b : a;
  const request = (end: PlacedEnd): NewLinkEnd =>
    end.namespace.equals(home.namespace) ? { name: end.name } : { name: end.name, nsFd: end.namespace.fd };
  const description = `creating veth pair ${quoted(a.name)} in ${a.namespace.id} and ${quoted(b.name)} in ${b.namespace.id}`;

  return allOrNothing((rollback) => {
    const replies = socket.request({ what: 'RTM_NEWLINK', subject: a.name, step: description }, (seq) =>
      createVethRequest(seq, request(home), request(away), { echo: true }),
    );
    rollback.add(`the creation of ${quoted(a.name)}/${quoted(b.name)}`, () =>
      deleteByName(socket, home.name, 'deleting the new pair again'),
    );
    const anchor = echoedLink(replies, home.name) ?? findLink(socket, home.name, home.namespace.id, 'the new end ');
    // Older kernels leave IFLA_LINK out when the peer's ifindex equals the
    // link's own, which happens across namespaces (two fresh ones both give 2).
    const other = anchor.linkIndex ?? anchor.ifindex;
    const refOf = (end: PlacedEnd): LinkRef => ({
      ns: end.namespace.id,
      ifindex: end === home ? anchor.ifindex : other,
      name: end.name,
    });
    confirmTarget(a.target, a.namespace);
    confirmTarget(b.target, b.namespace);
    return { a: refOf(a), b: refOf(b) };
  });
}
