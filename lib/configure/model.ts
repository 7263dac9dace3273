// What the wiring functions take and give back. A link is named to users as
// a LinkRef, `{ ns, ifindex, name }` (rtnl/model.ts), as topology() names it.

export type { LinkRef, VethPair } from '../rtnl/model';

/** What setLink changes; absent fields stay as they are. */
export interface LinkSettings {
  /** Administratively up or down. */
  up?: boolean;
  /** The MTU in bytes (`ip link set NAME mtu N`). */
  mtu?: number;
  /** A new name (1–15 bytes). */
  name?: string;
  /** The name of a bridge (or other master) in the same namespace, or null to leave it. */
  master?: string | null;
}

/** How {@link NetNamespace.moveLink} moves a link. */
export interface MoveLinkOptions {
  /** The name it takes in the target namespace: moved and renamed, or neither. */
  name?: string;
}

/** A route for addRoute, with the output link by name. */
export interface RouteSpec {
  /** 'default', or a network in CIDR form; a bare address is a host route (/32, /128). */
  to: string;
  /** Gateway address, of the same family as `to`. */
  via?: string;
  /** Name of the output link. */
  dev?: string;
  /** ip: metric. */
  metric?: number;
  /** Family of a 'default' route through a device only (no gateway to tell); default 4, as ip. */
  family?: 4 | 6;
}
