// The one JSON model of "everything": every network namespace on the host,
// what is in it, and how they are wired. Renderers and the command line read it.
import type { Address, Link } from '../rtnl/model';

export interface ContainerRef {
  id: string;
  name: string;
  /** 'docker', 'podman', ... as the runtime answered. */
  runtime?: string;
}

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
  /** The container it belongs to, when a container runtime could tell. */
  container?: ContainerRef;
  /** True for the namespace of the process that made the map. */
  current?: boolean;
  links: Link[];
  addresses: Address[];
  /** Set when the namespace could not be read (EPERM, gone): links and addresses are empty then. */
  error?: { code: string; message: string };
}

export interface VethEnd {
  /** The namespace's `net:[INO]`. */
  ns: string;
  ifindex: number;
  name: string;
}

export interface VethPair {
  a: VethEnd;
  b: VethEnd;
}

export interface UnresolvedPeer {
  /** The end that was seen. */
  end: VethEnd;
  /** What the link says of its peer. */
  linkIndex?: number;
  linkNetnsid?: number;
  /** Why its other end could not be named. */
  reason: string;
}

export interface Topology {
  format: 1;
  namespaces: TopologyNamespace[];
  vethPairs: VethPair[];
  unresolved: UnresolvedPeer[];
}
