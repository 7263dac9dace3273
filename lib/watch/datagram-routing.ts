// What one datagram of the event socket means. The sender's nsid (from the
// control message; none: the observer itself) says which followed namespace
// it came from; links, addresses and routes go to that namespace's model,
// which emits the events. nsid messages are reported as such, and in the
// observer's own table they also tell of namespaces: a new id may be a new
// namespace to follow, and a dropped id is a namespace that died (ids are
// removed no other way), which reports deletes for what it held.
import { NETNSA_NSID, RTM_DELNSID, RTM_NEWNSID } from '../rtnl/constants';
import { RTGENMSG } from '../rtnl/headers';
import { type NetlinkMessage, messageAttributes } from '../rtnl/wire';
import type { WatchEvent } from './events';
import type { Followed, Following } from './following';
import { kindOf } from './namespace-model';
import type { NamespaceDiscovery } from './namespace-discovery';

/** What routing needs of the watch. */
export interface RoutingHooks {
  following: Following;
  /** 'all' only. */
  discovery: NamespaceDiscovery | undefined;
  deliver(event: WatchEvent): void;
  report(error: Error): void;
}

export function routeDatagram(messages: NetlinkMessage[], nsid: number | undefined, hooks: RoutingHooks): void {
  const { following, discovery } = hooks;
  const from = nsid === undefined ? following.self : following.byNsid(nsid);
  for (const message of messages) {
    if (message.type === RTM_NEWNSID || message.type === RTM_DELNSID) {
      nsidMessage(message, from, nsid === undefined, hooks);
      continue;
    }
    if (kindOf(message.type) === undefined) continue;
    if (from === undefined) {
      // An nsid not followed (yet): look once, not on each of its events.
      if (nsid !== undefined) discovery?.heardFrom(nsid);
      continue;
    }
    try {
      from.model.applyEvent(message);
    } catch (error) {
      hooks.report(error as Error);
    }
  }
}

function nsidMessage(
  message: NetlinkMessage,
  from: Followed | undefined,
  inObserver: boolean,
  hooks: RoutingHooks,
): void {
  const id = messageAttributes(message, RTGENMSG, 'nsid').s32(NETNSA_NSID);
  if (id === undefined || id < 0) return;
  const added = message.type === RTM_NEWNSID;
  if (from !== undefined)
    hooks.deliver({ kind: 'nsid', action: added ? 'add' : 'delete', netns: from.netns, nsid: id });
  if (!inObserver) return;
  hooks.discovery?.nsidChanged(id, added);
  if (added) return;
  // The observer dropped an id: its namespace died (ids cannot be removed
  // otherwise), unless the id is already another's (see stillNumbers).
  if (hooks.following.stillNumbers(id)) return;
  const dead = hooks.following.died(id);
  if (dead === undefined) return;
  dead.model.clear();
  hooks.deliver({ kind: 'namespace', action: 'delete', netns: dead.netns });
}
