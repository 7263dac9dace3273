// Where the container engine listens, and what to tell someone when it
// cannot be used there: the caller's socketPath, else DOCKER_HOST (unix://
// only), else the runtimes' well-known sockets that exist. The options every
// engine call takes are checked here too, before any I/O.
import fs from 'node:fs';
import path from 'node:path';
import { NetnsError, errnoOf } from '../errors';
import { assertAbsolutePath } from '../validate';

/** How to reach a Docker or Podman engine; checked before any I/O. */
export interface ContainerEngineOptions {
  /**
   * The engine's unix socket. Default: DOCKER_HOST when it is unix://…, else
   * /var/run/docker.sock, else Podman's /run/podman/podman.sock and
   * $XDG_RUNTIME_DIR/podman/podman.sock, whichever exist.
   */
  socketPath?: string;
  /** The whole call's time limit in milliseconds, all requests included. Default 10 000. */
  timeoutMs?: number;
  /**
   * @internal The default sockets to try, in order, in place of Docker's and
   * Podman's well-known paths: lets a test stand fake engines there.
   */
  defaultSockets?: readonly string[];
  /**
   * @internal Whose words the hints use: 'library' (default) names the
   * socketPath option; 'shell' (the command line, which has no such option)
   * names DOCKER_HOST alone.
   */
  hintsFor?: HintReader;
}

/** Who reads a hint about the socket: a library caller or a shell user. */
export type HintReader = 'library' | 'shell';

interface CheckedEngineOptions {
  socketPath?: string;
  timeoutMs: number;
  defaultSockets?: readonly string[];
  hintsFor: HintReader;
}

const DEFAULT_TIMEOUT_MS = 10_000;
// sun_path is 108 bytes with the terminating NUL; a longer path cannot be connected to.
const SUN_PATH_MAX = 107;
// setTimeout's limit: a larger delay fires at once.
const TIMER_MAX = 2 ** 31 - 1;

/** @internal */
export function checkEngineOptions(options: unknown): CheckedEngineOptions {
  if (options === undefined || options === null) return { timeoutMs: DEFAULT_TIMEOUT_MS, hintsFor: 'library' };
  if (typeof options !== 'object') throw new TypeError(`options must be an object, got ${typeof options}`);
  const {
    socketPath,
    timeoutMs = DEFAULT_TIMEOUT_MS,
    defaultSockets,
    hintsFor = 'library',
  } = options as ContainerEngineOptions;
  if (typeof timeoutMs !== 'number') throw new TypeError(`timeoutMs must be a number, got ${typeof timeoutMs}`);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > TIMER_MAX) {
    throw new RangeError(`timeoutMs must be a positive number of milliseconds up to ${TIMER_MAX}, got ${timeoutMs}`);
  }
  if (socketPath !== undefined) assertSocketPath(socketPath, 'socketPath');
  if (defaultSockets !== undefined) assertDefaultSockets(defaultSockets);
  if (hintsFor !== 'library' && hintsFor !== 'shell') {
    throw new TypeError(`hintsFor must be 'library' or 'shell', got ${String(hintsFor)}`);
  }
  return {
    timeoutMs,
    hintsFor,
    ...(socketPath !== undefined ? { socketPath } : {}),
    ...(defaultSockets !== undefined ? { defaultSockets: [...defaultSockets] } : {}),
  };
}

function assertDefaultSockets(value: unknown): asserts value is readonly string[] {
  if (!Array.isArray(value) || value.length === 0) throw new TypeError('defaultSockets must be a non-empty array');
  value.forEach((candidate, i) => assertSocketPath(candidate, `defaultSockets[${i}]`));
}

function assertSocketPath(value: unknown, what: string): asserts value is string {
  assertAbsolutePath(value, what);
  if (Buffer.byteLength(value) > SUN_PATH_MAX) {
    throw new RangeError(`${what} is longer than a unix socket path can be (${SUN_PATH_MAX} bytes): '${value}'`);
  }
}

const DOCKER_SOCKET = '/var/run/docker.sock';
const PODMAN_ROOT_SOCKET = '/run/podman/podman.sock';

export type EngineSocketSource = 'socketPath' | 'DOCKER_HOST' | 'default';

export interface EngineSockets {
  from: EngineSocketSource;
  /** Whose words the hints about these sockets use; absent: a library caller's. */
  hintsFor?: HintReader;
  /** Candidates in order of preference; for 'default', only those that exist (may be none). */
  paths: string[];
  /**
   * Why there is no socket to try (then `paths` is empty): a DOCKER_HOST this
   * library cannot use (tcp://, ssh://, a relative path), or no default socket
   * that exists. An unreachable engine, in effect: reported as one.
   */
  problem?: NetnsError;
}

/** Docker's, Podman's rootful, then the caller's rootless Podman: the order they are tried in. */
function defaultEngineSockets(env: NodeJS.ProcessEnv): string[] {
  const candidates = [DOCKER_SOCKET, PODMAN_ROOT_SOCKET];
  const runtimeDir = env.XDG_RUNTIME_DIR;
  if (runtimeDir?.startsWith('/')) candidates.push(`${runtimeDir.replace(/\/+$/, '')}/podman/podman.sock`);
  return candidates;
}

/**
 * The sockets to try. `defaults` replaces Docker's and Podman's well-known
 * paths (a test's fake engines); it is used only when neither socketPath nor
 * DOCKER_HOST names one.
 */
export function engineSockets(
  socketPath: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  defaults: readonly string[] = defaultEngineSockets(env),
  hintsFor: HintReader = 'library',
): EngineSockets {
  const origin = (from: EngineSocketSource) => ({ from, ...(hintsFor !== 'library' ? { hintsFor } : {}) });
  if (socketPath !== undefined) return { ...origin('socketPath'), paths: [socketPath] };
  // The docker CLI treats an empty DOCKER_HOST as unset.
  const dockerHost = env.DOCKER_HOST;
  if (dockerHost) return { ...origin('DOCKER_HOST'), ...fromDockerHost(dockerHost) };
  const paths = existingOnce(defaults);
  if (paths.length > 0) return { ...origin('default'), paths };
  return { ...origin('default'), paths, problem: noEngineSocket(defaults, hintsFor) };
}

// Not an argument of the call but the caller's environment: a NetnsError
// (EPROTONOSUPPORT, EINVAL), not a TypeError.
function fromDockerHost(dockerHost: string): Pick<EngineSockets, 'paths' | 'problem'> {
  const match = /^unix:\/\/(.*)$/.exec(dockerHost);
  if (!match) {
    const problem = unusableDockerHost(dockerHost, 'EPROTONOSUPPORT', 'only unix:// sockets are supported');
    return { paths: [], problem };
  }
  try {
    assertSocketPath(match[1], 'its socket path');
  } catch (error) {
    return { paths: [], problem: unusableDockerHost(dockerHost, 'EINVAL', (error as Error).message) };
  }
  return { paths: [match[1]] };
}

// podman-docker links /var/run/docker.sock to Podman's socket: one engine, asked once.
function existingOnce(candidates: readonly string[]): string[] {
  const seen = new Set<string>();
  return candidates.filter((candidate) => {
    const real = realSocketPath(candidate);
    if (real === undefined || seen.has(real)) return false;
    seen.add(real);
    return true;
  });
}

function realSocketPath(candidate: string): string | undefined {
  try {
    return fs.statSync(candidate).isSocket() ? fs.realpathSync(candidate) : undefined;
  } catch {
    return undefined; // missing, or not ours to see
  }
}

// The hints. DOCKER_HOST works for a library caller and a shell user alike;
// the socketPath option only for the first, so only the first hears of it.

function setDockerHost(reader: HintReader): string {
  const set = 'set DOCKER_HOST=unix:///path/to/engine.sock';
  return reader === 'library' ? `${set}, or from the library pass socketPath` : set;
}

/** What to change when the socket in use is not an engine's: where it came from says which. */
export function changeSocketHint({ from, hintsFor = 'library' }: Pick<EngineSockets, 'from' | 'hintsFor'>): string {
  if (from === 'socketPath') return 'check the socketPath option';
  if (from === 'DOCKER_HOST') return 'check DOCKER_HOST';
  return setDockerHost(hintsFor);
}

/**
 * EACCES on connect. Docker's socket is root's and the docker group's; a
 * rootless engine's (Podman's, or rootless Docker's) is its user's alone, and
 * Podman's system socket is root's only: no group opens those.
 */
export function permissionHint(socketPath: string): string {
  const owner = ownerOf(socketPath);
  if (owner !== undefined && owner !== 0) {
    return `the socket belongs to uid ${owner}: a rootless engine serves its own user only, run as that user`;
  }
  if (path.basename(socketPath).includes('podman')) return "Podman's system socket is root's: run as root";
  return 'run as root or join the docker group';
}

function ownerOf(socketPath: string): number | undefined {
  try {
    return fs.statSync(socketPath).uid;
  } catch {
    return undefined; // not ours to see: then the path is all there is to go by
  }
}

// No engine socket to try at all, said as the connect() failure it amounts to.

/** None of the default sockets exists. */
function noEngineSocket(candidates: readonly string[], reader: HintReader): NetnsError {
  return new NetnsError({
    errno: errnoOf('ENOENT'),
    syscall: 'connect',
    path: candidates[0],
    description: `no container engine socket on this host (looked for ${candidates.join(', ')})`,
    hint: `is the Docker (or Podman) daemon running? ${setDockerHost(reader)}`,
  });
}

/** DOCKER_HOST names an engine that cannot be reached here: tcp://, ssh://, or a bad unix:// path. */
function unusableDockerHost(dockerHost: string, code: 'EPROTONOSUPPORT' | 'EINVAL', why: string): NetnsError {
  return new NetnsError({
    errno: errnoOf(code),
    syscall: 'connect',
    path: dockerHost,
    description: `DOCKER_HOST cannot be used: ${why}`,
    hint:
      "containers are found through their engine's unix socket on this host: " +
      'set DOCKER_HOST=unix:///path/to/engine.sock, or unset it for the default sockets',
  });
}
