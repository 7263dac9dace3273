// Tools for the wiring tests: throwaway named namespaces, what `ip -j` says
// about them from outside this process, and whole-host snapshots to prove
// that a refused change changed nothing anywhere.
import { type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { NetNamespace } from '../lib/index';
import { RtnlSocket, type Operation } from '../lib/rtnl/transport';
import { onCleanup, run, tryRun } from './helpers';
import type { IpLink } from './ip-json';

export type { IpLink };

export interface IpAddressInfo {
  family: 'inet' | 'inet6';
  local: string;
  prefixlen: number;
}

export interface IpAddr {
  ifname: string;
  addr_info: IpAddressInfo[];
}

export interface IpRoute {
  dst: string;
  gateway?: string;
  dev?: string;
  protocol?: string;
}

let counter = 0;

/** A new named namespace (so that `ip -n NAME` reaches it), deleted after the test. */
export function lab(prefix = 'cf'): { ns: NetNamespace; name: string } {
  const name = `${prefix}-${process.pid}-${++counter}`;
  const ns = NetNamespace.createNamed(name);
  onCleanup(() => {
    ns.close();
    if (fs.existsSync(`/run/netns/${name}`)) NetNamespace.delete(name);
  });
  return { ns, name };
}

/** A name for a link made in the host namespace, deleted after the test if it is still there. */
export function hostLinkName(tag: string): string {
  const name = `cf${tag}${process.pid % 100000}`;
  onCleanup(() => {
    if (tryRun('ip', ['link', 'show', name]).status === 0) run('ip', ['link', 'del', name]);
  });
  return name;
}

const inNs = (ns: string | undefined, args: string[]) => (ns === undefined ? args : ['-n', ns, ...args]);

/** `ip [-n NS] -j -d link` (ns undefined: the host). */
export function ipLinks(ns?: string): IpLink[] {
  return JSON.parse(run('ip', inNs(ns, ['-j', '-d', 'link', 'show']))) as IpLink[];
}

export function ipLink(ns: string | undefined, ifname: string): IpLink | undefined {
  return ipLinks(ns).find((link) => link.ifname === ifname);
}

export function ipAddrs(ns?: string): IpAddr[] {
  return JSON.parse(run('ip', inNs(ns, ['-j', 'addr', 'show']))) as IpAddr[];
}

/** The addresses of one link as 'ADDR/PREFIX'. */
export function addressesOf(ns: string | undefined, ifname: string): string[] {
  const link = ipAddrs(ns).find((entry) => entry.ifname === ifname);
  return (link?.addr_info ?? []).map((info) => `${info.local}/${info.prefixlen}`);
}

export function ipRoutes(ns: string | undefined, family: 4 | 6 = 4): IpRoute[] {
  return JSON.parse(run('ip', inNs(ns, [`-${family}`, '-j', 'route', 'show']))) as IpRoute[];
}

// Fields that change by themselves while nothing is done (address lifetimes count down).
const CLOCK_FIELDS = new Set(['valid_life_time', 'preferred_life_time']);

// The host is shared with whatever else runs on this machine (another
// suite may add and remove links there at the same time), so its view keeps
// the machine's own links and those with a name these tests give a link: a
// change refused here that left something in the host shows up as one of them.
const HOST_BASELINE = new Set(ipLinks().map((link) => link.ifname));
const NAMES_USED_HERE = /^(v[a-z0-9]{0,3}|eth\d|br\d|p\d+x?|port\d|taken|late|ok|nope0|nobr|x+|cf.*)$/;
const watchedOnHost = (ifname: unknown) =>
  typeof ifname === 'string' && (HOST_BASELINE.has(ifname) || NAMES_USED_HERE.test(ifname));

function hostView(json: string, nameField: 'ifname' | 'dev'): unknown {
  const entries = JSON.parse(json) as Array<Record<string, unknown>>;
  return entries.filter((entry) => entry[nameField] === undefined || watchedOnHost(entry[nameField]));
}

/**
 * Everything `ip -j` tells of these named namespaces, and of the host, as one
 * string: links, addresses, routes of every table.
 */
export function snapshot(names: string[]): string {
  const views = [undefined, ...names].map((ns) => {
    const read = (args: string[]) => run('ip', inNs(ns, args));
    const view = (args: string[], nameField: 'ifname' | 'dev') =>
      ns === undefined ? hostView(read(args), nameField) : JSON.parse(read(args));
    return {
      ns: ns ?? 'host',
      links: view(['-j', '-d', 'link', 'show'], 'ifname'),
      addresses: view(['-j', 'addr', 'show'], 'ifname'),
      routes4: view(['-4', '-j', 'route', 'show', 'table', 'all'], 'dev'),
      routes6: view(['-6', '-j', 'route', 'show', 'table', 'all'], 'dev'),
    };
  });
  return JSON.stringify(views, (key, value: unknown) => (CLOCK_FIELDS.has(key) ? undefined : value), 1);
}

/**
 * Runs `action` once, right after the kernel acked the first request that
 * `matches` (the library's own socket, interposed for this test), so that
 * something can happen between two steps of a change, deterministically.
 * Returns the operations sent, in order.
 */
export function betweenSteps(matches: (operation: Operation) => boolean, action: () => void): Operation[] {
  const original = RtnlSocket.prototype.request;
  const sent: Operation[] = [];
  let fired = false;
  RtnlSocket.prototype.request = function request(this: RtnlSocket, operation, build) {
    sent.push(operation);
    const replies = original.call(this, operation, build);
    if (!fired && matches(operation)) {
      fired = true;
      action();
    }
    return replies;
  };
  onCleanup(() => {
    RtnlSocket.prototype.request = original;
  });
  return sent;
}

/** Records every request the library sends during the test. */
export function recordRequests(): Operation[] {
  return betweenSteps(
    () => false,
    () => undefined,
  );
}

/** Records the bytes of every request the library sends during the test. */
export function recordRequestBytes(): Buffer[] {
  const original = RtnlSocket.prototype.request;
  const sent: Buffer[] = [];
  RtnlSocket.prototype.request = function request(this: RtnlSocket, operation, build) {
    return original.call(this, operation, (seq) => {
      const bytes = build(seq);
      sent.push(bytes);
      return bytes;
    });
  };
  onCleanup(() => {
    RtnlSocket.prototype.request = original;
  });
  return sent;
}

/** Blocks until a killed child is no longer a live process (a zombie, or reaped). */
export function waitUntilDead(child: ChildProcess & { pid: number }): void {
  for (let i = 0; i < 500; i++) {
    let state: string | undefined;
    try {
      state = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]?.[0];
    } catch {
      return; // reaped
    }
    if (state === 'Z' || state === 'X') return;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
  }
  throw new Error(`process ${child.pid} did not die`);
}
