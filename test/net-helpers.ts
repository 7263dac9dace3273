// Tools for tests that build networks with `ip` (never with the library) and
// compare what the library reads with what `ip -j` prints. Everything made
// here is undone by onCleanup, also when the test fails.
import fs from 'node:fs';
import { expect } from 'vitest';
import type { Address, Link, NetNamespace, Route } from '../lib/index';
import { LINK_FIELDS } from '../lib/rtnl/link-fields';
import { onCleanup, run, tryRun } from './helpers';
import type { IpLink } from './ip-json';

export type { IpLink };

/**
 * A short prefix for the names of one test run: other sessions may build
 * their own networks on this host at the same time.
 */
export const runTag = `t${(process.pid % 46656).toString(36)}`;

/** `ip netns add NAME`, deleted after the test. */
export function addNamedNetns(name: string): string {
  run('ip', ['netns', 'add', name]);
  onCleanup(() => {
    if (fs.existsSync(`/run/netns/${name}`)) run('ip', ['netns', 'delete', name]);
  });
  return name;
}

/** Deletes a link of the host namespace after the test, if it is still there. */
export function deleteHostLinkAfter(name: string): void {
  onCleanup(() => {
    if (fs.existsSync(`/sys/class/net/${name}`)) tryRun('ip', ['link', 'delete', name]);
  });
}

/** `ip [-n NS] -j ARGS`, parsed. */
export function ipJson<T = unknown>(ns: string | undefined, args: string[]): T {
  const where = ns === undefined ? [] : ['-n', ns];
  return JSON.parse(run('ip', [...where, '-j', ...args]) || '[]') as T;
}

/** Runs `ip -batch -` (one command a line): fast for many links. */
export function ipBatch(ns: string | undefined, lines: string[]): void {
  const where = ns === undefined ? [] : ['-n', ns];
  run('ip', [...where, '-batch', '-'], { input: `${lines.join('\n')}\n` });
}

// ------------------------------------------------------ ip -j -d link --

/**
 * The Link the library should give for one entry of `ip -j -d link`: every
 * field the link table gives an ip key, taken from ip under that key. (up
 * is read from ip's flags; masterIndex has no ip counterpart and is checked
 * against `master` by name. ip prints `link_index` only for a peer in
 * another namespace and the peer's name `link` otherwise, `"link": null`
 * for none, and no linkinfo where the kernel names no kind.)
 */
export function linkFromIp(ip: IpLink): Omit<Link, 'masterIndex'> {
  const link: Record<string, unknown> = {};
  for (const [field, spec] of Object.entries(LINK_FIELDS)) {
    if (!('ip' in spec)) continue;
    const value = spec.ip
      .split('.')
      .reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], ip);
    if (value !== undefined && value !== null) link[field] = value;
  }
  link.kind ??= ip.link_type === 'loopback' ? 'loopback' : 'device';
  link.up = ip.flags.includes('UP');
  return link as Omit<Link, 'masterIndex'>;
}

/** One of our Links, made comparable with linkFromIp: masterIndex checked, then dropped. */
export function comparableLink(link: Link, all: readonly Link[]): Omit<Link, 'masterIndex'> {
  const { masterIndex, ...rest } = link;
  if (masterIndex !== undefined && all.find((other) => other.ifindex === masterIndex)?.name !== link.master) {
    throw new Error(`${link.name}: masterIndex ${masterIndex} does not name its master ${link.master}`);
  }
  // ip prints the peer's index only when it is in another namespace.
  if (rest.link !== undefined) delete rest.linkIndex;
  return rest;
}

/**
 * Reads ours between two reads of ip and retries until both of ip's agree:
 * carrier and bridge port states settle asynchronously after `ip link set up`.
 */
export function settled<I, O>(readIp: () => I, readOurs: () => O): { ip: I; ours: O } {
  for (let attempt = 0; attempt < 20; attempt++) {
    const before = readIp();
    const ours = readOurs();
    const after = readIp();
    if (JSON.stringify(before) === JSON.stringify(after)) return { ip: after, ours };
    run('sleep', ['0.2']);
  }
  throw new Error('ip never printed the same thing twice in a row: the network did not settle');
}

export function expectLinksAsIp(ns: NetNamespace, name: string | undefined, only?: (link: IpLink) => boolean): Link[] {
  // Only the fields compared: -d also prints bridge timers, which never stand still.
  const readIp = () =>
    ipJson<IpLink[]>(name, ['-d', 'link'])
      .filter(only ?? (() => true))
      .map(linkFromIp);
  const { ip, ours } = settled(readIp, () => ns.links());
  const mine = ours.filter((link) => ip.some((entry) => entry.ifindex === link.ifindex));
  expect(canonical(mine.map((link) => comparableLink(link, ours)))).toEqual(canonical(ip));
  return ours;
}

// ------------------------------------------------------------ ip -j addr --

interface IpAddrInfo {
  family: 'inet' | 'inet6';
  local: string;
  address?: string;
  prefixlen: number;
  scope: string | number;
  label?: string;
  broadcast?: string;
  [flag: string]: unknown;
}

const IP_ADDRESS_FLAGS = [
  'secondary',
  'temporary',
  'nodad',
  'optimistic',
  'dadfailed',
  'home',
  'deprecated',
  'tentative',
  'mngtmpaddr',
  'noprefixroute',
  'autojoin',
  'stable-privacy',
  'dynamic',
];

/**
 * The Addresses the library should give for `ip -j addr`. ip prints flags as
 * `"name": true` and says nothing for a permanent address; the library names
 * 'permanent' too. Flags are sorted: ip's print order is not the model's.
 */
export function addressesFromIp(links: Array<{ ifindex: number; ifname: string; addr_info: IpAddrInfo[] }>): Address[] {
  return links.flatMap((link) =>
    link.addr_info.map((info) => {
      const flags = IP_ADDRESS_FLAGS.filter((flag) => info[flag] === true);
      if (!flags.includes('dynamic')) flags.push('permanent');
      const address: Address = {
        ifindex: link.ifindex,
        name: link.ifname,
        family: info.family === 'inet' ? 4 : 6,
        address: info.local,
        prefixLength: info.prefixlen,
        scope: info.scope as Address['scope'],
        flags: flags.sort(),
      };
      if (info.address !== undefined && info.address !== info.local) address.peer = info.address;
      if (info.broadcast !== undefined) address.broadcast = info.broadcast;
      if (info.label !== undefined) address.label = info.label;
      return address;
    }),
  );
}

export const sortedFlags = (address: Address): Address => ({ ...address, flags: [...address.flags].sort() });

// ------------------------------------------------------ ip -j -d route --

/** The route fields the model has; a test fails if ip prints one we do not compare. */
export const IP_ROUTE_FIELDS = [
  'type',
  'dst',
  'gateway',
  'dev',
  'table',
  'protocol',
  'scope',
  'prefsrc',
  'metric',
  'flags',
  'pref',
  'nexthops',
];

/** One entry of `ip -j -d route`, as printed. */
export type IpRoute = Record<string, unknown>;

/** The Route the library should give for one entry of `ip -j -d route show table all`. */
export function routeFromIp(ip: IpRoute, family: 4 | 6): Omit<Route, 'ifindex'> {
  const unknown = Object.keys(ip).filter((key) => !IP_ROUTE_FIELDS.includes(key));
  if (unknown.length > 0) throw new Error(`ip printed route fields the comparison ignores: ${unknown.join(', ')}`);
  const table = typeof ip.table !== 'string' ? 'main' : /^\d+$/.test(ip.table) ? Number(ip.table) : ip.table;
  const route: Omit<Route, 'ifindex'> = {
    family,
    dst: ip.dst as string,
    table,
    type: ip.type as string,
    protocol: ip.protocol as Route['protocol'],
    scope: ip.scope as Route['scope'],
    flags: ip.flags as string[],
  };
  for (const key of ['gateway', 'dev', 'prefsrc', 'metric', 'pref'] as const) {
    if (ip[key] !== undefined) Object.assign(route, { [key]: ip[key] });
  }
  if (ip.nexthops !== undefined) route.nexthops = ip.nexthops as Route['nexthops'];
  return route;
}

/** One of our Routes, made comparable with routeFromIp (ifindex checked against dev by the caller). */
export function comparableRoute(route: Route): Omit<Route, 'ifindex'> {
  const rest: Route = { ...route };
  delete rest.ifindex;
  if (rest.nexthops) {
    rest.nexthops = rest.nexthops.map((nexthop) => {
      const hop = { ...nexthop };
      delete hop.ifindex;
      return hop;
    });
  }
  return rest;
}

/** Sorts records by their JSON text, so lists read in different orders compare equal. */
export function canonical<T>(records: readonly T[]): T[] {
  const sortedKeys = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sortedKeys);
    if (typeof value !== 'object' || value === null) return value;
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]),
    );
  };
  const text = (record: T) => JSON.stringify(sortedKeys(record));
  return [...records].sort((a, b) => text(a).localeCompare(text(b)));
}

/** `ss -tnH state established` run inside a named namespace by `ip netns exec`, with a filter. */
function establishedIn(name: string, filter: string[]): string {
  return run('ip', ['netns', 'exec', name, 'ss', '-tnH', 'state', 'established', ...filter]);
}

/**
 * Proves that `from` reaches `host` in `to` (both named), as ping would, with
 * the library's own sockets: a server made in `to`, a client made in `from`.
 * While the connection is open, `ss` run inside each namespace (another
 * process) shows its end; then an answer naming `to` comes back. Returns the
 * round trip's client address.
 */
export async function expectTcpAcross(
  from: { ns: NetNamespace; name: string },
  to: { ns: NetNamespace; name: string },
  host: string,
): Promise<string> {
  const server = await to.ns.listen({ host }, (socket) => {
    socket.on('error', () => {}); // a client that gave up: the test fails on its side
    socket.once('data', () => socket.end(`from ${to.ns.id}`));
  });
  try {
    const { port } = server.address() as { port: number };
    const client = from.ns.connect({ host, port });
    client.setTimeout(5000, () => client.destroy(new Error(`no answer from ${host}:${port} within 5 s`)));
    await new Promise<void>((resolve, reject) => {
      client.once('connect', resolve);
      client.once('error', reject);
    });
    const local = endpoint(client.localAddress!, client.localPort!);
    const remote = endpoint(host, port);
    // ss prints "Recv-Q Send-Q Local Peer": the server's end in `to`, the client's in `from`.
    expect(establishedIn(to.name, ['sport', '=', `:${port}`]), `${to.name} has the server's end`).toMatch(
      new RegExp(`\\s${escape(remote)}\\s+${escape(local)}\\s*$`, 'm'),
    );
    expect(establishedIn(from.name, ['dport', '=', `:${port}`]), `${from.name} has the client's end`).toMatch(
      new RegExp(`\\s${escape(local)}\\s+${escape(remote)}\\s*$`, 'm'),
    );
    let reply = '';
    client.on('data', (chunk) => {
      reply += chunk;
    });
    client.write('hello');
    await new Promise((resolve, reject) => {
      client.once('close', resolve);
      client.once('error', reject);
    });
    expect(reply, `the answer from ${host}`).toBe(`from ${to.ns.id}`);
    return local;
  } finally {
    server.close();
  }
}

/** An address and port as ss prints them: IPv6 in brackets. */
const endpoint = (address: string, port: number) =>
  address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
