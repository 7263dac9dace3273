// What a NetNamespace can do inside its namespace, as methods: the types of
// the verbs that lib/handle/verbs.ts installs on the class. Types only, so
// that the published types show each method with its documentation.
import type { ChildProcess } from 'node:child_process';
import type { Socket as DgramSocket } from 'node:dgram';
import type { Server, Socket } from 'node:net';
import type { Worker, WorkerOptions } from 'node:worker_threads';
import type { BatchResult, BatchSteps } from '../configure/batch';
import type { LinkRef, LinkSettings, RouteSpec } from '../configure/model';
import type { NsConnectOptions, NsListenOptions, NsUdpOptions } from '../inside/sockets';
import type { NsSpawnOptions } from '../inside/spawn';
import type { Address, Link, Route, RouteQuery } from '../rtnl/model';

/**
 * What a {@link NetNamespace} does inside its namespace.
 *
 * - **Work inside, placed by construction**: `spawn`, `worker`, `listen`,
 *   `connect`, `udpSocket`, `socket`, `sysctl`/`setSysctl`. Each creates its
 *   process, thread or socket inside the namespace, so everything that
 *   follows happens there. A hostname would be resolved by `dns.lookup` on the
 *   libuv threadpool, in the original namespace, so `listen`/`connect` take
 *   IP addresses only.
 * - **Reading the network** over rtnetlink, from a socket made inside: `links`,
 *   `addresses`, `routes`; the calling thread never stays moved.
 * - **Wiring**: `setLink`, `deleteLink`, `createBridge`,
 *   `addAddress`/`deleteAddress`, `addRoute` (and `moveLink` on the class).
 *   Names (1–15 bytes, no `/`, `:`, whitespace, not `.`/`..`), CIDRs (strict:
 *   v4 /0–32, v6 /0–128, no leading zeros or zones), routes and settings are
 *   checked before anything is opened. Every change happens whole or not at
 *   all; a name in use is `EEXIST` and the existing link is untouched; an
 *   unknown link is `ENODEV` naming it. Errors carry the kernel's own message
 *   (`kernelMessage`) and the failed `step`.
 */
export interface NamespaceMethods {
  /**
   * A resource kept with this handle until it closes, one per key: the
   * handle's rtnetlink socket, made inside on first use, so that many reads and
   * changes on one handle share one socket. Like the handle's fd, a kept socket
   * holds the namespace alive until close().
   */
  keep<T extends { close(): void }>(key: symbol, make: () => T): T;
  /**
   * Starts a child process inside the namespace (`nsenter --net`); `options`
   * as `child_process.spawn`'s.
   *
   * With `mountNamespace: 'isolated'`, `ip netns exec` semantics: its own
   * mount namespace, `/` made a slave, a fresh `/sys` showing the namespace's
   * interfaces, and `/etc/netns/NAME/*` bound over `/etc/*`; stdio `'pipe'`,
   * `'inherit'` or `'ignore'`, `env`, `cwd`. The isolated child is started with
   * `sys.clone` (a multithreaded process cannot join a mount namespace
   * itself), and its exit is watched on the event loop through its pidfd (no
   * thread), so `unref()` works and the watch ends with the thread that
   * started it.
   */
  spawn(command: string, args?: readonly string[], options?: NsSpawnOptions): ChildProcess;
  /** A Worker whose thread, and every socket its event loop makes, lives in the namespace. */
  worker(filename: string | URL, options?: WorkerOptions): Worker;
  /**
   * A `net.Server` listening inside the namespace (default host 127.0.0.1,
   * port 0). IPv6 works, and a zone (`fe80::1%eth0`) is named inside the
   * namespace. IP addresses only: a hostname would be resolved outside.
   */
  listen(options?: NsListenOptions, connectionListener?: (socket: Socket) => void): Promise<Server>;
  /** A `net.Socket` created inside the namespace and connecting there (IP addresses only). */
  connect(options: NsConnectOptions): Socket;
  /** A UDP dgram.Socket created and bound inside the namespace. */
  udpSocket(options?: NsUdpOptions): Promise<DgramSocket>;
  /** socket(2) inside the namespace: a close-on-exec fd, yours to hand over or sys.close(). */
  socket(domain: number, type: number, protocol?: number): number;
  /** A `net.*` sysctl of this namespace (`net.ipv4.ip_forward` or `net/ipv4/ip_forward`); other keys are refused. */
  sysctl(key: string): string;
  /** Sets a `net.*` sysctl of this namespace (`net.ipv4.ip_forward`, `1`); other keys are refused. */
  setSysctl(key: string, value: string | number): void;

  /**
   * Its interfaces, as `ip -j -d link` shows them, field by field (read over
   * rtnetlink from inside). Dumps are read until `NLMSG_DONE`, in datagrams of
   * any size; one that raced a change (`NLM_F_DUMP_INTR`) is asked again, then
   * returned with a `NETNS_DUMP_INTERRUPTED` warning.
   */
  links(): Link[];
  /** Its IPv4 and IPv6 addresses, as `ip -j addr` shows them. */
  addresses(): Address[];
  /**
   * Its routes, as `ip -j -d route` shows them: the main table unless asked
   * (`table: 'local' | 'all' | N`), both families unless `family: 4 | 6`.
   */
  routes(query?: RouteQuery): Route[];

  // Wiring (lib/configure): each change happens whole or not at all, names
  // and addresses are checked before anything is opened, errors carry the
  // kernel's own message, and the calling thread is never left moved.

  /**
   * `ip link set NAME [up|down] [mtu N] [name NEW] [master BR|nomaster]`, all
   * or nothing: one change per request, and what was done is put back when a
   * later one fails (where `ip link set X mtu 1400 name TAKEN` keeps the mtu,
   * this does not). `master`: a bridge in the same namespace, or `null`
   * (`brctl addif` / `nomaster`); a refused new master leaves the port
   * detached.
   */
  setLink(ifname: string, settings: LinkSettings): void;
  /** `ip link del NAME`; deleting one end of a veth pair deletes both. */
  deleteLink(ifname: string): void;
  /** `ip link add NAME type bridge`: a new bridge, down. */
  createBridge(name: string): LinkRef;
  /** `ip addr add CIDR dev NAME` ('10.0.0.1/24', 'fd00::1/64'), IPv4 and IPv6. */
  addAddress(ifname: string, cidr: string): void;
  /** `ip addr del CIDR dev NAME`. */
  deleteAddress(ifname: string, cidr: string): void;
  /** `ip route add TO [via GW] [dev NAME] [metric N]` (TO may be 'default'), IPv4 or IPv6. */
  addRoute(route: RouteSpec): void;
  /**
   * Many changes in one go, all or nothing: `record` records the steps
   * (`createVeth`, `createBridge`, `setLink` {up, mtu, master}, `addAddress`,
   * `addRoute`; `steps.in(other)` for steps in another namespace), every step
   * is checked before anything is sent, then the requests go out without
   * waiting for each answer, steps on one namespace in a row sharing one
   * datagram (the acks are read when a step needs the ifindex of a link the
   * batch created, and at the end). A
   * refused step undoes every step made, last first, and the error's `step`
   * names it (`step 7 of 20: creating veth pair ...`). Links are named by
   * name; the ones the batch did not create are looked up once.
   *
   * @example
   * ```js
   * host.batch((b) => {
   *   b.createVeth('veth-red', { name: 'eth0', ns: red });
   *   b.setLink('veth-red', { up: true });
   *   b.in(red).setLink('eth0', { up: true });
   *   b.addAddress('veth-red', '10.0.0.1/24');
   *   b.in(red).addAddress('eth0', '10.0.0.2/24');
   * });
   * ```
   */
  batch(record: (steps: BatchSteps) => void): BatchResult;
}
