// What a watch reports: one event per change, in the shapes links(),
// addresses() and routes() return, labelled with the namespace it came from.
import type { Address, Link, Route } from '../rtnl/model';

export type WatchKind = 'link' | 'address' | 'route' | 'nsid' | 'namespace';
export const WATCH_KINDS: readonly WatchKind[] = ['link', 'address', 'route', 'nsid', 'namespace'];

/** The namespace an event comes from. */
export interface WatchedNetns {
  /** nsfs inode (`net:[INO]`). */
  ino: number;
  /** Its first name in the run dir, if any. */
  name?: string;
  /** Its nsid in the observer's namespace (absent for the observer itself). */
  nsid?: number;
}

export interface WatchEvent {
  kind: WatchKind;
  /**
   * 'exists': listed at start (listExisting) or when a namespace starts being
   * followed; 'move': a link left for another namespace (its 'add' there follows).
   */
  action: 'exists' | 'add' | 'change' | 'delete' | 'move';
  netns: WatchedNetns;
  link?: Link;
  address?: Address;
  route?: Route;
  /** kind 'nsid': the id the sending namespace assigned or dropped. */
  nsid?: number;
  /** action 'move': where the link went (`nsid` as the old namespace numbers the new one). */
  to?: { nsid?: number; ifindex?: number };
  /** action 'change': the fields that changed. */
  changed?: string[];
  /** Made by the watch, not sent by the kernel (a resync's difference; what a dead namespace held). */
  synthetic?: boolean;
}

/** What iteration yields besides events: where a resync starts and ends. */
export type WatchNotice = { kind: 'resync'; reason: 'overrun' | 'overflow' } | { kind: 'synced' };
