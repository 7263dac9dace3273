// What one watched namespace holds, kept current from rtnetlink messages, and
// the events each message means. RTM_NEWLINK says both "created" and
// "changed": only this cache tells them apart (and which fields changed).
// The kernel is silent about some removals, which the cache then makes
// itself (marked synthetic): IPv4 routes through a link that went down or
// away are flushed without RTM_DELROUTE.
import { IFLA_NEW_IFINDEX, IFLA_NEW_NETNSID, RTM_DELADDR, RTM_DELLINK, RTM_DELROUTE } from '../rtnl/constants';
import { parseAddressMessage } from '../rtnl/addr-codec';
import { IFINFOMSG } from '../rtnl/headers';
import { parseLinkMessage } from '../rtnl/link-codec';
import type { Address, Link, Route } from '../rtnl/model';
import { parseRouteMessage } from '../rtnl/route-codec';
import { type NetlinkMessage, messageAttributes } from '../rtnl/wire';
import type { WatchEvent, WatchedNetns } from './events';

/** Where a link went, on a 'move' (the nsid is the old namespace's number for the new one). */
export interface MoveTarget {
  nsid?: number;
  ifindex?: number;
}

type Emit = (event: WatchEvent) => void;
type Action = WatchEvent['action'];

function addressKey(address: Address): string {
  return `${address.family}|${address.ifindex}|${address.address}/${address.prefixLength}|${address.peer ?? ''}`;
}

function routeKey(route: Route): string {
  return [
    route.family,
    route.table,
    route.dst,
    route.type,
    route.metric ?? '',
    route.ifindex ?? '',
    route.gateway ?? '',
  ]
    .map(String)
    .join('|');
}

/** The top-level fields whose values differ (order-insensitive for nothing: arrays compare in order). */
export function changedFields(before: object, after: object): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  const changed: string[] = [];
  for (const key of keys) {
    const a = (before as Record<string, unknown>)[key];
    const b = (after as Record<string, unknown>)[key];
    if (JSON.stringify(a) !== JSON.stringify(b)) changed.push(key);
  }
  return changed;
}

export interface ModelSnapshot {
  links: Link[];
  addresses: Address[];
  routes: Route[];
}

/** Keys seen while a dump was read, so that what it did not show can be deleted afterwards. */
interface DumpMarks {
  links: Set<number>;
  addresses: Set<string>;
  routes: Set<string>;
}

export class NamespaceModel {
  readonly #links = new Map<number, Link>();
  readonly #addresses = new Map<string, Address>();
  readonly #routes = new Map<string, Route>();
  #marks: DumpMarks | undefined;

  constructor(
    readonly netns: WatchedNetns,
    readonly emit: Emit,
  ) {}

  get names(): Map<number, string> {
    return new Map([...this.#links].map(([index, link]) => [index, link.name]));
  }

  snapshot(): ModelSnapshot {
    return {
      links: [...this.#links.values()],
      addresses: [...this.#addresses.values()],
      routes: [...this.#routes.values()],
    };
  }

  link(name: string): Link | undefined {
    for (const link of this.#links.values()) if (link.name === name) return link;
    return undefined;
  }

  addressesOf(ifindex: number): Address[] {
    return [...this.#addresses.values()].filter((address) => address.ifindex === ifindex);
  }

  /** A link message as a Link, its master and peer named from what the cache holds now. */
  #parseLink(message: NetlinkMessage): Link {
    return parseLinkMessage(message, (ifindex) => this.#links.get(ifindex));
  }

  #event(event: Omit<WatchEvent, 'netns'>): void {
    this.emit({ ...event, netns: this.netns } as WatchEvent);
  }

  /** Starts reading a dump: `fresh` (listExisting) reports 'exists'; otherwise a resync reports differences. */
  beginDump(): void {
    this.#marks = { links: new Set(), addresses: new Set(), routes: new Set() };
  }

  /** Ends a dump: what the cache holds and the dump did not show is gone (synthetic deletes). */
  endDump(kinds: { links: boolean; addresses: boolean; routes: boolean }): void {
    const marks = this.#marks;
    this.#marks = undefined;
    if (marks === undefined) return;
    if (kinds.routes) {
      for (const [key, route] of [...this.#routes]) {
        if (!marks.routes.has(key)) this.#deleteRoute(key, route, true);
      }
    }
    if (kinds.addresses) {
      for (const [key, address] of [...this.#addresses]) {
        if (!marks.addresses.has(key)) this.#deleteAddress(key, address, true);
      }
    }
    if (kinds.links) {
      for (const ifindex of [...this.#links.keys()]) {
        if (!marks.links.has(ifindex)) this.#deleteLink(ifindex, 'delete', true);
      }
    }
  }

  /** A message from a dump: 'exists' when new to the cache on first listing, else the difference (synthetic). */
  applyDumped(message: NetlinkMessage, first: boolean): void {
    this.#apply(message, first ? 'exists' : undefined, !first);
  }

  /** A notification from the kernel. */
  applyEvent(message: NetlinkMessage): void {
    this.#apply(message, undefined, false);
  }

  #apply(message: NetlinkMessage, listed: 'exists' | undefined, synthetic: boolean): void {
    switch (message.type) {
      case RTM_DELLINK:
        return this.#deleteLinkMessage(message);
      case RTM_DELADDR: {
        const address = parseAddressMessage(message, this.names);
        if (address === undefined) return;
        const key = addressKey(address);
        const known = this.#addresses.get(key);
        if (known !== undefined) this.#deleteAddress(key, known, false);
        return;
      }
      case RTM_DELROUTE: {
        const route = parseRouteMessage(message, this.names);
        if (route === undefined) return;
        const key = routeKey(route);
        const known = this.#routes.get(key);
        if (known !== undefined) this.#deleteRoute(key, known, false);
        return;
      }
      default:
        break;
    }
    const kind = kindOf(message.type);
    if (kind === 'link') {
      const link = this.#parseLink(message);
      this.#marks?.links.add(link.ifindex);
      const before = this.#links.get(link.ifindex);
      this.#links.set(link.ifindex, link);
      this.#upserted('link', before, link, listed, synthetic);
      if (before?.up && !link.up) this.#flushIpv4Routes(link.ifindex);
    } else if (kind === 'address') {
      const address = parseAddressMessage(message, this.names);
      if (address === undefined) return;
      const key = addressKey(address);
      this.#marks?.addresses.add(key);
      const before = this.#addresses.get(key);
      this.#addresses.set(key, address);
      this.#upserted('address', before, address, listed, synthetic);
    } else if (kind === 'route') {
      const route = parseRouteMessage(message, this.names);
      if (route === undefined) return;
      const key = routeKey(route);
      this.#marks?.routes.add(key);
      const before = this.#routes.get(key);
      this.#routes.set(key, route);
      this.#upserted('route', before, route, listed, synthetic);
    }
  }

  #upserted(
    kind: 'link' | 'address' | 'route',
    before: object | undefined,
    after: object,
    listed: 'exists' | undefined,
    synthetic: boolean,
  ): void {
    const marks = synthetic ? { synthetic: true } : {};
    if (before === undefined) {
      this.#event({ kind, action: listed ?? 'add', [kind]: after, ...marks });
      return;
    }
    const changed = changedFields(before, after);
    if (changed.length > 0) this.#event({ kind, action: 'change', [kind]: after, changed, ...marks });
  }

  #deleteLinkMessage(message: NetlinkMessage): void {
    const gone = this.#parseLink(message);
    const attributes = messageAttributes(message, IFINFOMSG, 'link');
    const to: MoveTarget = {};
    const nsid = attributes.s32(IFLA_NEW_NETNSID);
    if (nsid !== undefined) to.nsid = nsid;
    const ifindex = attributes.s32(IFLA_NEW_IFINDEX);
    if (ifindex !== undefined) to.ifindex = ifindex;
    if (!this.#links.has(gone.ifindex)) {
      // Not cached (its creation was not seen): still worth reporting, as the kernel said it.
      this.#links.set(gone.ifindex, gone);
    }
    this.#deleteLink(gone.ifindex, nsid === undefined ? 'delete' : 'move', false, to);
  }

  /** Removes a link and, silently flushed by the kernel or not, what hung on it. */
  #deleteLink(ifindex: number, action: Action, synthetic: boolean, to?: MoveTarget): void {
    for (const [key, route] of [...this.#routes]) if (route.ifindex === ifindex) this.#deleteRoute(key, route, true);
    for (const [key, address] of [...this.#addresses]) {
      if (address.ifindex === ifindex) this.#deleteAddress(key, address, true);
    }
    const link = this.#links.get(ifindex);
    this.#links.delete(ifindex);
    if (link === undefined) return;
    const event: Omit<WatchEvent, 'netns'> = { kind: 'link', action, link };
    if (to !== undefined && action === 'move') event.to = to;
    if (synthetic) event.synthetic = true;
    this.#event(event);
  }

  #flushIpv4Routes(ifindex: number): void {
    for (const [key, route] of [...this.#routes]) {
      if (route.family === 4 && route.ifindex === ifindex) this.#deleteRoute(key, route, true);
    }
  }

  #deleteAddress(key: string, address: Address, synthetic: boolean): void {
    this.#addresses.delete(key);
    this.#event({ kind: 'address', action: 'delete', address, ...(synthetic ? { synthetic: true } : {}) });
  }

  #deleteRoute(key: string, route: Route, synthetic: boolean): void {
    this.#routes.delete(key);
    this.#event({ kind: 'route', action: 'delete', route, ...(synthetic ? { synthetic: true } : {}) });
  }

  /** The namespace is gone: everything it held, deleted (the kernel sends nothing). */
  clear(): void {
    for (const [key, route] of [...this.#routes]) this.#deleteRoute(key, route, true);
    for (const [key, address] of [...this.#addresses]) this.#deleteAddress(key, address, true);
    for (const ifindex of [...this.#links.keys()]) this.#deleteLink(ifindex, 'delete', true);
  }
}

/** Which model a message type feeds. */
export function kindOf(type: number): 'link' | 'address' | 'route' | undefined {
  if (type === 16 || type === 17) return 'link';
  if (type === 20 || type === 21) return 'address';
  if (type === 24 || type === 25) return 'route';
  return undefined;
}
