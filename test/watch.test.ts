// watch() against the real kernel: changes are made with `ip` (never with the
// library) and the events and the watch's model are checked against them
// and against `ip -j`. Each watch runs with a fresh namespace as observer
// (made current for the call), so the nsids it assigns land in that
// namespace's table and not in the host's, where other tests look.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NetNamespace, type WatchEvent, type WatchItem, type WatchOptions, type Watcher, watch } from '../lib/index';
import { distEntry, killAndReap, newFds, onCleanup, run, watchLikeFds } from './helpers';
import { addNamedNetns, ipBatch, ipJson, runTag } from './net-helpers';

const name = (suffix: string) => `live-${runTag}-${suffix}`;

/** The inode of a named namespace, read by stat as ip would see the file. */
const inoOf = (ns: string) => fs.statSync(`/run/netns/${ns}`).ino;

/** A watch started with `observer` as the calling thread's namespace; closed after the test. */
function watchFrom(observer: string, options: WatchOptions): Watcher {
  using handle = NetNamespace.fromName(observer);
  const watcher = handle.enter(() => watch(options));
  onCleanup(() => void watcher.close());
  return watcher;
}

/** Records every event; `until` resolves with the first recorded one (past or future) that matches. */
function recorder(watcher: Watcher) {
  const events: WatchEvent[] = [];
  const waiting: Array<{ match: (e: WatchEvent) => boolean; resolve: (e: WatchEvent) => void }> = [];
  watcher.on('event', (event: WatchEvent) => {
    events.push(event);
    for (const waiter of [...waiting]) {
      if (waiter.match(event)) {
        waiting.splice(waiting.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    }
  });
  const until = (match: (e: WatchEvent) => boolean, what: string, ms = 10_000): Promise<WatchEvent> => {
    const seen = events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no event: ${what} within ${ms} ms`)), ms);
      waiting.push({
        match,
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event);
        },
      });
    });
  };
  return { events, until };
}

const isLink = (e: WatchEvent, ino: number, action: WatchEvent['action'], ifname: string) =>
  e.kind === 'link' && e.netns.ino === ino && e.action === action && e.link?.name === ifname;

describe('watch: links moving between watched namespaces', () => {
  it('reports move in the first, then add in the second, in the kernel order, with identities', async () => {
    const observer = addNamedNetns(name('obs-m'));
    const a = addNamedNetns(name('a-m'));
    const b = addNamedNetns(name('b-m'));
    const watcher = watchFrom(observer, { namespaces: [a, b], kinds: ['link', 'namespace'], listExisting: true });
    const { events, until } = recorder(watcher);
    await watcher.ready;
    const listed = events.filter((e) => e.action === 'exists' && e.kind === 'namespace').map((e) => e.netns.ino);
    expect(listed.sort()).toEqual([inoOf(a), inoOf(b)].sort());
    run('ip', ['-n', a, 'link', 'add', 'mv0', 'type', 'veth', 'peer', 'name', 'mv1']);
    run('ip', ['-n', a, 'link', 'set', 'mv0', 'netns', b]);
    const added = await until((e) => isLink(e, inoOf(b), 'add', 'mv0'), 'mv0 added in b');
    const moved = events.find((e) => isLink(e, inoOf(a), 'move', 'mv0'));
    expect(moved).toBeDefined();
    // The kernel's order: it left a before it arrived in b.
    expect(events.indexOf(moved!)).toBeLessThan(events.indexOf(added));
    const inB = ipJson<Array<{ ifindex: number; ifname: string }>>(b, ['link', 'show', 'mv0'])[0]!;
    expect(added.link?.ifindex).toBe(inB.ifindex);
    expect(moved!.to?.ifindex).toBe(inB.ifindex);
    // `to.nsid` is a's number for b, as a's own table says.
    const aTable = ipJson<Array<{ nsid: number; name?: string }>>(a, ['netns', 'list-id']);
    expect(aTable.find((entry) => entry.name === b)?.nsid).toBe(moved!.to?.nsid);
    expect(added.netns).toEqual({ ino: inoOf(b), name: b, nsid: expect.any(Number) });
  });
});

describe("watch({ namespaces: 'all' })", () => {
  it('follows a namespace added by name after it started, within a second, with its links', async () => {
    const observer = addNamedNetns(name('obs-n'));
    const watcher = watchFrom(observer, { namespaces: 'all', kinds: ['link', 'namespace'], rescanInterval: 0 });
    const { until } = recorder(watcher);
    await watcher.ready;
    const late = name('late-n');
    addNamedNetns(late);
    const ino = inoOf(late);
    // rescanInterval 0: only the run-dir watch can have found it.
    const found = await until((e) => e.kind === 'namespace' && e.netns.ino === ino, 'the new namespace', 1000);
    expect(found.action).toBe('add');
    expect(found.netns.name).toBe(late);
    await until((e) => isLink(e, ino, 'exists', 'lo'), 'its lo');
    run('ip', ['-n', late, 'link', 'add', 'late0', 'type', 'bridge']);
    await until((e) => isLink(e, ino, 'add', 'late0'), 'a link added in it');
  });

  it('follows an unnamed namespace held by a process, found by the rescan', async () => {
    const observer = addNamedNetns(name('obs-u'));
    const watcher = watchFrom(observer, { namespaces: 'all', kinds: ['link', 'namespace'], rescanInterval: 200 });
    const { until } = recorder(watcher);
    await watcher.ready;
    const child: ChildProcess = spawn('unshare', ['--net', 'sh', '-c', 'ip link add un0 type bridge; exec sleep 600'], {
      stdio: 'ignore',
    });
    onCleanup(() => killAndReap(child));
    // Premise: the process is in its own namespace with un0 in it.
    let ino = 0;
    for (let i = 0; i < 200 && ino === 0; i++) {
      try {
        const links = run('nsenter', ['-t', String(child.pid), '-n', 'ip', '-j', 'link']);
        if (links.includes('"un0"')) ino = fs.statSync(`/proc/${child.pid}/ns/net`).ino;
      } catch {
        // not there yet
      }
      if (ino === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(ino).not.toBe(0);
    const found = await until((e) => e.kind === 'namespace' && e.netns.ino === ino, 'the unnamed namespace', 1000);
    expect(found.netns.name).toBeUndefined();
    await until((e) => e.kind === 'link' && e.netns.ino === ino && e.link?.name === 'un0', 'its un0');
  });

  it('reports deletes for the links and addresses of a namespace that died', async () => {
    const observer = addNamedNetns(name('obs-d'));
    const doomed = addNamedNetns(name('doomed'));
    ipBatch(doomed, ['link add d0 type bridge', 'link set d0 up', 'addr add 10.77.0.1/24 dev d0']);
    const ino = inoOf(doomed);
    const watcher = watchFrom(observer, { namespaces: 'all', kinds: ['link', 'address', 'namespace'] });
    const { until, events } = recorder(watcher);
    await watcher.ready;
    run('ip', ['netns', 'delete', doomed]);
    await until((e) => e.kind === 'namespace' && e.action === 'delete' && e.netns.ino === ino, 'its death');
    const deleted = events.filter((e) => e.netns.ino === ino && e.action === 'delete');
    expect(deleted.some((e) => e.kind === 'link' && e.link?.name === 'd0')).toBe(true);
    expect(deleted.some((e) => e.kind === 'link' && e.link?.name === 'lo')).toBe(true);
    expect(deleted.some((e) => e.kind === 'address' && e.address?.address === '10.77.0.1')).toBe(true);
    expect(watcher.snapshot().some((entry) => entry.netns.ino === ino)).toBe(false);
  });
});

describe('watch: overruns', () => {
  it('reports an overrun from a tiny buffer and a stopped reader, resyncs, and then equals ip -j', async () => {
    const observer = addNamedNetns(name('obs-o'));
    const ns = addNamedNetns(name('ovr'));
    const watcher = watchFrom(observer, { namespaces: [ns], kinds: ['link', 'address'], receiveBufferSize: 4096 });
    const resyncs: unknown[] = [];
    watcher.on('resync', (info) => resyncs.push(info));
    const synced = new Promise((resolve) => watcher.once('synced', resolve));
    await watcher.ready;
    // The event loop is blocked while ip runs: nothing reads the socket.
    const lines: string[] = [];
    for (let i = 0; i < 150; i++) lines.push(`link add ov${i} type bridge`, `addr add 10.78.${i}.1/24 dev ov${i}`);
    for (let i = 0; i < 150; i += 3) lines.push(`link del ov${i}`);
    ipBatch(ns, lines);
    await synced;
    expect(watcher.stats.receiveBufferSize).toBe(8192); // the kernel doubles what is asked
    expect(watcher.stats.overruns).toBeGreaterThan(0); // the premise
    expect(watcher.stats.resyncs).toBeGreaterThan(0);
    expect(resyncs[0]).toEqual({ reason: 'overrun' });
    const model = watcher.snapshot().find((entry) => entry.netns.ino === inoOf(ns))!;
    const ipLinks = ipJson<Array<{ ifindex: number; ifname: string; mtu: number; operstate: string }>>(ns, ['link']);
    expect(model.links.map((l) => [l.ifindex, l.name, l.mtu, l.operstate]).sort()).toEqual(
      ipLinks.map((l) => [l.ifindex, l.ifname, l.mtu, l.operstate]).sort(),
    );
    const ipAddresses = ipJson<Array<{ ifindex: number; addr_info: Array<{ local: string; prefixlen: number }> }>>(ns, [
      'addr',
    ]).flatMap((link) => link.addr_info.map((info) => `${link.ifindex} ${info.local}/${info.prefixlen}`));
    expect(model.addresses.map((a) => `${a.ifindex} ${a.address}/${a.prefixLength}`).sort()).toEqual(
      ipAddresses.sort(),
    );
    expect(model.links.length).toBe(101); // lo and the 100 that stayed
  });

  it('resyncs a reader that falls maxQueue behind in iteration', async () => {
    const observer = addNamedNetns(name('obs-q'));
    const ns = addNamedNetns(name('q'));
    const watcher = watchFrom(observer, { namespaces: [ns], kinds: ['link'], maxQueue: 5 });
    const iterator = watcher[Symbol.asyncIterator]();
    await watcher.ready;
    ipBatch(
      ns,
      Array.from({ length: 20 }, (_, i) => `link add qq${i} type bridge`),
    );
    const items: WatchItem[] = [];
    for (;;) {
      const { value } = await iterator.next();
      items.push(value as WatchItem);
      if (value?.kind === 'synced') break;
    }
    expect(items.some((item) => item.kind === 'resync' && item.reason === 'overflow')).toBe(true);
    const relisted = items.filter((item): item is WatchEvent => 'action' in item && item.action === 'exists');
    expect(relisted.map((e) => e.link?.name).sort()).toEqual(
      ['lo', ...Array.from({ length: 20 }, (_, i) => `qq${i}`)].sort(),
    );
    expect(watcher.stats.overruns).toBeGreaterThan(0);
  });
});

describe('watch: lifetime', () => {
  it('close() and abort leave no fd behind; iteration ends', async () => {
    const observer = addNamedNetns(name('obs-c'));
    const ns = addNamedNetns(name('c'));
    const before = watchLikeFds();
    const first = watchFrom(observer, { namespaces: [ns] });
    await first.ready;
    expect(newFds(before).length).toBeGreaterThan(0); // premise: it holds fds
    const iterator = first[Symbol.asyncIterator]();
    const ending = iterator.next();
    await first.close();
    expect(await ending).toEqual({ value: undefined, done: true });
    expect(newFds(before)).toEqual([]);

    const controller = new AbortController();
    const second = watchFrom(observer, { namespaces: 'all', signal: controller.signal });
    await second.ready;
    expect(newFds(before).length).toBeGreaterThan(0);
    const closed = new Promise((resolve) => second.once('close', resolve));
    controller.abort();
    await closed;
    expect(second.closed).toBe(true);
    expect(newFds(before)).toEqual([]);
  });

  it('a worker terminated while watching leaves no fd behind', async () => {
    const observer = addNamedNetns(name('obs-w'));
    const before = watchLikeFds();
    // The worker watches from the observer, and terminate() comes without close().
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       const { NetNamespace, watch } = require(${JSON.stringify(distEntry)});
       const observer = NetNamespace.fromName(${JSON.stringify(observer)});
       const watcher = observer.enter(() => watch({ namespaces: 'all', listExisting: true }));
       observer.close();
       watcher.ready.then(() => parentPort.postMessage(watcher.stats.events));`,
      { eval: true },
    );
    onCleanup(() => void worker.terminate());
    const [events] = await once(worker, 'message');
    expect(events).toBeGreaterThan(0); // premise: it was watching
    expect(newFds(before).length).toBeGreaterThan(0);
    await worker.terminate();
    expect(newFds(before)).toEqual([]);
  });

  it('await using closes it', async () => {
    const observer = addNamedNetns(name('obs-u2'));
    const before = watchLikeFds();
    {
      await using watcher = watchFrom(observer, {});
      await watcher.ready;
      expect(newFds(before).length).toBeGreaterThan(0);
    }
    expect(newFds(before)).toEqual([]);
  });

  it('refuses bad options before opening anything', () => {
    const before = watchLikeFds();
    expect(() => watch({ namespaces: 'some' as never })).toThrow(TypeError);
    expect(() => watch({ namespaces: [42 as never] })).toThrow(TypeError);
    expect(() => watch({ kinds: ['links' as never] })).toThrow(TypeError);
    expect(() => watch({ receiveBufferSize: 0 })).toThrow(RangeError);
    expect(() => watch({ signal: {} as never })).toThrow(TypeError);
    expect(() => watch({ namespaces: [name('no-such')] })).toThrow(/ENOENT/);
    expect(newFds(before)).toEqual([]);
  });
});
