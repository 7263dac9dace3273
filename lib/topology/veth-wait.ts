// waitForVethPeer(target, ifname): until both ends of veth `ifname` can be
// named, the link in the target and its peer wherever that is, confirmed
// from both sides as findPeer confirms them (find-peer.ts does the looking).
//
// Subscribed first (a watch on the target's links), then looked at, then
// looked at again after each turn of the loop that brought link events (a
// burst costs one look) and after a resync. Nothing announces that the
// peer's namespace became visible (a process entering it, an fd or a name
// given to it): while the veth is there but its peer is not found, it is
// looked for again on a timer, less often each time.
import { NetNamespace, type NetnsTarget } from '../handle/net-namespace';
import { withTarget } from '../handle/targets';
import { assertInterfaceName } from '../rtnl/link-codec';
import type { Link } from '../rtnl/model';
import type { WatchEvent } from '../watch/events';
import { assertTarget } from '../watch/targets';
import { assertWaitOptions, settleWait } from '../watch/wait-common';
import type { WaitOptions } from '../watch/waits';
import { type Watcher, watch } from '../watch/watcher';
import { type PeerLookup, lookUpPeer } from './find-peer';

/** One end of a veth pair: the namespace it is in and the link, as links() reads it. */
export interface VethEndState {
  netns: {
    /** nsfs inode (`net:[INO]`). */
    ino: number;
    /** Its name in the run dir, if any (for the end waited on: the name it was given by). */
    name?: string;
  };
  link: Link;
}

/** What waitForVethPeer resolves with. */
export interface VethEnds {
  /** The link waited for, in the target. */
  end: VethEndState;
  /** Its peer, confirmed from both sides. */
  peer: VethEndState;
}

/** Looks for an unfound peer again after this long, doubling up to the last (ms). */
const FIRST_RETRY_MS = 50;
const LAST_RETRY_MS = 1000;

/** A target as findPeer takes it: a reference must be a NetNamespace (its resolver reads through one). */
function assertVethTarget(target: unknown): asserts target is NetnsTarget {
  assertTarget(target);
  if (typeof target === 'object' && 'enter' in target && !(target instanceof NetNamespace)) {
    throw new TypeError('target must be a NetNamespace, a namespace name, an absolute path or { pid }');
  }
}

/**
 * The watch as settleWait sees it: the namespace's death is told at once,
 * link events once per turn of the loop; later() asks for one more look.
 */
class Looks {
  readonly #watcher: Watcher;
  #listener: ((event?: WatchEvent) => void) | undefined;
  #soon: NodeJS.Immediate | undefined;
  #timer: NodeJS.Timeout | undefined;
  #delay = FIRST_RETRY_MS;

  constructor(watcher: Watcher) {
    this.#watcher = watcher;
  }

  on(what: 'event' | 'synced', listener: (event?: WatchEvent) => void): void {
    if (what === 'synced') {
      this.#watcher.on('synced', () => listener());
      return;
    }
    this.#listener = listener;
    this.#watcher.on('event', (event: WatchEvent) => {
      if (event.kind === 'namespace') listener(event);
      else this.#soon ??= setImmediate(this.#look);
    });
  }

  /** Looks again after a while, longer each time in a row; found() starts over. */
  later(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(this.#look, this.#delay);
    this.#delay = Math.min(this.#delay * 2, LAST_RETRY_MS);
  }

  /** Something changed that events announce: no timer until it is lost again. */
  settled(): void {
    clearTimeout(this.#timer);
    this.#delay = FIRST_RETRY_MS;
  }

  readonly #look = (): void => {
    this.#soon = undefined;
    this.#listener?.();
  };

  close(): Promise<void> {
    clearImmediate(this.#soon);
    clearTimeout(this.#timer);
    return this.#watcher.close();
  }
}

/** "the same namespace" or "nsid 3": where the end says its peer is (its own numbering). */
function peerPlace(link: Link): string {
  const index = link.linkIndex === undefined ? 'no ifindex' : `ifindex ${link.linkIndex}`;
  return `${index} ${link.linkNetnsid === undefined ? 'in the same namespace' : `in nsid ${link.linkNetnsid}`}`;
}

/** The last state, as a timeout tells it ("veth0 exists in a; its peer (ifindex 7 in nsid 3) not found yet: ..."). */
function describeLookup(ifname: string, where: string, found: PeerLookup): string {
  if (found.link === undefined) return `${ifname} does not exist in ${where}`;
  if ('notVeth' in found) return `${ifname} exists in ${where} but is a ${found.link.kind}, not a veth`;
  if ('unresolved' in found) {
    return `${ifname} exists in ${where}; its peer (${peerPlace(found.link)}) not found yet: ${found.unresolved.reason}`;
  }
  return `${ifname} exists in ${where}; its peer is ${found.peer.link.name} in net:[${found.peer.info.ino}]`;
}

/**
 * Resolves once veth `ifname` exists in the target's namespace and its peer
 * is found (in whatever namespace, confirmed from both sides as
 * {@link findPeer} does), with both ends; rejects with a WaitTimeoutError
 * carrying the last state seen ("veth0 exists in red; its peer (ifindex 7
 * in nsid 3) not found yet: ..."), when the namespace goes away, or with
 * the signal's reason. A link of that name that is not a veth is waited
 * past (it may be replaced). Bad arguments throw before anything is opened.
 *
 * @example
 * ```js
 * const { end, peer } = await waitForVethPeer({ pid: containerPid }, 'eth0', { timeout: 5000 });
 * console.log(`${end.link.name} <-> ${peer.link.name} in net:[${peer.netns.ino}]`);
 * ```
 */
export async function waitForVethPeer(
  target: NetnsTarget,
  ifname: string,
  options: WaitOptions = {},
): Promise<VethEnds> {
  assertVethTarget(target);
  assertInterfaceName(ifname, 'ifname');
  assertWaitOptions(options);
  const watcher = watch({ namespaces: [target], kinds: ['link', 'namespace'] });
  const { netns } = watcher.snapshot()[0]!;
  const where = netns.name ?? `net:[${netns.ino}]`;
  const looks = new Looks(watcher);
  let last = '';
  return settleWait<VethEnds>(looks, options, {
    what: `both ends of veth ${ifname} in ${where}`,
    lastState: () => last,
    check: (event?: WatchEvent) => {
      if (event?.kind === 'namespace') {
        return event.action === 'delete'
          ? { error: new Error(`the namespace of ${ifname} went away while waiting for its peer`) }
          : undefined;
      }
      let found: PeerLookup;
      try {
        found = withTarget(target, (ns) => {
          if (ns.ino !== netns.ino) throw new Error(`it now names another namespace, net:[${ns.ino}]`);
          return lookUpPeer(ns, ifname);
        });
      } catch (error) {
        // Gone, or its name moved: the watch says so if it died; until then, look again.
        last = `${where} could not be read: ${(error as Error).message}`;
        looks.later();
        return undefined;
      }
      last = describeLookup(ifname, where, found);
      if (!('peer' in found)) {
        if ('unresolved' in found) looks.later();
        else looks.settled();
        return undefined;
      }
      const peerName = found.peer.info.names[0];
      return {
        done: true,
        value: {
          end: {
            netns: { ino: netns.ino, ...(netns.name === undefined ? {} : { name: netns.name }) },
            link: found.link,
          },
          peer: {
            netns: { ino: found.peer.info.ino, ...(peerName === undefined ? {} : { name: peerName }) },
            link: found.peer.link,
          },
        },
      };
    },
  });
}
