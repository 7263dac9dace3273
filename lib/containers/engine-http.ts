// One HTTP request to the engine over its unix socket, bounded by a deadline
// that the whole operation shares, with the answer's size capped.
import http from 'node:http';
import { NetnsError } from '../errors';
import { type EngineRequestLabel, connectionError, malformedError, timeoutError } from './engine-errors';

export interface Deadline {
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  /** Stops the timer; call when the operation is over. */
  dispose(): void;
}

export function startDeadline(timeoutMs: number): Deadline {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  // A pending request keeps the process alive; the timer alone must not.
  timer.unref();
  return { signal: controller.signal, timeoutMs, dispose: () => clearTimeout(timer) };
}

export interface EngineAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

// A container list of a busy host is a few MiB; anything far beyond is not an answer.
const MAX_BODY_BYTES = 64 * 1024 * 1024;

export function engineRequest(label: EngineRequestLabel, deadline: Deadline): Promise<EngineAnswer> {
  return new Promise((resolve, reject) => {
    const fail = (error: unknown): void => {
      if (deadline.signal.aborted) reject(timeoutError(label, deadline.timeoutMs));
      else if (error instanceof NetnsError) reject(error);
      else reject(connectionError(label, error as NodeJS.ErrnoException));
    };
    if (deadline.signal.aborted) {
      fail(undefined);
      return;
    }
    // agent: false, one connection per request, closed after it: nothing
    // outlives the call, and unix-socket connections cost next to nothing.
    const request = http.request(
      {
        socketPath: label.socketPath,
        method: label.method,
        path: label.path,
        headers: { Accept: 'application/json', 'User-Agent': 'netns-native' },
        agent: false,
        signal: deadline.signal,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) request.destroy(malformedError(label, `more than ${MAX_BODY_BYTES} bytes`));
          else chunks.push(chunk);
        });
        response.on('error', fail); // also a connection cut mid-answer (ECONNRESET 'aborted')
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    request.on('error', fail);
    request.end();
  });
}
