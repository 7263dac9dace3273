// Options shared by every call that talks to a container engine, checked
// before any I/O.
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
}

/** @internal */
export interface CheckedEngineOptions {
  socketPath?: string;
  timeoutMs: number;
  defaultSockets?: readonly string[];
}

/** @internal */
export const DEFAULT_TIMEOUT_MS = 10_000;

// sun_path is 108 bytes with the terminating NUL; a longer path cannot be connected to.
const SUN_PATH_MAX = 107;
// setTimeout's limit: a larger delay fires at once.
const TIMER_MAX = 2 ** 31 - 1;

/** @internal */
export function checkEngineOptions(options: unknown): CheckedEngineOptions {
  if (options === undefined || options === null) return { timeoutMs: DEFAULT_TIMEOUT_MS };
  if (typeof options !== 'object') throw new TypeError(`options must be an object, got ${typeof options}`);
  const { socketPath, timeoutMs = DEFAULT_TIMEOUT_MS, defaultSockets } = options as ContainerEngineOptions;
  if (typeof timeoutMs !== 'number') throw new TypeError(`timeoutMs must be a number, got ${typeof timeoutMs}`);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > TIMER_MAX) {
    throw new RangeError(`timeoutMs must be a positive number of milliseconds up to ${TIMER_MAX}, got ${timeoutMs}`);
  }
  if (socketPath !== undefined) assertSocketPath(socketPath, 'socketPath');
  if (defaultSockets !== undefined) assertDefaultSockets(defaultSockets);
  return {
    timeoutMs,
    ...(socketPath !== undefined ? { socketPath } : {}),
    ...(defaultSockets !== undefined ? { defaultSockets: [...defaultSockets] } : {}),
  };
}

function assertDefaultSockets(value: unknown): asserts value is readonly string[] {
  if (!Array.isArray(value) || value.length === 0) throw new TypeError('defaultSockets must be a non-empty array');
  value.forEach((candidate, i) => assertSocketPath(candidate, `defaultSockets[${i}]`));
}

/** @internal */
export function assertSocketPath(value: unknown, what: string): asserts value is string {
  assertAbsolutePath(value, what);
  if (Buffer.byteLength(value) > SUN_PATH_MAX) {
    throw new RangeError(`${what} is longer than a unix socket path can be (${SUN_PATH_MAX} bytes): '${value}'`);
  }
}
