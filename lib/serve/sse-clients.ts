// The open /events streams (Server-Sent Events). Memory stays bounded with
// any number of clients: one message is encoded once and the same bytes are
// written to each, and a client whose socket still holds more than
// `maxBufferedBytes` not yet sent when the next message comes (it stopped
// reading) is disconnected rather than buffered for without end: at most
// that bound plus one message per client. A client that goes away is removed
// on its response's 'close'.
import type { ServerResponse } from 'node:http';

export interface SseStats {
  /** Streams open now. */
  clients: number;
  /** Streams ever opened. */
  opened: number;
  /** Streams ended by the server because the client did not read. */
  dropped: number;
  /** Bytes written to the open streams and not yet sent (at most clients × (maxBufferedBytes + one message)). */
  bufferedBytes: number;
}

/** One SSE message as bytes: `event:` and `data:` lines; data is one line of JSON. */
export function sseMessage(event: string, data: unknown, id?: number): Buffer {
  // JSON.stringify escapes CR and LF in strings, so the data is one line.
  const head = id === undefined ? '' : `id: ${id}\n`;
  return Buffer.from(`${head}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

export class SseClients {
  readonly #clients = new Set<ServerResponse>();
  readonly #maxBufferedBytes: number;
  readonly #counts = { opened: 0, dropped: 0 };

  constructor(maxBufferedBytes: number) {
    this.#maxBufferedBytes = maxBufferedBytes;
  }

  /** Starts the stream on `res` and sends `first` to it alone. */
  add(res: ServerResponse, first: Buffer | undefined): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Accel-Buffering': 'no',
    });
    // Headers now, so the client sees the stream open before the first change.
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    this.#clients.add(res);
    this.#counts.opened++;
    res.once('close', () => this.#remove(res));
    if (first !== undefined) this.#send(res, first);
  }

  /** The same bytes to every client; a client too far behind is dropped instead. */
  broadcast(message: Buffer): void {
    for (const res of this.#clients) this.#send(res, message);
  }

  /** Ends every stream (the server is closing). */
  closeAll(): void {
    for (const res of this.#clients) {
      this.#remove(res);
      res.end();
    }
  }

  #send(res: ServerResponse, message: Buffer): void {
    // Judged on the backlog before this message, so a model bigger than the bound still goes out.
    if (res.writableLength > this.#maxBufferedBytes) {
      this.#counts.dropped++;
      this.#remove(res);
      // Not res.end(): that would queue behind what the client never read.
      res.destroy();
      return;
    }
    res.write(message);
  }

  #remove(res: ServerResponse): void {
    this.#clients.delete(res);
  }

  get stats(): SseStats {
    let bufferedBytes = 0;
    for (const res of this.#clients) bufferedBytes += res.writableLength;
    return { clients: this.#clients.size, ...this.#counts, bufferedBytes };
  }
}
