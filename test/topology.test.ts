// topology() and findPeer() on a host built with `ip` (never with the
// library): veths host<->A and A<->B, a bridge with ports, v4+v6 addresses,
// and namespaces held only by a bind mount, only by a process, only by an
// open fd of this process; 300 links in one namespace; a dump raced by link
// churn; a map made by a user who can read almost nothing. Ground truth is
// what `ip` says and the list of pairs made.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type Link,
  type NamespaceInfo,
  NetNamespace,
  type Topology,
  type VethPair,
  enterNetns,
  findPeer,
  listNamespaces,
  topology,
} from '../lib/index';
import { linkDumpRequest, parseLinkDump } from '../lib/rtnl/link-codec';
import { RtnlSocket, traceExchanges } from '../lib/rtnl/transport';
import { HostNamespaces } from '../lib/topology/host-namespaces';
import { describeNamespace } from '../lib/topology/topology';
import { VethResolver } from '../lib/topology/veth-peers';
import { runAtOnce } from '../lib/steps';
import { onCleanup, readlinkNetns, run, runNode, startNetnsProcess, tryRun, unprivilegedCopy } from './helpers';
import { addNamedNetns, deleteHostLinkAfter, expectLinksAsIp, ipBatch, ipJson, runTag } from './net-helpers';

interface EndMade {
  ino: number;
  name: string;
  ifindex: number;
}

const threadIno = () => fs.statSync('/proc/thread-self/ns/net').ino;
const inoOf = (file: string) => fs.statSync(file).ino;
const openFds = () => fs.readdirSync('/proc/self/fd').sort();

/**
 * A thread keeps one fd on its home namespace from its first switch on
 * (lib/switch/thread-switch.ts): make that happen before fds are counted.
 */
function warmThreadSwitch(): void {
  using here = NetNamespace.current();
  here.enter(() => undefined);
}

/** ifindex of a link as ip shows it, run inside the namespace of `where` (a run-dir name, a pid, an nsfs path, or the host). */
function ifindexOf(where: { name?: string; pid?: number; file?: string }, ifname: string): number {
  let entries: Array<{ ifindex: number }>;
  if (where.pid !== undefined || where.file !== undefined) {
    const enter = where.pid !== undefined ? ['-t', String(where.pid), '-n'] : [`--net=${where.file}`];
    entries = JSON.parse(run('nsenter', [...enter, 'ip', '-j', 'link', 'show', ifname]));
  } else {
    entries = ipJson(where.name, ['link', 'show', ifname]);
  }
  return entries[0].ifindex;
}

const endKey = (end: { ino: number; ifindex: number; name: string }) => `${end.ino}/${end.ifindex}/${end.name}`;
const pairKey = (a: string, b: string) => [a, b].sort().join(' <-> ');
const madeKeys = (pairs: Array<[EndMade, EndMade]>) => pairs.map(([a, b]) => pairKey(endKey(a), endKey(b))).sort();
const inoOfId = (id: string) => Number(/^net:\[(\d+)\]$/.exec(id)?.[1]);
const mapKeys = (pairs: VethPair[], touching: Set<number>) =>
  pairs
    .filter(({ a, b }) => touching.has(inoOfId(a.ns)) || touching.has(inoOfId(b.ns)))
    .map(({ a, b }) => pairKey(endKey({ ...a, ino: inoOfId(a.ns) }), endKey({ ...b, ino: inoOfId(b.ns) })))
    .sort();

/**
 * Builds the host: A and B named; P held only by a process; M held only by
 * a bind mount outside the run dir; F held only by an fd of this process.
 * Returns the namespaces and every veth pair made, as ip numbers them.
 */
function buildHost() {
  const host = threadIno();
  const A = addNamedNetns(`${runTag}A`);
  const B = addNamedNetns(`${runTag}B`);
  const hA = `${runTag}hA`;
  run('ip', ['link', 'add', hA, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', A]);
  deleteHostLinkAfter(hA);
  ipBatch(A, [
    `link add va type veth peer name vb netns ${B}`,
    'link add br0 type bridge',
    'link add p1 type veth peer name p1x',
    'link set p1 master br0',
    'link set va master br0',
    'link set br0 up',
    'link set p1 up',
    'link set va up',
    'link set eth0 up',
    'addr add 10.61.0.2/24 dev eth0',
    'addr add fd61::2/64 dev eth0',
    'addr add 10.62.0.1/24 dev br0',
  ]);
  ipBatch(B, ['link set vb up', 'addr add 10.62.0.2/24 dev vb', 'addr add fd62::2/64 dev vb']);
  run('ip', ['link', 'set', hA, 'up']);
  run('ip', ['addr', 'add', '10.61.0.1/24', 'dev', hA]);

  // P: a process alone (its cleanup kills it; the host end goes first, LIFO).
  const holder = startNetnsProcess();
  const hP = `${runTag}hP`;
  run('ip', ['link', 'add', hP, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', String(holder.pid)]);
  deleteHostLinkAfter(hP);

  // M: a bind mount outside the run dir, once the name is gone.
  const M = addNamedNetns(`${runTag}M`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nn-topology-'));
  const mountPoint = path.join(dir, 'holder');
  fs.writeFileSync(mountPoint, '');
  onCleanup(() => {
    tryRun('umount', [mountPoint]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  run('mount', ['--bind', `/run/netns/${M}`, mountPoint]);
  const hM = `${runTag}hM`;
  run('ip', ['link', 'add', hM, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', M]);
  deleteHostLinkAfter(hM);
  run('ip', ['netns', 'delete', M]);

  // F: an open fd of this process, once the name is gone.
  const F = addNamedNetns(`${runTag}F`);
  const fd = fs.openSync(`/run/netns/${F}`, 'r');
  onCleanup(() => fs.closeSync(fd));
  const inoF = inoOf(`/run/netns/${F}`);
  const hF = `${runTag}hF`;
  run('ip', ['link', 'add', hF, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', F]);
  deleteHostLinkAfter(hF);
  const eth0F = ifindexOf({ name: F }, 'eth0');
  run('ip', ['netns', 'delete', F]);

  const ino = {
    host,
    A: inoOf(`/run/netns/${A}`),
    B: inoOf(`/run/netns/${B}`),
    P: inoOf(`/proc/${holder.pid}/ns/net`),
    M: inoOf(mountPoint),
    F: inoF,
  };
  const end = (namespace: number, name: string, ifindex: number): EndMade => ({ ino: namespace, name, ifindex });
  const pairs: Array<[EndMade, EndMade]> = [
    [end(host, hA, ifindexOf({}, hA)), end(ino.A, 'eth0', ifindexOf({ name: A }, 'eth0'))],
    [end(ino.A, 'va', ifindexOf({ name: A }, 'va')), end(ino.B, 'vb', ifindexOf({ name: B }, 'vb'))],
    [end(ino.A, 'p1', ifindexOf({ name: A }, 'p1')), end(ino.A, 'p1x', ifindexOf({ name: A }, 'p1x'))],
    [end(host, hP, ifindexOf({}, hP)), end(ino.P, 'eth0', ifindexOf({ pid: holder.pid }, 'eth0'))],
    [end(host, hM, ifindexOf({}, hM)), end(ino.M, 'eth0', ifindexOf({ file: mountPoint }, 'eth0'))],
    [end(host, hF, ifindexOf({}, hF)), end(ino.F, 'eth0', eth0F)],
  ];
  return {
    A,
    B,
    hA,
    hP,
    hM,
    hF,
    pid: holder.pid,
    mountPoint,
    fd,
    ino,
    pairs,
    mine: new Set([ino.A, ino.B, ino.P, ino.M, ino.F]),
  };
}

const entryOf = (map: Topology, ino: number) => map.namespaces.find((ns) => ns.ino === ino);
const summary = (links: Link[]) => links.map(({ ifindex, name, kind, master }) => ({ ifindex, name, kind, master }));

describe('topology()', () => {
  it('maps every namespace (named, process, bind mount, fd) and every veth pair made, as ip sees them', async () => {
    const made = buildHost();
    warmThreadSwitch();
    const fdsBefore = openFds();
    const threadBefore = fs.readlinkSync('/proc/thread-self/ns/net');

    const map = await topology();

    // No fd left open, the thread not moved (also seen from outside).
    expect(openFds()).toEqual(fdsBefore);
    expect(fs.readlinkSync('/proc/thread-self/ns/net')).toBe(threadBefore);
    expect(readlinkNetns(process.pid)).toBe(threadBefore);
    expect(map.format).toBe(1);

    // Every pair made, each once, nothing else touching these namespaces.
    expect(mapKeys(map.vethPairs, made.mine)).toEqual(madeKeys(made.pairs));
    expect(map.unresolved.filter((u) => made.mine.has(inoOfId(u.end.ns)) || u.end.name.startsWith(runTag))).toEqual([]);

    expect(entryOf(map, made.ino.A)).toMatchObject({ names: [made.A], nsfs: [`/run/netns/${made.A}`], pids: [] });
    expect(entryOf(map, made.ino.P)).toMatchObject({ names: [], pids: [made.pid], command: 'sleep 600' });
    expect(entryOf(map, made.ino.M)).toMatchObject({ names: [], nsfs: [made.mountPoint], pids: [] });
    expect(entryOf(map, made.ino.F)).toMatchObject({
      names: [],
      nsfs: [],
      pids: [],
      heldBy: expect.arrayContaining([{ pid: process.pid, fd: made.fd, via: 'nsfs' }]),
    });
    expect(entryOf(map, made.ino.host)?.current).toBe(true);
    for (const ino of made.mine) expect(entryOf(map, ino)?.error).toBeUndefined();

    // Links and addresses of A and B: what ip shows there.
    for (const [name, ino] of [
      [made.A, made.ino.A],
      [made.B, made.ino.B],
    ] as const) {
      const ipLinks = ipJson<
        Array<{ ifindex: number; ifname: string; master?: string; linkinfo?: { info_kind: string } }>
      >(name, ['-d', 'link']);
      expect(summary(entryOf(map, ino)?.links ?? [])).toEqual(
        ipLinks.map((link) => ({
          ifindex: link.ifindex,
          name: link.ifname,
          kind: link.linkinfo?.info_kind ?? 'loopback',
          master: link.master,
        })),
      );
      const ipAddresses = ipJson<Array<{ ifname: string; addr_info: Array<{ local: string; prefixlen: number }> }>>(
        name,
        ['addr'],
      ).flatMap((link) => link.addr_info.map((info) => `${link.ifname} ${info.local}/${info.prefixlen}`));
      expect(
        (entryOf(map, ino)?.addresses ?? []).map((a) => `${a.name} ${a.address}/${a.prefixLength}`).sort(),
      ).toEqual(ipAddresses.sort());
    }
    const addressesOfA = entryOf(map, made.ino.A)?.addresses ?? [];
    expect(addressesOfA.map((a) => a.address)).toEqual(expect.arrayContaining(['10.61.0.2', 'fd61::2', '10.62.0.1']));
  });

  it('made from inside enterNetns, it reads from there and leaves the thread there', async () => {
    const made = buildHost();
    using a = NetNamespace.fromName(made.A);
    let pending: Promise<Topology> | undefined;
    // The kernel work is synchronous, so it happens inside; only the promise is awaited outside.
    enterNetns(a, () => {
      pending = topology({ namespaces: [made.A, 'net:[' + made.ino.host + ']'] });
      expect(fs.statSync('/proc/thread-self/ns/net').ino).toBe(made.ino.A);
    });
    expect(threadIno()).toBe(made.ino.host);
    const map = await (pending as Promise<Topology>);
    expect(entryOf(map, made.ino.A)?.current).toBe(true);
    expect(entryOf(map, made.ino.host)?.current).toBeUndefined();
    expect(mapKeys(map.vethPairs, new Set([made.ino.A]))).toEqual(madeKeys(made.pairs.slice(0, 3)));
  });

  it('without fd holders, the namespace held only by an fd is not found and its peer is unresolved, with why', async () => {
    const made = buildHost();
    const map = await topology({ fdHolders: false });
    expect(entryOf(map, made.ino.F)).toBeUndefined();
    const hF = made.pairs[5][0];
    expect(map.unresolved.find((u) => u.end.name === made.hF)).toMatchObject({
      end: { ns: `net:[${made.ino.host}]`, ifindex: hF.ifindex, name: made.hF },
      linkIndex: made.pairs[5][1].ifindex,
      code: 'peer-namespace-not-visible',
      reason: expect.stringContaining(`in net:[${made.ino.host}]`),
    });
    expect(mapKeys(map.vethPairs, made.mine)).toEqual(madeKeys(made.pairs.slice(0, 5)));
  });

  it('filters: only some namespaces (by name, pid, id, handle), only veths; an unknown id is reported, not thrown', async () => {
    const made = buildHost();
    using viaFd = NetNamespace.fromPath(`/proc/self/fd/${made.fd}`);
    warmThreadSwitch();
    const fdsBefore = openFds();
    const map = await topology({
      fdHolders: false,
      onlyVeths: true,
      namespaces: [made.A, { pid: made.pid }, `net:[${made.ino.M}]`, viaFd, 'net:[1]'],
    });
    expect(openFds()).toEqual(fdsBefore);
    expect(viaFd.closed).toBe(false); // a handle given is the caller's
    expect(map.namespaces.map((ns) => ns.ino)).toEqual([
      ...[made.ino.A, made.ino.P, made.ino.M, made.ino.F].sort((a, b) => a - b),
      1,
    ]);
    expect(map.namespaces.at(-1)).toMatchObject({ id: 'net:[1]', error: { code: 'ENOENT' }, links: [] });
    for (const ns of map.namespaces.slice(0, 4)) {
      expect(ns.links.length).toBeGreaterThan(0);
      expect(ns.links.every((link) => link.kind === 'veth')).toBe(true);
      const veths = new Set(ns.links.map((link) => link.ifindex));
      expect(ns.addresses.every((address) => veths.has(address.ifindex))).toBe(true);
    }
    expect(entryOf(map, made.ino.A)?.addresses.map((a) => a.address)).toEqual(expect.arrayContaining(['10.61.0.2']));
    // Peers outside the filter (the host, B) are found all the same.
    expect(mapKeys(map.vethPairs, made.mine)).toEqual(madeKeys(made.pairs));
    expect(map.unresolved).toEqual([]);
  });

  it('runs enrichment steps on the finished map; a failing one warns and the map still comes', async () => {
    const made = buildHost();
    const warnings: Error[] = [];
    const listener = (warning: Error) => warnings.push(warning);
    process.on('warning', listener);
    onCleanup(() => process.off('warning', listener));
    const map = await topology({
      namespaces: [made.A, made.B],
      enrich: [
        {
          name: 'count',
          enrich: (namespaces) => {
            for (const ns of namespaces) ns.extra = { names: ns.names.length };
          },
        },
        {
          name: 'container',
          enrich: async (namespaces) => {
            await new Promise((resolve) => setTimeout(resolve, 5));
            namespaces[0].container = { id: 'abc', name: 'web', runtime: 'test' };
          },
        },
        {
          name: 'broken',
          enrich: () => {
            throw new Error('daemon not running');
          },
        },
      ],
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(map.namespaces.map((ns) => ns.extra)).toEqual([{ names: 1 }, { names: 1 }]);
    expect(map.namespaces[0].container).toEqual({ id: 'abc', name: 'web', runtime: 'test' });
    const ours = warnings.filter((w) => (w as NodeJS.ErrnoException).code === 'NETNS_TOPOLOGY_ENRICH_FAILED');
    expect(ours.map((w) => [(w as NodeJS.ErrnoException).code, w.message])).toEqual([
      ['NETNS_TOPOLOGY_ENRICH_FAILED', "topology: enrichment step 'broken' failed: daemon not running"],
    ]);
    await expect(topology({ enrich: [{ name: 'x' }] as never })).rejects.toThrow(TypeError);
  });
});

describe('a namespace that ends between the listing and the reading', () => {
  it('is reported on its own, with the error that stopped it', () => {
    const made = buildHost();
    using host = new HostNamespaces();
    // What the listing said of P, read after P's only process is gone.
    const info = listNamespaces({ nsid: false }).find((ns) => ns.ino === made.ino.P);
    expect(info?.pids).toEqual([made.pid]);
    process.kill(made.pid, 'SIGKILL');
    // Dead: a zombie (not reaped yet while this test runs) or gone.
    const dead = () =>
      !fs.existsSync(`/proc/${made.pid}`) ||
      fs.readFileSync(`/proc/${made.pid}/stat`, 'utf8').split(') ')[1]?.[0] === 'Z';
    for (let i = 0; i < 200 && !dead(); i++) run('sleep', ['0.01']);
    expect(dead()).toBe(true);
    const entry = describeNamespace(host.add(info as NamespaceInfo), false);
    expect(entry).toMatchObject({ id: `net:[${made.ino.P}]`, links: [], addresses: [], error: { code: 'ESRCH' } });
    // The pair it was in now reads as unresolved from the host's side, or is gone with it.
    host.add(listNamespaces({ nsid: false }).find((ns) => ns.ino === made.ino.host) as NamespaceInfo);
    host.mapped = [made.ino.host, made.ino.P];
    const { vethPairs } = new VethResolver(host).pairAll();
    expect(vethPairs.some(({ a, b }) => a.name === made.hP || b.name === made.hP)).toBe(false);
  });
});

describe('the nsid questions that confirm each veth pair', () => {
  it("are asked together over the calling thread's socket, and answer what ip shows at each end", () => {
    const made = buildHost();
    const listed = listNamespaces({ nsid: false });
    using host = new HostNamespaces();
    const { host: here, A, B, P } = made.ino;
    for (const ino of [here, A, B, P]) {
      host.add(listed.find((ns) => ns.ino === ino) as NamespaceInfo).handle.get(); // opened before the trace
    }
    const questions = [
      [here, A],
      [A, here],
      [here, P],
      [P, here],
      [A, B],
      [B, A],
    ] as const;
    const sends: number[] = [];
    const trace = () => traceExchanges((event, requests) => event === 'send' && sends.push(requests));
    trace();
    try {
      runAtOnce(host.expectNsidQuestions(questions));
    } finally {
      traceExchanges(undefined);
    }
    // The host's own table in one datagram, the others' (through the nsids the host gave them) in another.
    expect(sends).toHaveLength(2);
    expect(sends.every((requests) => requests > 1)).toBe(true);

    // What each end says of its peer's namespace, as ip reads it there.
    const netnsidOf = (where: string[], ifname: string) =>
      JSON.parse(run(where[0], [...where.slice(1), '-j', 'link', 'show', ifname]))[0].link_netnsid as number;
    const expected = [
      netnsidOf(['ip'], made.hA),
      netnsidOf(['ip', '-n', made.A], 'eth0'),
      netnsidOf(['ip'], made.hP),
      netnsidOf(['nsenter', '-t', String(made.pid), '-n', 'ip'], 'eth0'),
      netnsidOf(['ip', '-n', made.A], 'va'),
      netnsidOf(['ip', '-n', made.B], 'vb'),
    ];
    // Answered from what was asked together: no exchange of its own, except B's
    // table when the host gave B no nsid to reach it through (then B's own socket).
    sends.length = 0;
    trace();
    try {
      expect(questions.map(([observer, target]) => host.nsid(observer, target))).toEqual(expected);
    } finally {
      traceExchanges(undefined);
    }
    expect(sends.length).toBeLessThanOrEqual(1);
  });
});

describe('findPeer()', () => {
  it('finds the other end both ways, for every kind of holder, and leaves nothing open', () => {
    const made = buildHost();
    const [hostA, aHost] = made.pairs[0];
    warmThreadSwitch();
    const fdsBefore = openFds();
    const threadBefore = fs.readlinkSync('/proc/thread-self/ns/net');
    const hostId = `net:[${made.ino.host}]`;

    const fromA = findPeer(made.A, 'eth0');
    expect(fromA).toEqual({
      ns: hostId,
      ifindex: hostA.ifindex,
      name: made.hA,
      namespace: { id: hostId, ino: made.ino.host, names: [], pids: expect.arrayContaining([process.pid]) },
    });
    expect(findPeer({ pid: process.pid }, made.hA)).toEqual({
      ns: `net:[${made.ino.A}]`,
      ifindex: aHost.ifindex,
      name: 'eth0',
      namespace: { id: `net:[${made.ino.A}]`, ino: made.ino.A, names: [made.A], pids: [] },
    });
    expect(findPeer(made.A, 'va')).toMatchObject({
      namespace: { names: [made.B] },
      name: 'vb',
      ifindex: made.pairs[1][1].ifindex,
    });
    expect(findPeer(made.B, 'vb')).toMatchObject({
      namespace: { names: [made.A] },
      name: 'va',
      ifindex: made.pairs[1][0].ifindex,
    });
    expect(findPeer(`/run/netns/${made.A}`, 'p1')).toMatchObject({ namespace: { ino: made.ino.A }, name: 'p1x' });
    expect(findPeer({ pid: made.pid }, 'eth0')).toMatchObject({ namespace: { ino: made.ino.host }, name: made.hP });
    using host = NetNamespace.current();
    expect(findPeer(host, made.hP)).toMatchObject({ namespace: { ino: made.ino.P, pids: [made.pid] }, name: 'eth0' });
    expect(findPeer(host, made.hM)).toMatchObject({ namespace: { ino: made.ino.M, names: [] }, name: 'eth0' });
    // Held only by our fd: found in the second, fd-holder listing.
    expect(findPeer(host, made.hF)).toEqual({
      ns: `net:[${made.ino.F}]`,
      ifindex: made.pairs[5][1].ifindex,
      name: 'eth0',
      namespace: { id: `net:[${made.ino.F}]`, ino: made.ino.F, names: [], pids: [] },
    });
    expect(findPeer(made.mountPoint, 'eth0')).toMatchObject({ name: made.hM });

    expect(() => findPeer(made.A, 'br0')).toThrow(
      expect.objectContaining({ code: 'EINVAL', message: expect.stringContaining('br0 in net:[') }),
    );
    expect(() => findPeer(made.A, 'nosuch0')).toThrow(expect.objectContaining({ code: 'ENODEV' }));
    expect(() => findPeer(made.A, 'bad/name')).toThrow(TypeError);
    expect(() => findPeer(`${runTag}none`, 'eth0')).toThrow(expect.objectContaining({ code: 'ENOENT' }));

    host.close();
    expect(openFds()).toEqual(fdsBefore);
    expect(fs.readlinkSync('/proc/thread-self/ns/net')).toBe(threadBefore);
  });

  it('says why a peer cannot be found', () => {
    const made = buildHost();
    // A namespace held by nothing this process can find: a process in another
    // mount namespace whose only hold is a bind mount there.
    const hidden = `${runTag}hid`;
    onCleanup(() => fs.rmSync(`/tmp/${hidden}`, { recursive: true, force: true }));
    const holder = spawn(
      'unshare',
      [
        '--mount',
        '--propagation',
        'private',
        'sh',
        '-c',
        `mkdir -p /tmp/${hidden} && mount -t tmpfs none /tmp/${hidden} && touch /tmp/${hidden}/ns && ` +
          `mount --bind /run/netns/${made.B} /tmp/${hidden}/ns && echo ready && exec sleep 600`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    onCleanup(() => holder.kill('SIGKILL'));
    return new Promise<void>((resolve, reject) => {
      holder.once('exit', (code) => reject(new Error(`the holder of the hidden mount exited (${code})`)));
      holder.stdout.once('data', () => {
        try {
          run('ip', ['netns', 'delete', made.B]);
          expect(() => findPeer(made.A, 'va')).toThrow(
            expect.objectContaining({
              code: 'ENODEV',
              message: expect.stringMatching(
                /the peer of va .* was not found: no namespace found on this host has nsid \d+/,
              ),
            }),
          );
          resolve();
        } catch (error) {
          reject(error);
        }
      });
    });
  });
});

describe('the examples, against a stand-in container', () => {
  it('find-veth-peer.mjs answers in one line; map-interfaces.mjs shows the pair in its table', () => {
    const container = startNetnsProcess();
    const hostEnd = `${runTag}hX`;
    run('ip', ['link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', String(container.pid)]);
    deleteHostLinkAfter(hostEnd);
    const ifindex = ifindexOf({}, hostEnd);
    const example = (name: string, ...args: string[]) =>
      run(process.execPath, [path.join(__dirname, '..', 'examples', name), ...args]);
    expect(example('find-veth-peer.mjs', String(container.pid), 'eth0')).toBe(
      `eth0 of pid ${container.pid} <-> ${hostEnd} (ifindex ${ifindex}) in net:[${threadIno()}], the host's namespace`,
    );
    const table = example('map-interfaces.mjs', '--veths').split('\n');
    expect(table[0]).toMatch(/^NAMESPACE +IF +NAME +KIND +STATE +MTU +MASTER +ADDRESSES +PEER$/);
    expect(table.find((row) => row.includes(` ${hostEnd} `))).toMatch(
      new RegExp(`^host \\* +${ifindex} +${hostEnd} +veth .* eth0@pid ${container.pid} sleep$`),
    );
    expect(table.find((row) => row.startsWith(`pid ${container.pid} sleep`))).toMatch(new RegExp(`${hostEnd}@host$`));
  });
});

describe('a namespace with 300 links', () => {
  function buildBig(): string {
    const big = addNamedNetns(`${runTag}big`);
    ipBatch(
      big,
      Array.from({ length: 150 }, (_, i) => `link add a${i} type veth peer name b${i}`),
    );
    return big;
  }

  it('is read in a multipart dump, field by field as ip shows it, with all 150 pairs', async () => {
    const big = buildBig();
    using ns = NetNamespace.fromName(big);
    using socket = RtnlSocket.inside(ns);
    const dump = socket.dump({ what: 'RTM_GETLINK' }, (seq) => linkDumpRequest(seq));
    // The premise: more than one datagram, more than one 32 KiB read could hold.
    expect(dump.datagrams).toBeGreaterThan(1);
    expect(dump.messages.reduce((total, message) => total + message.length, 0)).toBeGreaterThan(32 * 1024);
    expect(parseLinkDump(dump.messages)).toHaveLength(301);

    const links = expectLinksAsIp(ns, big);
    expect(links).toHaveLength(301);
    const map = await topology({ namespaces: [big], fdHolders: false });
    const ino = ns.ino;
    const index = new Map(links.map((link) => [link.name, link.ifindex]));
    const made = Array.from({ length: 150 }, (_, i): [EndMade, EndMade] => [
      { ino, name: `a${i}`, ifindex: index.get(`a${i}`) as number },
      { ino, name: `b${i}`, ifindex: index.get(`b${i}`) as number },
    ]);
    expect(mapKeys(map.vethPairs, new Set([ino]))).toEqual(madeKeys(made));
    expect(map.unresolved).toEqual([]);
  });

  it('is read in steps that yield between datagrams (the map reads it so too); a change made at a yield is seen and the dump asked again', () => {
    const big = buildBig();
    using ns = NetNamespace.fromName(big);
    using socket = RtnlSocket.inside(ns);
    const linkDump = () => socket.dumpSteps({ what: 'RTM_GETLINK' }, (seq) => linkDumpRequest(seq));
    /** What happened, in order: each send and recv on the socket, and each yield of the steps. */
    const events: string[] = [];
    traceExchanges((event) => events.push(event));
    onCleanup(() => traceExchanges(undefined));
    /** Runs steps to their end: what they return, and how many times they yielded. */
    const finish = <T>(steps: Generator<void, T, void>) => {
      let yields = 0;
      for (;;) {
        const step = steps.next();
        if (step.done) return { result: step.value, yields };
        events.push('yield');
        yields++;
      }
    };

    // A yield after every datagram but the last.
    const whole = finish(linkDump());
    expect(whole.result.datagrams).toBeGreaterThan(1); // the premise: a multipart dump
    expect(whole.result.attempts).toBe(1);
    expect(whole.yields).toBe(whole.result.datagrams - 1);
    expect(events).toEqual([
      'send',
      ...Array(whole.result.datagrams - 1)
        .fill(['recv', 'yield'])
        .flat(),
      'recv',
    ]);

    // A link made while the steps wait after the first datagram: the kernel
    // flags the next part (NLM_F_DUMP_INTR), and the dump is asked again after a yield.
    events.length = 0;
    const raced = linkDump();
    expect(raced.next().done).toBe(false);
    events.push('yield');
    run('ip', ['-n', big, 'link', 'add', 'late0', 'type', 'veth', 'peer', 'name', 'late1']);
    const retried = finish(raced);
    expect(retried.result.attempts).toBe(2); // the premise: the change interrupted the first asking
    expect(retried.result.interrupted).toBe(false);
    // The first asking read to its end, a yield, then the second asking, which yields as the first did.
    const second = events.lastIndexOf('send');
    expect(events.filter((event) => event === 'send')).toHaveLength(2);
    expect(events.slice(second - 2, second)).toEqual(['recv', 'yield']);
    expect(events.slice(second)).toEqual([
      'send',
      ...Array(retried.result.datagrams - 1)
        .fill(['recv', 'yield'])
        .flat(),
      'recv',
    ]);
    const names = parseLinkDump(retried.result.messages).map((link) => link.name);
    expect(names).toHaveLength(303);
    expect(names).toEqual(expect.arrayContaining(['late0', 'late1']));

    // The map reads it so: its pass over the links yields between the datagrams too.
    using host = new HostNamespaces();
    const info = listNamespaces({ nsid: false }).find((listed) => listed.ino === ns.ino) as NamespaceInfo;
    const source = host.add(info);
    source.socket.get();
    events.length = 0;
    const mapped = finish(source.readSteps('links'));
    expect(events.filter((event) => event === 'send')).toHaveLength(1);
    expect(mapped.yields).toBe(events.filter((event) => event === 'recv').length - 1);
    expect(mapped.yields).toBeGreaterThan(0);
    expect(source.links.get()).toHaveLength(303);

    // Steps abandoned after the first datagram read the rest and drop it: the
    // socket answers the next dump whole (the kernel refuses a dump while one runs).
    const abandoned = linkDump();
    expect(abandoned.next().done).toBe(false);
    abandoned.return(undefined as never);
    expect(parseLinkDump(socket.dump({ what: 'RTM_GETLINK' }, (seq) => linkDumpRequest(seq)).messages)).toHaveLength(
      303,
    );
  });

  it('stays consistent while a loop adds and deletes links in it, and the race is shown to have happened', async () => {
    const big = buildBig();
    using ns = NetNamespace.fromName(big);
    const stable = ns.links();
    expect(stable).toHaveLength(301);
    // Two churned pairs, each deleted and made again in turn: there is nearly
    // always one to see, and never for long with the same ifindex.
    const churnLines =
      'echo "link add c0 type veth peer name c1"; echo "link add c2 type veth peer name c3"; ' +
      'while :; do echo "link del c0"; echo "link add c0 type veth peer name c1"; ' +
      'echo "link del c2"; echo "link add c2 type veth peer name c3"; done';
    const churn = spawn('sh', ['-c', `(${churnLines}) | ip -n ${big} -force -batch - 2>/dev/null`], {
      stdio: 'ignore',
      detached: true,
    });
    onCleanup(() => {
      try {
        process.kill(-(churn.pid as number), 'SIGKILL'); // the shell and ip, its process group
      } catch {
        // Already gone.
      }
    });

    // Consistent: each link once (no repeated ifindex or name), every link
    // that stayed the whole time there with its ifindex and its peer, and
    // nothing else but the links the loop makes.
    const expectConsistent = (links: readonly Link[]) => {
      expect(new Set(links.map((link) => link.ifindex)).size).toBe(links.length);
      expect(new Set(links.map((link) => link.name)).size).toBe(links.length);
      const byName = new Map(links.map((link) => [link.name, link]));
      for (const link of stable) {
        const seen = byName.get(link.name);
        expect([seen?.ifindex, seen?.linkIndex]).toEqual([link.ifindex, link.linkIndex]);
      }
      expect(
        links.filter((link) => !stable.some((s) => s.name === link.name)).every((link) => /^c[0-3]$/.test(link.name)),
      ).toBe(true);
    };

    using socket = RtnlSocket.inside(ns);
    let dumps = 0;
    let retried = 0;
    const churnSeen = new Set<string>();
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && (dumps < 50 || retried < 3 || churnSeen.size < 3)) {
      const dump = socket.dump({ what: 'RTM_GETLINK' }, (seq) => linkDumpRequest(seq));
      dumps++;
      // A retry means the kernel flagged the dump NLM_F_DUMP_INTR: it raced a change.
      if (dump.attempts > 1) retried++;
      const links = parseLinkDump(dump.messages);
      churnSeen.add(
        links
          .filter((link) => /^c[0-3]$/.test(link.name))
          .map((link) => `${link.name}:${link.ifindex}`)
          .sort()
          .join(' '),
      );
      expectConsistent(links);
    }
    // The premise: dumps raced changes, and the dumps saw the churned links change.
    expect(retried).toBeGreaterThanOrEqual(3);
    expect(churnSeen.size).toBeGreaterThanOrEqual(3);

    // The public calls, under the same churn.
    for (let i = 0; i < 20; i++) expectConsistent(ns.links());
    const map = await topology({ namespaces: [big], fdHolders: false });
    const pairs = map.vethPairs.map(({ a, b }) => [a.name, b.name].sort().join('-'));
    for (let i = 0; i < 150; i++) expect(pairs).toContain([`a${i}`, `b${i}`].sort().join('-'));
    expect(pairs.every((pair) => /^(a(\d+)-b\2|c0-c1|c2-c3)$/.test(pair))).toBe(true);
    expect(map.unresolved.every((end) => /^c[0-3]$/.test(end.end.name))).toBe(true);
  });
});

describe('a map made by a user who can read almost nothing', () => {
  it('reports EPERM per namespace and maps what it can, without crashing', () => {
    const made = buildHost();
    const dir = unprivilegedCopy(); // nobody may not be able to enter the clone's directory
    const script = `const lib = require('./dist/index.js');
      lib.topology().then((map) => console.log(JSON.stringify(map)), (error) => { console.error(error); process.exit(3); });`;
    const result = runNode(script, { uid: 65534, cwd: dir });
    expect(result.status, result.stderr).toBe(0);
    const map = JSON.parse(result.stdout) as Topology;
    const named = map.namespaces.filter((ns) => ns.names.includes(made.A) || ns.names.includes(made.B));
    expect(named).toHaveLength(2);
    for (const ns of named) expect(ns).toMatchObject({ links: [], addresses: [], error: { code: 'EPERM' } });
    // Its own namespace needs no switch, so it is read.
    const own = map.namespaces.find((ns) => ns.current);
    expect(own?.error).toBeUndefined();
    expect(own?.links.some((link) => link.name === made.hA)).toBe(true);
    expect(map.namespaces.filter((ns) => ns.error).length).toBeGreaterThanOrEqual(map.namespaces.length - 1);
    expect(map.unresolved.find((end) => end.end.name === made.hA)).toMatchObject({
      code: 'peer-namespace-unreadable',
      reason: expect.stringContaining('EPERM'),
    });
  });
});

afterAll(() => {
  // Nothing left behind by this file, also when a test failed: links of
  // ours in the host (namespaces die asynchronously: give them a moment),
  // names, mounts.
  const ours = () => fs.readdirSync('/sys/class/net').filter((name) => name.startsWith(runTag));
  for (let i = 0; i < 50 && ours().length > 0; i++) run('sleep', ['0.1']);
  expect(ours()).toEqual([]);
  expect(fs.existsSync('/run/netns') ? fs.readdirSync('/run/netns').filter((n) => n.startsWith(runTag)) : []).toEqual(
    [],
  );
  expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain('nn-topology-');
});
