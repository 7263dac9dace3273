// The one JSON model of "everything": every network namespace on the host,
// what is in it, and how they are wired. Renderers and the command line read it.
import type { ContainerRef } from '../containers/container-ref';
import type { Address, Link, LinkRef, VethPair } from '../rtnl/model';

export type { ContainerRef };

export interface TopologyNamespace {
  /** `net:[INO]`. */
  id: string;
  ino: number;
  /** Names in the run dir (ip netns). */
  names: string[];
  /** Where an nsfs file of it is bind-mounted. */
  nsfs: string[];
  /** Processes (thread-group leaders) in it. */
  pids: number[];
  /** Command line of the lowest pid. */
  command?: string;
  /** Processes holding it through an open fd or a socket (when fd holders were looked for). */
  heldBy?: Array<{ pid: number; fd: number; via: 'nsfs' | 'socket' }>;
  /** The container it belongs to, when a container runtime could tell. */
  container?: ContainerRef;
  /** True for the namespace the calling thread was in when the map was made. */
  current?: boolean;
  links: Link[];
  addresses: Address[];
  /** Set when the namespace could not be read (EPERM, gone): links and addresses are empty then. */
  error?: { code: string; message: string };
  /**
   * What enrichment steps (TopologyOptions.enrich) added that has no field of
   * its own, under a key of their choosing ('docker', 'k8s', ...).
   */
  extra?: Record<string, unknown>;
}

/** One end of a veth pair. */
export type VethEnd = LinkRef;
export type { VethPair };

export interface UnresolvedPeer {
  /** The end that was seen. */
  end: VethEnd;
  /** What the link says of its peer. */
  linkIndex?: number;
  linkNetnsid?: number;
  /** Why its other end could not be named, in words, with the numbers that led there. */
  reason: string;
  /** The same, for programs. */
  code?: UnresolvedCode;
}

/**
 * - 'no-peer-index': the kernel names no peer (IFLA_LINK absent: being deleted).
 * - 'nsid-unknown': the peer is in another namespace that has no nsid here,
 *   or the nsids needed to confirm the pair could not be asked.
 * - 'peer-namespace-not-visible': no namespace found on this host has that
 *   nsid (held where this process cannot look: another mount namespace...).
 * - 'peer-namespace-unreadable': the peer's namespace is known but could not be read (EPERM, gone).
 * - 'no-such-ifindex': the peer's namespace has no link with that ifindex.
 * - 'not-a-veth': the link there is not a veth.
 * - 'does-not-point-back': the link there names another peer.
 */
export type UnresolvedCode =
  | 'no-peer-index'
  | 'nsid-unknown'
  | 'peer-namespace-not-visible'
  | 'peer-namespace-unreadable'
  | 'no-such-ifindex'
  | 'not-a-veth'
  | 'does-not-point-back';

export interface Topology {
  format: 1;
  namespaces: TopologyNamespace[];
  vethPairs: VethPair[];
  unresolved: UnresolvedPeer[];
}
