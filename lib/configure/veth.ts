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
//
// An end asked `up` is created up when it is the outer end (IFF_UP in the
// request's ifinfomsg). The peer cannot be: the kernel applies the peer's
// ifinfomsg before the two are joined, and veth refuses to open it then
// (ENOTCONN). So when only the end away from the caller asks for it, that end
// goes outermost (the socket is made in its namespace instead); when both do,
// the peer is set up by a second request once the pair exists.
import { isThreadIn } from '../nsfs/nsfs-file';
import type { NamespaceRef, Target } from '../ref';
import { type NewLinkEnd, assertInterfaceName, createVethRequest, setLinkRequest } from '../rtnl/link-codec';
import { RtnlSocket } from '../rtnl/transport';
import { assertKnownKeys } from '../validate';
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
  /** Up when createVeth returns. */
  up?: boolean;
}

/** The keys of an end (createVeth's) and of a batch's veth peer: anything else is refused. */
export const VETH_END_KEYS: ReadonlySet<string> = new Set(['name', 'ns', 'up']);

/** Refused before anything is opened: an end is `{ name, ns?, up? }` with a valid interface name, and no other key. */
export function assertEndSpec(spec: unknown, what: string): asserts spec is { name: string; up?: boolean } {
  if (typeof spec !== 'object' || spec === null) throw new TypeError(`${what} must be an object { name, ns?, up? }`);
  assertKnownKeys(spec, VETH_END_KEYS, what);
  const { name, up } = spec as { name: unknown; up: unknown };
  assertInterfaceName(name, `${what} name`);
  if (up !== undefined && typeof up !== 'boolean')
    throw new TypeError(`${what} up must be a boolean, got ${typeof up}`);
}

/** The end that goes outermost: the caller's, unless only the other end asks to be up. */
function outerEnd(a: PlacedEnd, b: PlacedEnd): PlacedEnd {
  const here = isThreadIn(a.namespace) ? a : isThreadIn(b.namespace) ? b : undefined;
  const home = here ?? a;
  const away = home === a ? b : a;
  return away.up === true && home.up !== true ? away : home;
}

/** A socket speaking for `ns`: made on the calling thread when it is there (no switch at all), else inside. */
function socketFor(ns: NamespaceRef): RtnlSocket {
  return isThreadIn(ns) ? RtnlSocket.here() : RtnlSocket.of(ns);
}

/** createVeth (lib/handle/targets.ts) once both ends are open. */
export function createVethPair(a: PlacedEnd, b: PlacedEnd): VethPair {
  const home = outerEnd(a, b);
  const away = home === a ? b : a;
  using socket = socketFor(home.namespace);
  const request = (end: PlacedEnd, up?: boolean): NewLinkEnd =>
    end.namespace.equals(home.namespace) ? { name: end.name, up } : { name: end.name, up, nsFd: end.namespace.fd };
  const description = `creating veth pair ${quoted(a.name)} in ${a.namespace.id} and ${quoted(b.name)} in ${b.namespace.id}`;

  return allOrNothing((rollback) => {
    const replies = socket.request({ what: 'RTM_NEWLINK', subject: a.name, step: description }, (seq) =>
      createVethRequest(seq, request(home, home.up), request(away), { echo: true }),
    );
    rollback.add(`the creation of ${quoted(a.name)}/${quoted(b.name)}`, () =>
      deleteByName(socket, home.name, 'deleting the new pair again'),
    );
    if (away.up === true) setUpByName(away, socket, home, description);
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

/** Sets the peer up once the pair exists, over a socket in its namespace (the outer end's when they share one). */
function setUpByName(end: PlacedEnd, homeSocket: RtnlSocket, home: PlacedEnd, doing: string): void {
  const shared = end.namespace.equals(home.namespace);
  using own = shared ? undefined : socketFor(end.namespace);
  const socket = own ?? homeSocket;
  socket.request({ what: 'RTM_NEWLINK', subject: end.name, step: `${doing}: setting ${quoted(end.name)} up` }, (seq) =>
    setLinkRequest(seq, { name: end.name }, { up: true }),
  );
}
