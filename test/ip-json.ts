// The shapes `ip -j -d link` prints, as the tests read them (iproute2 6.1).

export interface IpLink {
  ifindex: number;
  ifname: string;
  flags: string[];
  mtu: number;
  qdisc?: string;
  operstate: string;
  group?: string;
  txqlen?: number;
  link_type: string;
  address?: string;
  broadcast?: string;
  master?: string;
  link?: string | null;
  link_index?: number;
  link_netnsid?: number;
  ifalias?: string;
  altnames?: string[];
  parentbus?: string;
  parentdev?: string;
  linkinfo?: { info_kind?: string; info_slave_kind?: string };
}
