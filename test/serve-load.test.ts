// The live page's server under load, against the real kernel: 50 /events
// clients (plain http.get) while the library makes 1,000 link changes; the
// server's clients and bytes held stay bounded, the heap does not grow with
// the churn, a client that stops reading is dropped, and clients that go
// away are removed. Every client still ends on the final state.
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { type Topology, createVeth } from '../lib/index';
import { onCleanup } from './helpers';
import { runTag } from './net-helpers';
import { type ModelData, createNamedForTest, startServer } from './serve-helpers';

const CLIENTS = 50;
const CHANGES = 1000;
const MAX_BUFFERED = 512 * 1024;
/** Veth pairs besides the one that flaps: a model of some tens of kB, so the slow client's kernel buffers (~4 MB on loopback) fill. */
const BULK_PAIRS = 90;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const heapAfterGc = () => {
  gc();
  return process.memoryUsage().heapUsed;
};

/** A client that counts what it gets and keeps only the last model message (as a page does). */
class CountingClient {
  bytes = 0;
  last: ModelData | undefined;
  #tail = '';
  readonly request: http.ClientRequest;
  readonly ended: Promise<void>;

  constructor(url: string) {
    this.request = http.get(url);
    this.ended = new Promise((resolve) => this.request.once('close', resolve));
    this.request.on('error', () => {});
    this.request.once('response', (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        this.bytes += chunk.length;
        this.#tail += chunk;
        const end = this.#tail.lastIndexOf('\n\n');
        if (end < 0) return;
        const complete = this.#tail.slice(0, end);
        this.#tail = this.#tail.slice(end + 2);
        const start = complete.lastIndexOf('data: ');
        this.last = JSON.parse(complete.slice(start + 6).split('\n')[0]) as ModelData;
      });
    });
    onCleanup(() => this.request.destroy());
  }
}

/** Resolves when `check` holds, looked at after each turn of the loop's timers; fails after `ms`. */
async function until(check: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('serveTopology under load', () => {
  it('holds 50 clients through 1,000 link changes with bounded memory, drops a slow one, forgets gone ones', async () => {
    const names = ['a', 'b'].map((s) => `serve-${runTag}-load${s}`);
    const [a, b] = createNamedForTest(names);
    for (let i = 0; i <= BULK_PAIRS; i++) createVeth({ name: `v${i}`, ns: a }, { name: `v${i}`, ns: b });

    const { base, server } = await startServer({ coalesceMs: 20, maxBufferedBytes: MAX_BUFFERED });
    const stats = () => server.handler.stats;
    const clients = Array.from({ length: CLIENTS }, () => new CountingClient(`${base}/events`));
    await until(() => clients.every((c) => c.last !== undefined), 'every client has the first model');
    const modelBytes = Buffer.byteLength(JSON.stringify(clients[0].last));
    expect(modelBytes).toBeGreaterThan(45_000);

    // The slow client: asks for /events, then never reads.
    const slow = net.connect(Number(new URL(base).port), '127.0.0.1');
    onCleanup(() => slow.destroy());
    await once(slow, 'connect');
    slow.write('GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    slow.pause();
    await until(() => stats().clients === CLIENTS + 1, 'the slow client is counted');

    const heapBefore = heapAfterGc();
    const firstGeneration = stats().generation;
    let maxClients = 0;
    let maxBuffered = 0;
    const sample = setInterval(() => {
      maxClients = Math.max(maxClients, stats().clients);
      maxBuffered = Math.max(maxBuffered, stats().bufferedBytes);
    }, 5);
    onCleanup(() => clearInterval(sample));

    const gone = clients.slice(0, 10);
    for (let i = 0; i < CHANGES; i++) {
      a.setLink('v0', { up: i % 2 === 0 });
      // Ten clients leave halfway through.
      if (i === CHANGES / 2) for (const client of gone) client.request.destroy();
      // Pace the churn so the server reads (and sends) many generations meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 8));
    }
    const upAtEnd = (CHANGES - 1) % 2 === 0;
    const stays = clients.slice(10);
    const v0 = (t: Topology) =>
      t.namespaces.find((ns) => ns.names.includes(names[0]))?.links.find((l) => l.name === 'v0');
    await until(
      () => stays.every((c) => c.last !== undefined && v0(c.last.topology)?.up === upAtEnd),
      'every remaining client has the final state',
    );
    clearInterval(sample);

    const after = stats();
    const generations = after.generation - firstGeneration;
    // The premise: churn made many generations, more bytes than loopback's buffers hold for a
    // client that does not read (about 4 MB measured here) plus the server's limit.
    expect(generations).toBeGreaterThan(50);
    expect(generations * modelBytes).toBeGreaterThan(6 * 1024 * 1024);
    // The slow client was dropped, the ten that left were removed, and no more were ever held.
    expect(after.dropped).toBe(1);
    expect(maxClients).toBeLessThanOrEqual(CLIENTS + 1);
    expect(after.clients).toBe(CLIENTS - gone.length);
    await Promise.all(gone.map((c) => c.ended));
    // Bytes held for clients never passed the per-client bound (plus the message that went over it).
    expect(maxBuffered).toBeLessThanOrEqual((CLIENTS + 1) * (MAX_BUFFERED + modelBytes));
    // The heap after the churn is what it was before, give or take a few models' worth.
    const heapGrowth = heapAfterGc() - heapBefore;
    expect(heapGrowth).toBeLessThan(16 * 1024 * 1024);
    // The slow client, reading again, finds its stream cut.
    slow.resume();
    slow.on('error', () => {});
    await once(slow, 'close');
    console.log(
      `load: ${generations} generations of ~${Math.round(modelBytes / 1024)} kB to ${CLIENTS} clients; ` +
        `max held ${Math.round(maxBuffered / 1024)} kB; heap growth ${Math.round(heapGrowth / 1024)} kB`,
    );
  }, 60_000);
});
