// moveLink: `ip link set NAME netns TARGET [name NEW]`. One RTM_NEWLINK with
// IFLA_NET_NS_FD moves the link (and renames it, when asked, in the same
// request: the kernel does both or neither); a name taken in the target is
// EEXIST and the link stays where it was. The link arrives down and without
// addresses. Then its new ifindex is read in the target, and the target
// confirmed (target-check.ts): a failure there moves it back.
import type { NetNamespace, NetnsTarget } from '../handle/net-namespace';
import { assertInterfaceName, setLinkRequest } from '../rtnl/link-codec';
import { RtnlSocket } from '../rtnl/transport';
import { findLink, quoted } from './lookup';
import type { LinkRef, MoveLinkOptions } from './model';
import { allOrNothing } from './rollback';
import { confirmTarget } from './target-check';

/** Checks the arguments before the target is even opened. */
export function assertMoveArguments(ifname: unknown, options: unknown): asserts options is MoveLinkOptions {
  assertInterfaceName(ifname);
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object { name? }');
  const { name } = options as MoveLinkOptions;
  if (name !== undefined) assertInterfaceName(name, 'new name');
}

export function moveLinkInto(from: NetNamespace, ifname: string, to: NetNamespace, target: NetnsTarget,
  options: MoveLinkOptions = {}): LinkRef {
  const newName = options.name ?? ifname;
  using source = RtnlSocket.inside(from);
  const link = findLink(source, ifname, from.id);
  if (from.equals(to)) {
    // Already there: the kernel would answer yes and do nothing; a rename still applies.
    if (newName !== ifname) {
      source.request({ what: 'RTM_NEWLINK', subject: ifname, step: `renaming ${quoted(ifname)} to ${quoted(newName)} in ${from.id}` },
        (seq) => setLinkRequest(seq, link.ifindex, { name: newName }));
    }
    return { ns: to.id, ifindex: link.ifindex, name: newName };
  }

  // Made before the move: the undo below needs it after this function's body has ended.
  using there = RtnlSocket.inside(to);
  return allOrNothing((rollback) => {
    const renamed = newName === ifname ? '' : ` as ${quoted(newName)}`;
    source.request({ what: 'RTM_NEWLINK', subject: ifname, step: `moving it from ${from.id} into ${to.id}${renamed}` },
      (seq) => setLinkRequest(seq, link.ifindex, { nsFd: to.fd, name: newName === ifname ? undefined : newName }));
    rollback.add(`the move of ${quoted(ifname)} into ${to.id}`, () => {
      const moved = findLink(there, newName, to.id);
      there.request({ what: 'RTM_NEWLINK', subject: newName, step: `moving it back into ${from.id}` },
        (seq) => setLinkRequest(seq, moved.ifindex, { nsFd: from.fd, name: newName === ifname ? undefined : ifname }));
    });
    const arrived = findLink(there, newName, to.id, 'the moved link ');
    confirmTarget(target, to);
    return { ns: to.id, ifindex: arrived.ifindex, name: newName };
  });
}
