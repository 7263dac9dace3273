// setLink: `ip link set NAME [down] [name NEW] [mtu N] [master BR|nomaster] [up]`,
// all or nothing. The kernel's do_setlink applies the attributes of one
// request one after another and stops at the first refusal, keeping what it
// did (`ip link set X mtu 1400 name TAKEN` fails with EEXIST, and the mtu
// is 1400), and IFLA_MASTER detaches from the old master before it tries
// the new one. So each change is its own request, in a fixed order (down
// first, up last), and each registers first how to set its value back to
// what was read. A rename of a link that stays up needs a kernel that allows
// it (recent ones do; older ones answer EBUSY, and the steps done are undone).
import type { NamespaceRef } from '../ref';
import { type LinkChanges, assertInterfaceName, setLinkRequest } from '../rtnl/link-codec';
import type { Link } from '../rtnl/model';
import { assertMtu } from '../rtnl/fields';
import { RtnlSocket } from '../rtnl/transport';
import { findLink, quoted } from './lookup';
import type { LinkSettings } from './model';
import { type Rollback, allOrNothing } from './rollback';

const SETTINGS = new Set(['up', 'mtu', 'name', 'master']);

/** Refuses anything that is not a valid LinkSettings, before anything is opened. */
export function assertLinkSettings(ifname: unknown, settings: unknown): asserts settings is LinkSettings {
  assertInterfaceName(ifname);
  if (typeof settings !== 'object' || settings === null) {
    throw new TypeError('settings must be an object { up?, mtu?, name?, master? }');
  }
  const given = Object.keys(settings).filter((key) => (settings as Record<string, unknown>)[key] !== undefined);
  const unknown = given.filter((key) => !SETTINGS.has(key));
  if (unknown.length > 0)
    throw new TypeError(`unknown link setting(s): ${unknown.join(', ')} (known: up, mtu, name, master)`);
  if (given.length === 0) throw new TypeError('setLink needs at least one of up, mtu, name, master');
  const { up, mtu, name, master } = settings as LinkSettings;
  if (up !== undefined && typeof up !== 'boolean') throw new TypeError(`up must be a boolean, got ${typeof up}`);
  if (mtu !== undefined) assertMtu(mtu);
  if (name !== undefined) assertInterfaceName(name, 'new name');
  if (master !== undefined && master !== null) assertInterfaceName(master, 'master');
}

interface Step {
  /** For the error if it fails: "renaming 'va' to 'vb' in net:[...]". */
  doing: string;
  /** For the error if its undo fails too: "renaming 'va' to 'vb'". */
  change: string;
  apply: LinkChanges;
  restore: LinkChanges;
}

function plan(link: Link, settings: LinkSettings, masterIndex: number | undefined, nsId: string): Step[] {
  const steps: Step[] = [];
  const it = quoted(link.name);
  const here = `in ${nsId}`;
  const isUp = link.up;
  if (settings.up === false && isUp) {
    steps.push({
      doing: `setting ${it} down ${here}`,
      change: `setting ${it} down`,
      apply: { up: false },
      restore: { up: true },
    });
  }
  if (settings.name !== undefined && settings.name !== link.name) {
    const renaming = `renaming ${it} to ${quoted(settings.name)}`;
    steps.push({
      doing: `${renaming} ${here}`,
      change: renaming,
      apply: { name: settings.name },
      restore: { name: link.name },
    });
  }
  if (settings.mtu !== undefined && settings.mtu !== link.mtu) {
    const setting = `setting the mtu of ${it} to ${settings.mtu}`;
    steps.push({
      doing: `${setting} ${here}`,
      change: `${setting} (from ${link.mtu})`,
      apply: { mtu: settings.mtu },
      restore: { mtu: link.mtu },
    });
  }
  const currentMaster = link.masterIndex ?? 0;
  if (masterIndex !== undefined && masterIndex !== currentMaster) {
    const doing =
      masterIndex === 0
        ? `taking ${it} out of its master`
        : `making ${quoted(settings.master ?? '')} the master of ${it}`;
    steps.push({
      doing: `${doing} ${here}`,
      change: doing,
      apply: { masterIndex },
      restore: { masterIndex: currentMaster },
    });
  }
  if (settings.up === true && !isUp) {
    steps.push({
      doing: `setting ${it} up ${here}`,
      change: `setting ${it} up`,
      apply: { up: true },
      restore: { up: false },
    });
  }
  return steps;
}

function apply(socket: RtnlSocket, rollback: Rollback, link: Link, step: Step): void {
  const subject = link.name;
  rollback.add(step.change, () => {
    socket.request({ what: 'RTM_NEWLINK', subject, step: `undoing ${step.change}` }, (seq) =>
      setLinkRequest(seq, link.ifindex, step.restore),
    );
  });
  socket.request({ what: 'RTM_NEWLINK', subject, step: step.doing }, (seq) =>
    setLinkRequest(seq, link.ifindex, step.apply),
  );
}

/**
 * `up` alone or `mtu` alone: one request that names the link (the kernel
 * looks it up, ENODEV when there is none) and that the kernel does whole or
 * not at all, so nothing needs reading first and nothing needs undoing.
 */
function oneSettingByName(settings: LinkSettings): { up: boolean } | { mtu: number } | undefined {
  const { up, mtu, name, master } = settings;
  if (name !== undefined || master !== undefined) return undefined;
  if (up !== undefined && mtu === undefined) return { up };
  if (mtu !== undefined && up === undefined) return { mtu };
  return undefined;
}

export function setLinkIn(ns: NamespaceRef, ifname: string, settings: LinkSettings): void {
  using socket = RtnlSocket.of(ns);
  const only = oneSettingByName(settings);
  if (only !== undefined) {
    const doing =
      'up' in only
        ? `setting ${quoted(ifname)} ${only.up ? 'up' : 'down'}`
        : `setting the mtu of ${quoted(ifname)} to ${only.mtu}`;
    socket.request({ what: 'RTM_NEWLINK', subject: ifname, step: `${doing} in ${ns.id}` }, (seq) =>
      setLinkRequest(seq, { name: ifname }, only),
    );
    return;
  }
  const link = findLink(socket, ifname, ns.id);
  const { master } = settings;
  const masterIndex =
    master === undefined ? undefined : master === null ? 0 : findLink(socket, master, ns.id, 'the master ').ifindex;
  const steps = plan(link, settings, masterIndex, ns.id);
  allOrNothing((rollback) => {
    for (const step of steps) apply(socket, rollback, link, step);
  });
}
