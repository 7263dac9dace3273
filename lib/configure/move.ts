// moveLink: `ip link set NAME netns TARGET [name NEW]`. The link arrives down
// and without addresses; a name taken in the target is EEXIST and the link
// stays where it was. Then its new ifindex is read in the target, and the
// target confirmed (target-check.ts): a failure there moves it back, as it
// was (moved-state.ts).
//
// A move and a rename sent in one request are not all-or-nothing in the
// kernel: do_setlink uses the new name only when the link's own name is
// taken in the target; otherwise it moves the link under its own name and
// renames it afterwards, and a refused rename leaves it moved. So a new name
// taken in the target is refused before anything is done; the combined
// request is sent only when the own name is taken there (then it is atomic);
// otherwise the move and the rename are two steps.
import { NetnsError, errnoOf } from '../errors';
import type { NamespaceRef, Target } from '../ref';
import { assertInterfaceName, setLinkRequest } from '../rtnl/link-codec';
import type { Link } from '../rtnl/model';
import { RtnlSocket } from '../rtnl/transport';
import { findLink, findLinkIfAny, quoted } from './lookup';
import type { LinkRef, MoveLinkOptions } from './model';
import { type MovedState, captureMovedState, restoreMovedState } from './moved-state';
import { allOrNothing } from './rollback';
import { confirmTarget } from './target-check';

/** Checks the arguments before the target is even opened. */
export function assertMoveArguments(ifname: unknown, options: unknown): asserts options is MoveLinkOptions {
  assertInterfaceName(ifname);
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object { name? }');
  const { name } = options as MoveLinkOptions;
  if (name !== undefined) assertInterfaceName(name, 'new name');
}

export function moveLinkInto(
  from: NamespaceRef,
  ifname: string,
  to: NamespaceRef,
  target: Target,
  options: MoveLinkOptions = {},
): LinkRef {
  const newName = options.name ?? ifname;
  using source = RtnlSocket.of(from);
  const link = findLink(source, ifname, from.id);
  if (from.equals(to)) {
    // Already there: the kernel would answer yes and do nothing; a rename still applies.
    if (newName !== ifname) {
      source.request(
        {
          what: 'RTM_NEWLINK',
          subject: ifname,
          step: `renaming ${quoted(ifname)} to ${quoted(newName)} in ${from.id}`,
        },
        (seq) => setLinkRequest(seq, link.ifindex, { name: newName }),
      );
    }
    return { ns: to.id, ifindex: link.ifindex, name: newName };
  }

  // Made before the move: the undos below need it after this function's body has ended.
  using there = RtnlSocket.of(to);
  let renameInOneRequest = false;
  if (newName !== ifname) {
    if (findLinkIfAny(there, newName, to.id) !== undefined) throw nameTaken(ifname, newName, to.id);
    renameInOneRequest = findLinkIfAny(there, ifname, to.id) !== undefined;
  }
  const arrivesAs = renameInOneRequest ? newName : ifname;
  const before = captureMovedState(source, link);

  return allOrNothing((rollback) => {
    const renamed = renameInOneRequest ? ` as ${quoted(newName)}` : '';
    source.request(
      { what: 'RTM_NEWLINK', subject: ifname, step: `moving it from ${from.id} into ${to.id}${renamed}` },
      (seq) => setLinkRequest(seq, link.ifindex, { nsFd: to.fd, name: renameInOneRequest ? newName : undefined }),
    );
    rollback.add(`the move of ${quoted(ifname)} into ${to.id}`, () => {
      moveBack(there, findLink(there, arrivesAs, to.id), before, from);
      restoreMovedState(source, before, from.id);
    });
    const arrived = findLink(there, arrivesAs, to.id, 'the moved link ');
    if (arrivesAs !== newName) {
      const renaming = `renaming ${quoted(ifname)} to ${quoted(newName)}`;
      // Undone before the move is: the move back looks for the name it arrived with.
      rollback.add(renaming, () => {
        there.request({ what: 'RTM_NEWLINK', subject: newName, step: `undoing ${renaming}` }, (seq) =>
          setLinkRequest(seq, arrived.ifindex, { name: ifname }),
        );
      });
      there.request({ what: 'RTM_NEWLINK', subject: ifname, step: `${renaming} in ${to.id}` }, (seq) =>
        setLinkRequest(seq, arrived.ifindex, { name: newName }),
      );
    }
    confirmTarget(target, to);
    return { ns: to.id, ifindex: arrived.ifindex, name: newName };
  });
}

/** Moves a link back under its old name and, where the kernel allows, into its old ifindex. */
function moveBack(socket: RtnlSocket, link: Link, old: MovedState, home: NamespaceRef): void {
  const back = { nsFd: home.fd, name: link.name === old.name ? undefined : old.name };
  const operation = { what: 'RTM_NEWLINK', subject: link.name, step: `moving it back into ${home.id}` };
  try {
    // The old ifindex is free unless something took it meanwhile; a kernel
    // that refuses it (taken, or too old to choose) changes nothing first.
    socket.request(operation, (seq) => setLinkRequest(seq, link.ifindex, { ...back, newIfindex: old.ifindex }));
  } catch {
    socket.request(operation, (seq) => setLinkRequest(seq, link.ifindex, back));
  }
}

function nameTaken(ifname: string, newName: string, nsId: string): NetnsError {
  return new NetnsError({
    errno: errnoOf('EEXIST'),
    syscall: 'RTM_NEWLINK',
    path: ifname,
    step: `checking that ${quoted(newName)} is free in ${nsId}`,
    description: `an interface named ${quoted(newName)} exists in the target namespace`,
  });
}
