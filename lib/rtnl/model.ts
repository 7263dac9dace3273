// What rtnetlink tells about one network namespace, shaped for users: field
// names follow `ip -j -d link | addr | route` where a user would look for them.

/**
 * One interface, as {@link NetNamespace.links} reads it: the fields of
 * `ip -j -d link`, named as `ip` names them where a user would look for them.
 */
export interface Link {
  /** The interface index, unique only within its namespace. */
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
  /** ip: mtu. */
  mtu: number;
  /** Administratively up (IFF_UP). */
  up: boolean;
  /** As ip prints them: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP']. */
  flags: string[];
  /** 'UP', 'DOWN', 'UNKNOWN', 'LOWERLAYERDOWN', ... */
  operstate: string;
  /** ip: address (lower-case, colon-separated). */
  mac?: string;
  /** ip: broadcast, the link-layer broadcast address. */
  broadcast?: string;
  /** Name of the master (a bridge port's bridge), as ip -j prints it. */
  master?: string;
  /** The master's ifindex. */
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
  /** ip: qdisc ('noqueue', 'fq_codel', ...). */
  qdisc?: string;
  /** ip: txqlen. */
  txqlen?: number;
  /** ip: group ('default' or a number). */
  group?: string;
  /** ip: ifalias (set with `ip link set NAME alias TEXT`). */
  alias?: string;
  /** ip: altnames, the link's alternative names (`ip link property add`). */
  altNames?: string[];
  /** ip: parentbus / parentdev, where the kernel knows the device behind the link ('virtio', 'pci'). */
  parentBus?: string;
  /** ip: parentdev, the device behind the link ('virtio0', '0000:00:03.0'). */
  parentDev?: string;
}

/** An address's or route's scope, as `ip` names it; a number where it has no name. */
export type AddressScope = 'global' | 'site' | 'link' | 'host' | 'nowhere' | number;

/** One address, as {@link NetNamespace.addresses} reads it: the fields of `ip -j addr`. */
export interface Address {
  /** The interface's index. */
  ifindex: number;
  /** The interface's name (ip: ifname). */
  name: string;
  /** IPv4 or IPv6. */
  family: 4 | 6;
  /** ip: local. */
  address: string;
  /** ip: prefixlen. */
  prefixLength: number;
  /** ip: scope. */
  scope: AddressScope;
  /** Peer address of a point-to-point address (ip: address, when it differs from local). */
  peer?: string;
  /** ip: broadcast (IPv4). */
  broadcast?: string;
  /** ip: label (IPv4; 'eth0:1'). */
  label?: string;
  /** ip: flags such as 'permanent', 'dynamic', 'tentative', 'noprefixroute'. */
  flags: string[];
}

/**
 * One route, as {@link NetNamespace.routes} reads it: the fields of
 * `ip -j -d route`.
 */
export interface Route {
  /** IPv4 or IPv6. */
  family: 4 | 6;
  /** 'default' or an address or CIDR, as ip prints it (a host route has no /32 or /128). */
  dst: string;
  /** ip: gateway (via). */
  gateway?: string;
  /** Output interface name. */
  dev?: string;
  /** The output interface's index. */
  ifindex?: number;
  /** 'main', 'local', 'default' or a number. */
  table: string | number;
  /** 'unicast', 'local', 'broadcast', 'blackhole', 'unreachable', 'prohibit', 'multicast', ... */
  type: string;
  /** 'kernel', 'boot', 'static', 'dhcp', 'ra', ... or a number. */
  protocol: string | number;
  /** ip: scope. */
  scope: AddressScope;
  /** ip: prefsrc, the preferred source address. */
  prefsrc?: string;
  /** ip: metric (RTA_PRIORITY). */
  metric?: number;
  /** ip: flags ('linkdown', 'onlink', 'dead', ...). */
  flags?: string[];
  /** ip: pref, an IPv6 route's router preference ('low', 'medium', 'high'). */
  pref?: string | number;
  /** ip: nexthops, for a multipath route (it then has no gateway/dev of its own). */
  nexthops?: RouteNexthop[];
}

/** One path of a multipath route. */
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
  /** Its index in that namespace. */
  ifindex: number;
  /** Its name. */
  name: string;
}

/** The two ends of a veth pair (made by createVeth, or found by topology()). */
export interface VethPair {
  /** One end (for createVeth, the first one asked for). */
  a: LinkRef;
  /** The other end. */
  b: LinkRef;
}
