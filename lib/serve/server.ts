// serveTopology(): the live page in a node:http server of its own, listening
// on the loopback address unless another is asked for: the page shows the
// host's whole network to anyone who can reach the port.
import http from 'node:http';
import { topologyHandler, type TopologyHandler, type TopologyHandlerOptions } from './handler';

export interface ServeTopologyOptions extends TopologyHandlerOptions {
  /** The address to listen on. Default '127.0.0.1': only this host. */
  host?: string;
  /** The TCP port; 0 (the default) takes a free one (read it from `server.address()`). */
  port?: number;
}

/**
 * The `node:http` server {@link serveTopology} returns: `close()` also ends the
 * watch and every /events stream; `handler` is its request listener, with its stats.
 */
export type TopologyServer = http.Server & { readonly handler: TopologyHandler };

class LiveServer extends http.Server {
  readonly handler: TopologyHandler;

  constructor(handler: TopologyHandler) {
    super(handler);
    this.handler = handler;
  }

  override close(callback?: (error?: Error) => void): this {
    // Event streams never end by themselves: end them, or close() waits for ever.
    void this.handler.close().then(() => this.closeIdleConnections());
    return super.close(callback);
  }
}

/**
 * Serves a live picture of the host's network namespaces: `GET /` a page
 * that updates in place, `/topology.json` the `topology()` model (as
 * `renderJson` orders it, plus `generation`), `/graph.svg` its picture,
 * `/events` Server-Sent Events (`model` with each new generation, `resync`
 * when events were lost and the page should read /topology.json again).
 * Read only (anything but GET and HEAD is 405). Starts listening at once
 * (wait for 'listening'); listens on 127.0.0.1 unless `host` says otherwise.
 *
 * @example
 * ```js
 * const server = serveTopology({ port: 8181 });
 * await once(server, 'listening');
 * // ... later
 * server.close();
 * ```
 */
export function serveTopology(options: ServeTopologyOptions = {}): TopologyServer {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  const { host = '127.0.0.1', port = 0, ...rest } = options;
  if (typeof host !== 'string' || host === '') throw new TypeError('host must be a non-empty string');
  if (typeof port !== 'number' || !Number.isInteger(port)) throw new TypeError('port must be an integer');
  if (port < 0 || port > 65535) throw new RangeError('port must be from 0 to 65535');
  const server: TopologyServer = new LiveServer(topologyHandler(rest));
  // A listen failure (EADDRINUSE...) must not leave the watch running.
  server.once('error', (error) => {
    void server.handler.close();
    // Unheard, it stays what it would have been without this listener: an uncaught error.
    if (server.listenerCount('error') === 0) throw error;
  });
  server.listen(port, host);
  return server;
}
