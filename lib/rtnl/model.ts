// What rtnetlink tells about one network namespace, shaped for users: field
// names follow `ip -j -d link | addr | route` where a user would look for them.

export interface Link {
  ifindex: number;
  /** ip: ifname. */
  name: string;
  /**
   * linkinfo.info_kind ('veth', 'bridge', 'dummy', 'vlan', ...); 'loopback' for
   * lo; 'device' when the kernel names no kind (a physical or virtio NIC).
   */
  kind: string;
  /** ip: link_type ('ether', 'loopback', 'none', ...). */
  type: string;
  mtu: number;
  /** Administratively up (IFF_UP). */
  up: boolean;
  /** As ip prints them: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP']. */
  flags: string[];
  /** 'UP', 'DOWN', 'UNKNOWN', 'LOWERLAYERDOWN', ... */
  operstate: string;
  /** ip: address (lower-case, colon-separated). */
  mac?: string;
  broadcast?: string;
  /** Name of the master (a bridge port's bridge), as ip -j prints it. */
  master?: string;
  masterIndex?: number;
  /** ip: info_slave_kind ('bridge' for a bridge port). */
  slaveKind?: string;
  /** IFLA_LINK: the peer's (veth) or parent's (vlan, macvlan) ifindex. */
  linkIndex?: number;
  /**
   * IFLA_LINK_NETNSID: the namespace `linkIndex` lives in, as an nsid that
   * *this* namespace assigned; absent when it is in this same namespace.
   */
  linkNetnsid?: number;
  /** ip: link (the peer's name), when the peer is in this same namespace. */
  link?: string;
  qdisc?: string;
  txqlen?: number;
  group?: string;
  /** ip: ifalias (set with `ip link set NAME alias TEXT`). */
  alias?: string;
  /** ip: altnames, the link's alternative names (`ip link property add`). */
  altNames?: string[];
  /** ip: parentbus / parentdev, where the kernel knows the device behind the link ('virtio', 'pci'). */
  parentBus?: string;
  parentDev?: string;
}

export type AddressScope = 'global' | 'site' | 'link' | 'host' | 'nowhere' | number;

export interface Address {
  ifindex: number;
  /** The interface's name (ip: ifname). */
  name: string;
  family: 4 | 6;
  /** ip: local. */
  address: string;
  /** ip: prefixlen. */
  prefixLength: number;
  scope: AddressScope;
  /** Peer address of a point-to-point address (ip: address, when it differs from local). */
  peer?: string;
  broadcast?: string;
  label?: string;
  /** ip: flags such as 'permanent', 'dynamic', 'tentative', 'noprefixroute'. */
  flags: string[];
}

export interface Route {
  family: 4 | 6;
  /** 'default' or an address or CIDR, as ip prints it (a host route has no /32 or /128). */
  dst: string;
  gateway?: string;
  /** Output interface name. */
  dev?: string;
  ifindex?: number;
  /** 'main', 'local', 'default' or a number. */
  table: string | number;
  /** 'unicast', 'local', 'broadcast', 'blackhole', 'unreachable', 'prohibit', 'multicast', ... */
  type: string;
  /** 'kernel', 'boot', 'static', 'dhcp', 'ra', ... or a number. */
  protocol: string | number;
  scope: AddressScope;
  prefsrc?: string;
  metric?: number;
  /** ip: flags ('linkdown', 'onlink', 'dead', ...). */
  flags?: string[];
  /** ip: pref, an IPv6 route's router preference ('low', 'medium', 'high'). */
  pref?: string | number;
  /** ip: nexthops, for a multipath route (it then has no gateway/dev of its own). */
  nexthops?: RouteNexthop[];
}

export interface RouteNexthop {
  gateway?: string;
  dev?: string;
  ifindex?: number;
  /** ip: weight (rtnh_hops + 1). */
  weight: number;
  flags: string[];
}

/** Which routes ns.routes() reads. */
export interface RouteQuery {
  /** 4, 6, or both (default). */
  family?: 4 | 6;
  /** 'main' (default, as `ip route`), 'local', 'all', or a table number. */
  table?: 'main' | 'local' | 'all' | number;
}

/**
 * One link, placed: ifindex alone means nothing outside its namespace (every
 * namespace has its own lo = 1), so the namespace comes with it.
 */
export interface LinkRef {
  /** The namespace's `net:[INO]`. */
  ns: string;
  ifindex: number;
  name: string;
}

/** The two ends of a veth pair (made by createVeth, or found by topology()). */
export interface VethPair {
  a: LinkRef;
  b: LinkRef;
}
