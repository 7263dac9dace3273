// The engine's failures as NetnsErrors, each with a hint that says what to do.
import { NetnsError, errnoOf } from '../errors';
import type { EngineSocketSource } from './engine-socket';
import { changeSocketHint, permissionHint } from './socket-hints';

/** What a request was, for error messages: `GET /v1.47/containers/web/json` on a socket. */
export interface EngineRequestLabel {
  socketPath: string;
  /** Where the socket path came from, so the hint can say what to change. */
  from: EngineSocketSource;
  method: string;
  path: string;
}

const where = (label: EngineRequestLabel): string => `${label.method} ${label.path}`;

/** connect() on the socket failed, or the connection broke. */
export function connectionError(label: EngineRequestLabel, cause: NodeJS.ErrnoException): NetnsError {
  // Node's own 'socket hang up' carries a code (ECONNRESET) but no errno.
  const errno = typeof cause.errno === 'number' ? cause.errno : errnoOfCode(cause.code);
  const code = cause.code ?? 'EIO';
  let hint: string | undefined;
  if (code === 'ENOENT')
    hint = `no engine socket there: is the Docker (or Podman) daemon running? ${changeSocketHint(label.from)}`;
  else if (code === 'ECONNREFUSED')
    hint = `nothing listens on the socket: is the daemon running? ${changeSocketHint(label.from)}`;
  else if (code === 'EACCES' || code === 'EPERM') hint = permissionHint(label.socketPath);
  const syscall = cause.syscall === 'connect' ? 'connect' : where(label);
  return new NetnsError({ errno, syscall, path: label.socketPath, hint: hint ?? '', cause });
}

function errnoOfCode(code: string | undefined): number {
  try {
    return errnoOf(code ?? 'EIO');
  } catch {
    return errnoOf('EIO');
  }
}

export function timeoutError(label: EngineRequestLabel, timeoutMs: number): NetnsError {
  return new NetnsError({
    errno: errnoOf('ETIMEDOUT'),
    syscall: where(label),
    path: label.socketPath,
    description: `the engine did not answer within ${timeoutMs} ms`,
    hint: 'is the daemon hung? raise timeoutMs if it is only slow',
  });
}

/** An answer that is not what the Engine API documents. */
export function malformedError(label: EngineRequestLabel, what: string, cause?: unknown): NetnsError {
  return new NetnsError({
    errno: errnoOf('EPROTO'),
    syscall: where(label),
    path: label.socketPath,
    description: `malformed answer from the engine: ${what}`,
    hint: 'is this socket a Docker Engine API?',
    cause,
  });
}

/** A status the caller did not expect, with the daemon's own message. */
export function statusError(label: EngineRequestLabel, status: number, message: string | undefined): NetnsError {
  const description = `the engine answered ${status}${message ? `: ${message}` : ''}`;
  const code = status === 401 || status === 403 ? 'EACCES' : status >= 500 ? 'EIO' : 'EPROTO';
  return new NetnsError({ errno: errnoOf(code), syscall: where(label), path: label.socketPath, description, hint: '' });
}
