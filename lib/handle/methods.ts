// What a NetNamespace can do inside its namespace, as methods: the types of
// the verbs that lib/handle/verbs.ts installs on the class. Types only, so
// that the published types show each method with its documentation.
import type { ChildProcess } from 'node:child_process';
import type { Socket as DgramSocket } from 'node:dgram';
import type { Server, Socket } from 'node:net';
import type { Worker, WorkerOptions } from 'node:worker_threads';
import type { LinkRef, LinkSettings, RouteSpec } from '../configure/model';
import type { NsConnectOptions, NsListenOptions, NsUdpOptions } from '../inside/sockets';
import type { NsSpawnOptions } from '../inside/spawn';
import type { Address, Link, Route, RouteQuery } from '../rtnl/model';

export interface NamespaceMethods {
  /**
   * Starts a child process inside the namespace (`nsenter --net`). With
   * `mountNamespace: 'isolated'`, `ip netns exec` semantics: its own mount
   * namespace, a fresh /sys, and /etc/netns/NAME/* over /etc/*.
   */
  spawn(command: string, args?: readonly string[], options?: NsSpawnOptions): ChildProcess;
  /** A Worker whose thread, and every socket its event loop makes, lives in the namespace. */
  worker(filename: string | URL, options?: WorkerOptions): Worker;
  /** A net.Server listening inside the namespace (default host 127.0.0.1, port 0). */
  listen(options?: NsListenOptions, connectionListener?: (socket: Socket) => void): Promise<Server>;
  /** A net.Socket created inside the namespace and connecting there. */
  connect(options: NsConnectOptions): Socket;
  /** A UDP dgram.Socket created and bound inside the namespace. */
  udpSocket(options?: NsUdpOptions): Promise<DgramSocket>;
  /** socket(2) inside the namespace: a close-on-exec fd, yours to hand over or sys.close(). */
  socket(domain: number, type: number, protocol?: number): number;
  /** A net.* sysctl of this namespace (`net.ipv4.ip_forward` or `net/ipv4/ip_forward`). */
  sysctl(key: string): string;
  setSysctl(key: string, value: string | number): void;

  /** Its interfaces, as `ip -d link` shows them (read over rtnetlink from inside). */
  links(): Link[];
  /** Its IPv4 and IPv6 addresses, as `ip addr` shows them. */
  addresses(): Address[];
  /** Its routes, as `ip route` shows them: the main table unless asked otherwise. */
  routes(query?: RouteQuery): Route[];

  // Wiring (lib/configure): each change happens whole or not at all, names
  // and addresses are checked before anything is opened, errors carry the
  // kernel's own message, and the calling thread is never left moved.

  /** `ip link set NAME [up|down] [mtu N] [name NEW] [master BR|nomaster]`, all or nothing. */
  setLink(ifname: string, settings: LinkSettings): void;
  /** `ip link del NAME`; deleting one end of a veth pair deletes both. */
  deleteLink(ifname: string): void;
  /** `ip link add NAME type bridge`: a new bridge, down. */
  createBridge(name: string): LinkRef;
  /** `ip addr add CIDR dev NAME` ('10.0.0.1/24', 'fd00::1/64'). */
  addAddress(ifname: string, cidr: string): void;
  /** `ip addr del CIDR dev NAME`. */
  deleteAddress(ifname: string, cidr: string): void;
  /** `ip route add TO [via GW] [dev NAME] [metric N]` (TO may be 'default'), IPv4 or IPv6. */
  addRoute(route: RouteSpec): void;
}
