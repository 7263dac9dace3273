// The live page's server against the real kernel: a lab of named namespaces
// and a veth pair made for each test (unique names), a real server on
// 127.0.0.1 port 0, and plain HTTP clients. Changes are made with the
// library; what the server says is cross-checked with `ip -j` and with the
// `graph -J` command the JSON is meant to equal.
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { NetNamespace, type Topology, createVeth, waitForAddress, waitForLink } from '../lib/index';
import { distEntry, finished, onCleanup, repoRoot, run, tryRun } from './helpers';
import { ipBatch, ipJson, runTag } from './net-helpers';
import { SseReader, parseXml, request, startServer, createNamedForTest } from './serve-helpers';

const name = (suffix: string) => `serve-${runTag}-${suffix}`;
const HOSTILE = 'a"<b>';

/** Two named namespaces and a veth pair between them (eth0 in each), removed after the test. */
async function lab(tag: string) {
  const names = [name(`${tag}a`), name(`${tag}b`)];
  const [a, b] = createNamedForTest(names);
  createVeth({ name: 'eth0', ns: a }, { name: 'eth0', ns: b });
  a.setLink('eth0', { up: true });
  b.setLink('eth0', { up: true });
  // Settled before any server reads it: carrier on both ends.
  for (const ns of [a, b]) {
    await waitForLink(ns, 'eth0', { state: 'carrier', timeout: 5000 });
    await waitForAddress(ns, { ifname: 'eth0', settled: true, timeout: 5000 });
  }
  const idOf = (n: string) => `net:[${fs.statSync(`/run/netns/${n}`).ino}]`;
  return { a, b, names, ids: names.map(idOf) };
}

const nsNamed = (map: Topology, n: string) => map.namespaces.find((ns) => ns.names.includes(n));
const linkIn = (map: Topology, n: string, ifname: string) => nsNamed(map, n)?.links.find((l) => l.name === ifname);

describe('serveTopology', () => {
  it('serves the page, and the model with a generation that shows the lab as graph -J and ip do', async () => {
    const { names, ids } = await lab('p');
    const { base, server } = await startServer();

    const page = await request(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toMatch(/^default-src 'self';/);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    // Only our own files, and nothing inline for the CSP to have to allow.
    expect(page.body).toContain('<script src="/app.js" defer></script>');
    expect(page.body).not.toMatch(/<script>|<style>|https?:\/\//);
    const script = await request(`${base}/app.js`);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.body).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    expect(script.body).toContain("parseFromString(text, 'image/svg+xml')");

    const reply = await request(`${base}/topology.json`);
    expect(reply.status).toBe(200);
    const model = JSON.parse(reply.body) as Topology & { generation: number };
    expect(model.generation).toBe(server.handler.stats.generation);
    expect(Number(reply.headers['x-generation'])).toBe(model.generation);
    expect(model.format).toBe(1);
    // The veth pair, named by both ends, with the ifindexes ip shows.
    for (const [i, n] of names.entries()) {
      const [ip] = ipJson<Array<{ ifindex: number }>>(n, ['link', 'show', 'eth0']);
      expect(linkIn(model, n, 'eth0')).toMatchObject({ ifindex: ip.ifindex, kind: 'veth', up: true });
      expect(nsNamed(model, n)?.id).toBe(ids[i]);
    }
    const pair = model.vethPairs.find((p) => ids.includes(p.a.ns) && ids.includes(p.b.ns));
    expect(pair).toBeDefined();
    expect([pair!.a.ns, pair!.b.ns].sort()).toEqual([...ids].sort());

    // The same model as the command line's graph -J, for the lab's namespaces (the host's own change
    // meanwhile): the live model converges to it (operstate can lag the carrier by a moment).
    const cli = JSON.parse(
      run(process.execPath, [distEntry.replace(/index\.js$/, 'cli/main.js'), 'graph', '-J', ...names]),
    ) as Topology;
    const events = new SseReader(`${base}/events`);
    const same = await events.model(
      (t) => names.every((n) => isDeepStrictEqual(nsNamed(t, n), nsNamed(cli, n))),
      'the lab as graph -J shows it',
    );
    const again = JSON.parse((await request(`${base}/topology.json`)).body) as Topology & { generation: number };
    expect(again.generation).toBeGreaterThanOrEqual(same.generation);
    for (const n of names) expect(nsNamed(again, n)).toEqual(nsNamed(cli, n));

    const svg = await request(`${base}/graph.svg`);
    expect(svg.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    const drawn = [...parseXml(svg.body).getElementsByTagName('text')].map((t) => t.textContent).join('\n');
    for (const n of names) expect(drawn).toContain(`names: ${n}`);
  });

  it('answers only GET and HEAD (405 with Allow) and unknown paths with 404', async () => {
    const { base } = await startServer();
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const reply = await request(`${base}/topology.json`, method);
      expect(reply.status).toBe(405);
      expect(reply.headers.allow).toBe('GET, HEAD');
    }
    const head = await request(`${base}/topology.json`, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(Number(head.headers['content-length'])).toBeGreaterThan(0);
    expect((await request(`${base}/nope`)).status).toBe(404);
    expect((await request(`${base}/__proto__`)).status).toBe(404);
  });

  it('sends the model first, then a new generation within a second of a link going down', async () => {
    const { a, names } = await lab('e');
    const { base } = await startServer();
    const events = new SseReader(`${base}/events`);
    const res = await events.response;
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const first = await events.model((t) => linkIn(t, names[0], 'eth0')?.up === true, 'the lab, link up');
    expect(events.messages[0].event).toBe('model');
    expect(events.messages[0].id).toBe(String(JSON.parse(events.messages[0].data).generation));

    const from = events.messages.length;
    const start = performance.now();
    a.setLink('eth0', { up: false });
    const down = await events.model((t) => linkIn(t, names[0], 'eth0')?.up === false, 'eth0 down', from);
    expect(down.at - start).toBeLessThan(1000);
    expect(down.generation).toBeGreaterThan(first.generation);
    // The other end lost its carrier (its operstate follows a moment later): the model comes to say so as ip does.
    const [peer] = ipJson<Array<{ operstate: string; flags: string[] }>>(names[1], ['link', 'show', 'eth0']);
    expect(peer.flags).not.toContain('LOWER_UP');
    await events.model(
      (t) => linkIn(t, names[1], 'eth0')?.operstate === peer.operstate,
      `peer ${peer.operstate}`,
      from,
    );
  });

  it('shows a namespace made after it started, and drops it when deleted', async () => {
    const { base } = await startServer();
    const events = new SseReader(`${base}/events`);
    await events.next((m) => m.event === 'model', 'the first model');
    const extra = name('new');
    let from = events.messages.length;
    const start = performance.now();
    const handle = NetNamespace.createNamed(extra);
    onCleanup(() => {
      handle.close();
      if (fs.existsSync(`/run/netns/${extra}`)) NetNamespace.delete(extra);
    });
    const ino = fs.statSync(`/run/netns/${extra}`).ino;
    const added = await events.model((t) => nsNamed(t, extra) !== undefined, `${extra} appears`, from);
    expect(nsNamed(added.topology, extra)?.id).toBe(`net:[${ino}]`);
    expect(added.at - start).toBeLessThan(1000);

    from = events.messages.length;
    handle.close();
    NetNamespace.delete(extra);
    const gone = await events.model((t) => !t.namespaces.some((ns) => ns.ino === ino), `${extra} goes`, from);
    expect(gone.generation).toBeGreaterThan(added.generation);
  });

  it('keeps a hostile interface name text: JSON and SSE round-trip it, the SVG escapes it, the page never has it', async () => {
    const { names } = await lab('h');
    run('ip', ['-n', names[0], 'link', 'add', HOSTILE, 'type', 'veth', 'peer', 'name', 'p0']);
    const { base } = await startServer();
    const events = new SseReader(`${base}/events`);
    const seen = await events.model((t) => linkIn(t, names[0], HOSTILE) !== undefined, 'the hostile link');
    expect(linkIn(seen.topology, names[0], HOSTILE)?.name).toBe(HOSTILE);
    // Every message is one data line of well-formed JSON.
    for (const message of events.messages) expect(() => JSON.parse(message.data)).not.toThrow();

    const json = JSON.parse((await request(`${base}/topology.json`)).body) as Topology;
    expect(linkIn(json, names[0], HOSTILE)?.name).toBe(HOSTILE);

    const page = await request(`${base}/`);
    expect(page.body).not.toContain(HOSTILE);
    expect(page.body).not.toContain('<b>');

    const svg = (await request(`${base}/graph.svg`)).body;
    expect(svg).not.toContain(HOSTILE);
    const doc = parseXml(svg);
    expect(doc.getElementsByTagName('parsererror')).toHaveLength(0);
    expect(doc.getElementsByTagName('b')).toHaveLength(0);
    const texts = [...doc.getElementsByTagName('text')].map((t) => t.textContent ?? '');
    expect(texts.some((t) => t.includes(HOSTILE))).toBe(true);
  });

  it('after lost events (an overrun) tells clients to reload, and the model read then is what ip shows', async () => {
    const { names } = await lab('o');
    const { base } = await startServer({ receiveBufferSize: 4096 });
    const events = new SseReader(`${base}/events`);
    await events.next((m) => m.event === 'model', 'the first model');
    // ip runs while the event loop is blocked: nothing reads the tiny socket buffer.
    const lines: string[] = [];
    for (let i = 0; i < 150; i++) lines.push(`link add ov${i} type bridge`, `addr add 10.79.${i}.1/24 dev ov${i}`);
    ipBatch(names[0], lines);
    // A resync made after the flood shows it (another one, from other activity on the host, may come first).
    const flooded = (t: Topology) => (nsNamed(t, names[0])?.links.length ?? 0) > 2;
    let model: (Topology & { generation: number }) | undefined;
    for (let seen = 0; model === undefined || !flooded(model);) {
      const resync = await events.next(
        (m) => m.event === 'resync' && (JSON.parse(m.data) as { generation: number }).generation > seen,
        'a resync message after the flood',
      );
      seen = (JSON.parse(resync.data) as { generation: number }).generation;
      model = JSON.parse((await request(`${base}/topology.json`)).body) as Topology & { generation: number };
      expect(model.generation).toBeGreaterThanOrEqual(seen);
    }
    const ipNames = ipJson<Array<{ ifname: string }>>(names[0], ['link']).map((l) => l.ifname);
    expect(ipNames).toHaveLength(152); // lo, eth0 and the 150 bridges: the premise
    expect(
      nsNamed(model, names[0])
        ?.links.map((l) => l.name)
        .sort(),
    ).toEqual(ipNames.sort());
  });

  it('listens on 127.0.0.1 by default and refuses bad options before listening', async () => {
    const { server } = await startServer();
    expect(server.address()).toMatchObject({ address: '127.0.0.1', family: 'IPv4' });
    const { serveTopology } = await import('../lib/index');
    // A port in use: the error reaches the caller (the watch started for it is closed).
    const taken = serveTopology({ port: (server.address() as { port: number }).port });
    const [error] = (await once(taken, 'error')) as [NodeJS.ErrnoException];
    expect(error.code).toBe('EADDRINUSE');
    expect(() => serveTopology({ port: 70000 })).toThrow(RangeError);
    expect(() => serveTopology({ host: '' })).toThrow(TypeError);
    expect(() => serveTopology({ maxBufferedBytes: -1 })).toThrow(RangeError);
  });
});

describe('netns-native graph --serve', () => {
  const main = path.join(repoRoot, 'dist', 'cli', 'main.js');

  it('prints its URL, serves the model, and on SIGTERM closes everything and exits 0', async () => {
    const { names } = await lab('c');
    const child = spawn(process.execPath, [main, 'graph', '--serve', '--listen', '127.0.0.1:0', '--no-containers']);
    onCleanup(() => child.kill('SIGKILL'));
    const result = finished(child);
    const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
    const url = chunk.toString().trim();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const model = JSON.parse((await request(`${url}topology.json`)).body) as Topology & { generation: number };
    expect(model.generation).toBeGreaterThanOrEqual(1);
    for (const n of names) expect(nsNamed(model, n)).toBeDefined();
    // An open event stream must not keep it from ending.
    const events = new SseReader(`${url}events`);
    await events.next((m) => m.event === 'model', 'the first model');
    child.kill('SIGTERM');
    const { code, stdout, stderr } = await result;
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toBe(url);
    await events.response.then((res) => (res.complete ? undefined : once(res, 'close')));
  });

  it('is bad usage (2) with NS, --listen without --serve, or a malformed address', () => {
    for (const args of [
      ['graph', '--serve', 'somens'],
      ['graph', '--listen', '127.0.0.1:0'],
      ['graph', '--serve', '--listen', 'nohostport:99999'],
      ['graph', '--serve', '--listen', '[nope]:80'],
      ['graph', '--serve', '-f', 'svg'],
    ]) {
      const { status, stderr } = tryRun(process.execPath, [main, ...args]);
      expect({ args, status }).toEqual({ args, status: 2 });
      expect(stderr).toMatch(/--serve|--listen/);
    }
  });
});
