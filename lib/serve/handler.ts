// The live page's HTTP side, as a request listener a user can mount in their
// own server (serveTopology wraps it in one): the page and its two files,
// the model as JSON, the picture as SVG, and the model as Server-Sent
// Events. Read only: anything but GET and HEAD is 405.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { LiveTopology, type Generation, type LiveTopologyOptions } from './live-topology';
import { CONTENT_SECURITY_POLICY, PAGE_CSS, PAGE_HTML, PAGE_SCRIPT } from './page';
import { SseClients, type SseStats, sseMessage } from './sse-clients';

export interface TopologyHandlerOptions extends LiveTopologyOptions {
  /**
   * An /events client that still has more than this many bytes not yet sent
   * to it when the next message comes (it stopped reading) is disconnected.
   * Default 1 MiB.
   */
  maxBufferedBytes?: number;
}

export interface TopologyHandlerStats extends SseStats {
  /** The latest generation (0 before the first read). */
  generation: number;
  /** Reads of the host's topology made. */
  reads: number;
}

/** A request listener for the live page, with what it holds open. */
export interface TopologyHandler extends RequestListener {
  /** Ends every /events stream and the watch. */
  close(): Promise<void>;
  readonly stats: TopologyHandlerStats;
  /** Resolves once the first map is read. */
  readonly ready: Promise<void>;
}

const ALLOW = 'GET, HEAD';

function assertOptions(options: TopologyHandlerOptions): void {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  const { maxBufferedBytes, coalesceMs } = options;
  for (const [what, value] of [
    ['maxBufferedBytes', maxBufferedBytes],
    ['coalesceMs', coalesceMs],
  ] as const) {
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value)) throw new TypeError(`${what} must be an integer`);
    if (value < 0 || value > 2 ** 31 - 1) throw new RangeError(`${what} must be from 0 to ${2 ** 31 - 1}`);
  }
  if (options.topology !== undefined && (typeof options.topology !== 'object' || options.topology === null)) {
    throw new TypeError('topology must be an object of topology() options');
  }
}

function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    ...extra,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** The model as `graph -J` prints it, with the generation number added. */
function modelJson(generation: Generation): string {
  return `${JSON.stringify({ generation: generation.number, ...(generation.model as object) }, null, 2)}\n`;
}

function modelEvent(generation: Generation): Buffer {
  return sseMessage('model', { generation: generation.number, topology: generation.model }, generation.number);
}

/**
 * A `node:http` request listener serving the live picture of the host's
 * network namespaces (see {@link serveTopology}). It starts a
 * `watch({ namespaces: 'all' })` at once; call `close()` when done.
 */
export function topologyHandler(options: TopologyHandlerOptions = {}): TopologyHandler {
  assertOptions(options);
  const clients = new SseClients(options.maxBufferedBytes ?? 1024 * 1024);
  const live = new LiveTopology(options);
  // A failed read keeps the last good map; the page shows what it has.
  live.on('error', () => {});
  live.on('generation', (generation: Generation) => {
    clients.broadcast(
      generation.afterResync ? sseMessage('resync', { generation: generation.number }) : modelEvent(generation),
    );
  });

  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void | Promise<void>> = {
    '/': (req, res) => send(req, res, 200, 'text/html; charset=utf-8', PAGE_HTML),
    '/app.css': (req, res) => send(req, res, 200, 'text/css; charset=utf-8', PAGE_CSS),
    '/app.js': (req, res) => send(req, res, 200, 'text/javascript; charset=utf-8', PAGE_SCRIPT),
    // Browsers ask; no icon, and no 404 in their console.
    '/favicon.ico': (req, res) => {
      res.writeHead(204, { 'Cache-Control': 'max-age=86400' });
      res.end();
    },
    '/topology.json': async (req, res) => {
      await live.first;
      const generation = live.current!;
      send(req, res, 200, 'application/json; charset=utf-8', modelJson(generation), {
        'X-Generation': String(generation.number),
      });
    },
    '/graph.svg': async (req, res) => {
      try {
        const svg = await live.svg();
        send(req, res, 200, 'image/svg+xml; charset=utf-8', svg.text, { 'X-Generation': String(svg.number) });
      } catch (error) {
        // Most likely the optional @viz-js/viz is missing; the message says how to get it.
        send(req, res, 503, 'text/plain; charset=utf-8', `${(error as Error).message}\n`);
      }
    },
    '/events': (req, res) => {
      if (req.method === 'HEAD') {
        send(req, res, 200, 'text/event-stream; charset=utf-8', '');
        return;
      }
      const current = live.current;
      clients.add(res, current === undefined ? undefined : modelEvent(current));
    },
  };

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    // Every response: our files only (the page's CSP), never sniffed, never framed.
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(req, res, 405, 'text/plain; charset=utf-8', 'read only: GET and HEAD\n', { Allow: ALLOW });
      return;
    }
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (route === undefined) {
      send(req, res, 404, 'text/plain; charset=utf-8', 'not found\n');
      return;
    }
    Promise.resolve(route(req, res)).catch((error: Error) => {
      if (!res.headersSent) send(req, res, 500, 'text/plain; charset=utf-8', `${error.message}\n`);
      else res.destroy();
    });
  };

  // stats is a getter: Object.assign would copy one reading of it.
  Object.defineProperties(handler, {
    close: {
      value: async (): Promise<void> => {
        clients.closeAll();
        await live.close();
      },
    },
    ready: { value: live.first.then(() => undefined) },
    stats: {
      get: (): TopologyHandlerStats => ({ ...clients.stats, generation: live.current?.number ?? 0, reads: live.reads }),
    },
  });
  return handler as TopologyHandler;
}
