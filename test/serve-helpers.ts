// Tools for the live page's tests: a server started for one test and closed
// after it, a plain HTTP GET, and an /events reader that parses Server-Sent
// Events as a browser's EventSource does and waits for a matching message.
import { once } from 'node:events';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import {
  NetNamespace,
  type ServeTopologyOptions,
  type Topology,
  type TopologyServer,
  serveTopology,
} from '../lib/index';
import { onCleanup } from './helpers';

/** Named namespaces made with the library, each closed and deleted after the test. */
export function createNamedForTest(names: readonly string[]): NetNamespace[] {
  return names.map((name) => {
    const handle = NetNamespace.createNamed(name);
    onCleanup(() => {
      handle.close();
      NetNamespace.delete(name);
    });
    return handle;
  });
}

/** A listening server on 127.0.0.1, port 0, closed after the test (pass or fail). */
export async function startServer(
  options: ServeTopologyOptions = {},
): Promise<{ server: TopologyServer; base: string }> {
  const server = serveTopology({ coalesceMs: 100, ...options });
  onCleanup(() => {
    server.close();
    server.closeAllConnections();
  });
  await once(server, 'listening');
  await server.handler.ready;
  const { port } = server.address() as AddressInfo;
  return { server, base: `http://127.0.0.1:${port}` };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function request(url: string, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export interface SseMessage {
  event: string;
  id?: string;
  data: string;
  /** When it was parsed (performance.now()). */
  at: number;
}

export interface ModelData {
  generation: number;
  topology: Topology;
}

/** One /events stream, parsed; closed after the test. */
export class SseReader {
  readonly messages: SseMessage[] = [];
  readonly #waiting = new Set<{ match: (m: SseMessage) => boolean; resolve: (m: SseMessage) => void }>();
  #buffer = '';
  closed = false;
  readonly response: Promise<http.IncomingMessage>;
  readonly request: http.ClientRequest;

  constructor(url: string) {
    this.request = http.get(url);
    this.response = new Promise((resolve, reject) => {
      this.request.once('error', reject);
      this.request.once('response', (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => this.#feed(chunk));
        res.once('close', () => (this.closed = true));
        resolve(res);
      });
    });
    onCleanup(() => this.close());
  }

  close(): void {
    this.request.destroy();
  }

  #feed(chunk: string): void {
    this.#buffer += chunk;
    let end;
    while ((end = this.#buffer.indexOf('\n\n')) >= 0) {
      const block = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 2);
      const message: SseMessage = { event: 'message', data: '', at: performance.now() };
      const data: string[] = [];
      for (const line of block.split('\n')) {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') message.event = value;
        else if (field === 'id') message.id = value;
        else if (field === 'data') data.push(value);
      }
      message.data = data.join('\n');
      this.messages.push(message);
      for (const waiter of [...this.#waiting]) {
        if (waiter.match(message)) {
          this.#waiting.delete(waiter);
          waiter.resolve(message);
        }
      }
    }
  }

  /** The first message (already received or to come, from index `from` on) that matches. */
  next(match: (m: SseMessage) => boolean, what: string, ms = 10_000, from = 0): Promise<SseMessage> {
    const seen = this.messages.slice(from).find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (m: SseMessage) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        this.#waiting.delete(waiter);
        reject(new Error(`no /events message within ${ms} ms: ${what}`));
      }, ms);
      this.#waiting.add(waiter);
    });
  }

  /** The first model message whose topology satisfies `test`, from index `from` on. */
  async model(
    test: (t: Topology) => boolean,
    what: string,
    from = 0,
    ms?: number,
  ): Promise<ModelData & { at: number }> {
    const message = await this.next(
      (m) => m.event === 'model' && test((JSON.parse(m.data) as ModelData).topology),
      what,
      ms,
      from,
    );
    return { ...(JSON.parse(message.data) as ModelData), at: message.at };
  }
}

interface XmlDoc {
  getElementsByTagName(
    name: string,
  ): ArrayLike<{ textContent: string | null }> & Iterable<{ textContent: string | null }>;
}

/** A document parsed by jsdom's strict XML parser, as a browser parses an SVG file (a parsererror element on failure). */
export function parseXml(text: string): XmlDoc {
  // jsdom ships no types, and the project has no DOM types: the little used is declared here.
  const { JSDOM } = createRequire(__filename)('jsdom') as {
    JSDOM: new (html: string) => {
      window: { DOMParser: new () => { parseFromString(t: string, type: string): XmlDoc } };
    };
  };
  return new new JSDOM('').window.DOMParser().parseFromString(text, 'image/svg+xml');
}
