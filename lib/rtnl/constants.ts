// The rtnetlink numbers this codec uses, read from the kernel uapi headers
// (<linux/netlink.h>, rtnetlink.h, if_link.h, if_addr.h, net_namespace.h,
// veth.h, if_arp.h, if.h) and checked against them by
// test/unit/rtnl-constants.test.ts. The numbers are kernel ABI: they never
// change once released. Only the numbers some code uses are here: add one
// with its first user. The fixed structs are in headers.ts.

// ---- Address families (<sys/socket.h>) ----
export const AF_UNSPEC = 0;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const AF_PACKET = 17;

// ---- Messages and attributes (netlink.h) ----
export const NLMSG_ALIGNTO = 4;
export const NLA_ALIGNTO = 4;
/** sizeof(struct nlattr): u16 len, u16 type. */
export const NLA_HDRLEN = 4;
export const NLA_F_NESTED = 0x8000;
export const NLA_F_NET_BYTEORDER = 0x4000;
/** ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) as a 16-bit mask. */
export const NLA_TYPE_MASK = 0x3fff;

// Control message types (below NLMSG_MIN_TYPE, 0x10, are not family messages).
export const NLMSG_NOOP = 0x1;
export const NLMSG_ERROR = 0x2;
export const NLMSG_DONE = 0x3;
export const NLMSG_OVERRUN = 0x4;

// nlmsg_flags, standard.
export const NLM_F_REQUEST = 0x01;
export const NLM_F_MULTI = 0x02;
export const NLM_F_ACK = 0x04;
export const NLM_F_ECHO = 0x08;
export const NLM_F_DUMP_INTR = 0x10;
// Modifiers to GET requests.
/** NLM_F_ROOT | NLM_F_MATCH (0x100 | 0x200). */
export const NLM_F_DUMP = 0x300;
// Modifiers to NEW requests.
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;
// Flags on an NLMSG_ERROR (ack) message.
export const NLM_F_CAPPED = 0x100;
export const NLM_F_ACK_TLVS = 0x200;

// enum nlmsgerr_attrs: the extended-ack TLVs after an error or done message.
export const NLMSGERR_ATTR_MSG = 1;
export const NLMSGERR_ATTR_OFFS = 2;
export const NLMSGERR_ATTR_COOKIE = 3;
export const NLMSGERR_ATTR_MISS_TYPE = 5;
export const NLMSGERR_ATTR_MISS_NEST = 6;

// ---- rtnetlink message types (rtnetlink.h) ----
export const RTM_NEWLINK = 16;
export const RTM_DELLINK = 17;
export const RTM_GETLINK = 18;
export const RTM_NEWADDR = 20;
export const RTM_DELADDR = 21;
export const RTM_GETADDR = 22;
export const RTM_NEWROUTE = 24;
export const RTM_DELROUTE = 25;
export const RTM_GETROUTE = 26;
export const RTM_NEWNSID = 88;
export const RTM_DELNSID = 89;
export const RTM_GETNSID = 90;

// IFLA_EXT_MASK bits (what extra a link dump carries).
export const RTEXT_FILTER_VF = 1 << 0;
export const RTEXT_FILTER_SKIP_STATS = 1 << 3;

// ---- Link attributes (if_link.h) ----
export const IFLA_ADDRESS = 1;
export const IFLA_BROADCAST = 2;
export const IFLA_IFNAME = 3;
export const IFLA_MTU = 4;
export const IFLA_LINK = 5;
export const IFLA_QDISC = 6;
export const IFLA_MASTER = 10;
export const IFLA_TXQLEN = 13;
export const IFLA_OPERSTATE = 16;
export const IFLA_LINKINFO = 18;
export const IFLA_IFALIAS = 20;
export const IFLA_GROUP = 27;
export const IFLA_NET_NS_FD = 28;
export const IFLA_EXT_MASK = 29;
export const IFLA_LINK_NETNSID = 37;
/** On the RTM_DELLINK of a link that moved: its nsid and ifindex in the namespace it went to. */
export const IFLA_NEW_NETNSID = 45;
export const IFLA_NEW_IFINDEX = 49;
export const IFLA_PROP_LIST = 52;
export const IFLA_ALT_IFNAME = 53;
export const IFLA_PARENT_DEV_NAME = 56;
export const IFLA_PARENT_DEV_BUS_NAME = 57;

// Inside IFLA_LINKINFO.
export const IFLA_INFO_KIND = 1;
export const IFLA_INFO_DATA = 2;
export const IFLA_INFO_SLAVE_KIND = 4;

// Inside IFLA_INFO_DATA of a veth (veth.h): a struct ifinfomsg + link attributes.
export const VETH_INFO_PEER = 1;

// RFC 2863 operational state, IFLA_OPERSTATE (if.h).
export const IF_OPER_UNKNOWN = 0;

// ifi_flags (if.h, enum net_device_flags).
export const IFF_UP = 1 << 0;
export const IFF_BROADCAST = 1 << 1;
export const IFF_DEBUG = 1 << 2;
export const IFF_LOOPBACK = 1 << 3;
export const IFF_POINTOPOINT = 1 << 4;
export const IFF_NOTRAILERS = 1 << 5;
export const IFF_RUNNING = 1 << 6;
export const IFF_NOARP = 1 << 7;
export const IFF_PROMISC = 1 << 8;
export const IFF_ALLMULTI = 1 << 9;
export const IFF_MASTER = 1 << 10;
export const IFF_SLAVE = 1 << 11;
export const IFF_MULTICAST = 1 << 12;
export const IFF_PORTSEL = 1 << 13;
export const IFF_AUTOMEDIA = 1 << 14;
export const IFF_DYNAMIC = 1 << 15;
export const IFF_LOWER_UP = 1 << 16;
export const IFF_DORMANT = 1 << 17;
export const IFF_ECHO = 1 << 18;

// ---- Address attributes (if_addr.h) ----
export const IFA_ADDRESS = 1;
export const IFA_LOCAL = 2;
export const IFA_LABEL = 3;
export const IFA_BROADCAST = 4;
export const IFA_FLAGS = 8;

export const IFA_F_SECONDARY = 0x01;
export const IFA_F_NODAD = 0x02;
export const IFA_F_OPTIMISTIC = 0x04;
export const IFA_F_DADFAILED = 0x08;
export const IFA_F_HOMEADDRESS = 0x10;
export const IFA_F_DEPRECATED = 0x20;
export const IFA_F_TENTATIVE = 0x40;
export const IFA_F_PERMANENT = 0x80;
export const IFA_F_MANAGETEMPADDR = 0x100;
export const IFA_F_NOPREFIXROUTE = 0x200;
export const IFA_F_MCAUTOJOIN = 0x400;
export const IFA_F_STABLE_PRIVACY = 0x800;

// ---- Route header fields and attributes (rtnetlink.h) ----
// rtm_type
export const RTN_UNICAST = 1;

// rtm_protocol
export const RTPROT_UNSPEC = 0;
export const RTPROT_REDIRECT = 1;
export const RTPROT_KERNEL = 2;
export const RTPROT_BOOT = 3;
export const RTPROT_STATIC = 4;
export const RTPROT_GATED = 8;
export const RTPROT_RA = 9;
export const RTPROT_MRT = 10;
export const RTPROT_ZEBRA = 11;
export const RTPROT_BIRD = 12;
export const RTPROT_DNROUTED = 13;
export const RTPROT_XORP = 14;
export const RTPROT_NTK = 15;
export const RTPROT_DHCP = 16;
export const RTPROT_KEEPALIVED = 18;
export const RTPROT_BABEL = 42;
export const RTPROT_OPENR = 99;
export const RTPROT_BGP = 186;
export const RTPROT_ISIS = 187;
export const RTPROT_OSPF = 188;
export const RTPROT_RIP = 189;
export const RTPROT_EIGRP = 192;

// rtm_scope and ifa_scope (enum rt_scope_t)
export const RT_SCOPE_UNIVERSE = 0;
export const RT_SCOPE_SITE = 200;
export const RT_SCOPE_LINK = 253;
export const RT_SCOPE_HOST = 254;
export const RT_SCOPE_NOWHERE = 255;

// rtm_table (enum rt_class_t); ids above 255 only fit in RTA_TABLE.
export const RT_TABLE_DEFAULT = 253;
export const RT_TABLE_MAIN = 254;
export const RT_TABLE_LOCAL = 255;

// rtm_flags
export const RTM_F_NOTIFY = 0x100;
export const RTM_F_OFFLOAD = 0x4000;
export const RTM_F_TRAP = 0x8000;
export const RTM_F_OFFLOAD_FAILED = 0x20000000;

// rtnh_flags (also found in rtm_flags)
export const RTNH_F_DEAD = 1;
export const RTNH_F_PERVASIVE = 2;
export const RTNH_F_ONLINK = 4;
export const RTNH_F_OFFLOAD = 8;
export const RTNH_F_LINKDOWN = 16;
export const RTNH_F_UNRESOLVED = 32;
export const RTNH_F_TRAP = 64;

export const RTA_DST = 1;
export const RTA_OIF = 4;
export const RTA_GATEWAY = 5;
export const RTA_PRIORITY = 6;
export const RTA_PREFSRC = 7;
export const RTA_MULTIPATH = 9;
export const RTA_TABLE = 15;
export const RTA_VIA = 18;
export const RTA_PREF = 20;
export const RTA_NH_ID = 30;

// RTA_PREF values (icmpv6.h): a router's preference, two bits.
export const ICMPV6_ROUTER_PREF_LOW = 0x3;
export const ICMPV6_ROUTER_PREF_MEDIUM = 0x0;
export const ICMPV6_ROUTER_PREF_HIGH = 0x1;

// ---- Namespace ids (net_namespace.h) ----
export const NETNSA_NSID = 1;
export const NETNSA_FD = 3;
/** Asks about another namespace's table: the namespace the socket's table numbers so. */
export const NETNSA_TARGET_NSID = 4;
/** In an answer about another table: the id the socket's own table gives the same namespace. */
export const NETNSA_CURRENT_NSID = 5;
/** The NETNSA_NSID value of a namespace that has no id (yet) here. */
export const NETNSA_NSID_NOT_ASSIGNED = -1;

// ---- Hardware types, ifi_type (if_arp.h) ----
export const ARPHRD_NETROM = 0;
export const ARPHRD_ETHER = 1;
export const ARPHRD_EETHER = 2;
export const ARPHRD_AX25 = 3;
export const ARPHRD_PRONET = 4;
export const ARPHRD_CHAOS = 5;
export const ARPHRD_IEEE802 = 6;
export const ARPHRD_ARCNET = 7;
export const ARPHRD_APPLETLK = 8;
export const ARPHRD_DLCI = 15;
export const ARPHRD_ATM = 19;
export const ARPHRD_METRICOM = 23;
export const ARPHRD_IEEE1394 = 24;
export const ARPHRD_INFINIBAND = 32;
export const ARPHRD_SLIP = 256;
export const ARPHRD_CSLIP = 257;
export const ARPHRD_SLIP6 = 258;
export const ARPHRD_CSLIP6 = 259;
export const ARPHRD_RSRVD = 260;
export const ARPHRD_ADAPT = 264;
export const ARPHRD_ROSE = 270;
export const ARPHRD_X25 = 271;
export const ARPHRD_HWX25 = 272;
export const ARPHRD_CAN = 280;
export const ARPHRD_PPP = 512;
export const ARPHRD_HDLC = 513;
export const ARPHRD_LAPB = 516;
export const ARPHRD_DDCMP = 517;
export const ARPHRD_RAWHDLC = 518;
export const ARPHRD_TUNNEL = 768;
export const ARPHRD_TUNNEL6 = 769;
export const ARPHRD_FRAD = 770;
export const ARPHRD_SKIP = 771;
export const ARPHRD_LOOPBACK = 772;
export const ARPHRD_LOCALTLK = 773;
export const ARPHRD_FDDI = 774;
export const ARPHRD_BIF = 775;
export const ARPHRD_SIT = 776;
export const ARPHRD_IPDDP = 777;
export const ARPHRD_IPGRE = 778;
export const ARPHRD_PIMREG = 779;
export const ARPHRD_HIPPI = 780;
export const ARPHRD_ASH = 781;
export const ARPHRD_ECONET = 782;
export const ARPHRD_IRDA = 783;
export const ARPHRD_FCPP = 784;
export const ARPHRD_FCAL = 785;
export const ARPHRD_FCPL = 786;
export const ARPHRD_FCFABRIC = 787;
export const ARPHRD_IEEE802_TR = 800;
export const ARPHRD_IEEE80211 = 801;
export const ARPHRD_IEEE80211_PRISM = 802;
export const ARPHRD_IEEE80211_RADIOTAP = 803;
export const ARPHRD_IEEE802154 = 804;
export const ARPHRD_IEEE802154_MONITOR = 805;
export const ARPHRD_PHONET = 820;
export const ARPHRD_PHONET_PIPE = 821;
export const ARPHRD_CAIF = 822;
export const ARPHRD_IP6GRE = 823;
export const ARPHRD_NETLINK = 824;
export const ARPHRD_6LOWPAN = 825;
export const ARPHRD_NONE = 0xfffe;
export const ARPHRD_VOID = 0xffff;
