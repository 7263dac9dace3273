// The engine's failures, and a container's that cannot give its namespace,
// as NetnsErrors whose hint says what to do. An error with nothing useful to
// add has no hint.
import { NetnsError, errnoOf } from '../errors';
import { type EngineSocketSource, type HintReader, changeSocketHint, permissionHint } from './engine-socket';

/** What a request was, for error messages: `GET /v1.47/containers/web/json` on a socket. */
export interface EngineRequestLabel {
  socketPath: string;
  /** Where the socket path came from, so the hint can say what to change. */
  from: EngineSocketSource;
  /** Whose words that hint uses; absent: a library caller's. */
  hintsFor?: HintReader;
  method: string;
  path: string;
}

/** What an error says of a container: the parts of its inspect answer it names. */
interface ContainerFacts {
  name: string;
  pid: number;
  status?: string;
}

const request = (label: EngineRequestLabel): string => `${label.method} ${label.path}`;
const where = (label: EngineRequestLabel) => ({ syscall: request(label), path: label.socketPath });

/** connect() on the socket failed, or the connection broke. */
export function connectionError(label: EngineRequestLabel, cause: NodeJS.ErrnoException): NetnsError {
  // Node's own 'socket hang up' carries a code (ECONNRESET) but no errno.
  const errno = typeof cause.errno === 'number' ? cause.errno : errnoOfCode(cause.code);
  const code = cause.code ?? 'EIO';
  let hint: string | undefined;
  if (code === 'ENOENT') {
    hint = `no engine socket there: is the Docker (or Podman) daemon running? ${changeSocketHint(label)}`;
  } else if (code === 'ECONNREFUSED') {
    hint = `nothing listens on the socket: is the daemon running? ${changeSocketHint(label)}`;
  } else if (code === 'EACCES' || code === 'EPERM') {
    hint = permissionHint(label.socketPath);
  }
  const syscall = cause.syscall === 'connect' ? 'connect' : request(label);
  return new NetnsError({ errno, syscall, path: label.socketPath, hint, cause });
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
    ...where(label),
    description: `the engine did not answer within ${timeoutMs} ms`,
    hint: 'is the daemon hung? raise timeoutMs if it is only slow',
  });
}

/** An answer that is not what the Engine API documents. */
export function malformedError(label: EngineRequestLabel, what: string, cause?: unknown): NetnsError {
  return new NetnsError({
    errno: errnoOf('EPROTO'),
    ...where(label),
    description: `malformed answer from the engine: ${what}`,
    hint: 'is this socket a Docker Engine API?',
    cause,
  });
}

/** A status the caller did not expect, with the daemon's own message. */
export function statusError(label: EngineRequestLabel, status: number, message: string | undefined): NetnsError {
  const description = `the engine answered ${status}${message ? `: ${message}` : ''}`;
  if (status === 401 || status === 403) {
    // The engine (an authorization plugin, a proxy before it) refused: not a missing capability.
    const hint = 'the engine refused this request: ask whoever runs it for access';
    return new NetnsError({ errno: errnoOf('EACCES'), ...where(label), description, hint });
  }
  return new NetnsError({ errno: errnoOf(status >= 500 ? 'EIO' : 'EPROTO'), ...where(label), description });
}

/** One engine's "no such container". */
export interface EngineMiss {
  label: EngineRequestLabel;
  runtime: string;
  /** The engine's own words, if it gave any. */
  daemonMessage?: string;
}

/**
 * No engine asked knows the container: the first one's answer, naming every
 * engine that was asked when there were several (a miss on Docker alone
 * would say nothing of Podman).
 */
export function noSuchContainer(ref: string, first: EngineMiss, ...others: EngineMiss[]): NetnsError {
  let description = first.daemonMessage ?? `no such container: ${ref}`;
  if (others.length > 0) description += ` (asked ${listText([first, ...others].map(engineText))})`;
  return new NetnsError({
    errno: errnoOf('ENOENT'),
    ...where(first.label),
    description,
    hint: `no container '${ref}' on this ${first.runtime} engine: see ${first.runtime} ps -a`,
  });
}

const engineText = (miss: EngineMiss): string =>
  `${miss.runtime.charAt(0).toUpperCase()}${miss.runtime.slice(1)} at ${miss.label.socketPath}`;

function listText(items: readonly string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export function notRunning(label: EngineRequestLabel, container: ContainerFacts, runtime: string): NetnsError {
  const state = container.status && container.status !== 'running' ? container.status : 'no process';
  return new NetnsError({
    errno: errnoOf('ESRCH'),
    ...where(label),
    description: `container '${container.name}' is not running (${state})`,
    hint: `start it first: ${runtime} start ${container.name}`,
  });
}

/** The container's process went away (or it restarted) between the engine's answer and ours. */
export function exitedMeanwhile(label: EngineRequestLabel, container: ContainerFacts, cause?: unknown): NetnsError {
  return new NetnsError({
    errno: errnoOf('ESRCH'),
    ...where(label),
    description: `container '${container.name}' (pid ${container.pid}) exited or restarted while it was looked up`,
    hint: 'try again',
    cause,
  });
}

export function networkModeLoop(label: EngineRequestLabel, chain: string[]): NetnsError {
  return new NetnsError({
    errno: errnoOf('ELOOP'),
    ...where(label),
    description: `network mode container:<id> goes round: ${chain.join(' -> ')}`,
  });
}

/**
 * The pid's namespace is not the one the engine says the container has. EIO,
 * as when a bind mount's dev/ino disagree (Node's table has no ESTALE).
 */
export function namespaceMismatch(
  label: EngineRequestLabel,
  container: ContainerFacts,
  actualId: string,
  evidence: string,
): NetnsError {
  return new NetnsError({
    errno: errnoOf('EIO'),
    ...where(label),
    description: `process ${container.pid} of container '${container.name}' is in ${actualId}, but ${evidence}`,
    hint:
      "State.Pid is a pid in the engine's pid namespace: run in the host's (not in a container), " +
      'or the container changed meanwhile',
  });
}
