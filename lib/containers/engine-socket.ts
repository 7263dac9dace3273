// Where the container engine listens: the caller's socketPath, else
// DOCKER_HOST (unix:// only), else the runtimes' well-known sockets that exist.
import fs from 'node:fs';
import type { NetnsError } from '../errors';
import { noEngineSocket, unusableDockerHost } from './socket-errors';
import type { EngineSocketSource } from './socket-hints';
import { assertSocketPath } from './engine-options';

export const DOCKER_SOCKET = '/var/run/docker.sock';
export const PODMAN_ROOT_SOCKET = '/run/podman/podman.sock';

export type { EngineSocketSource };

export interface EngineSockets {
  from: EngineSocketSource;
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
export function defaultEngineSockets(env: NodeJS.ProcessEnv = process.env): string[] {
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
): EngineSockets {
  if (socketPath !== undefined) return { from: 'socketPath', paths: [socketPath] };
  // The docker CLI treats an empty DOCKER_HOST as unset.
  const dockerHost = env.DOCKER_HOST;
  if (dockerHost) return fromDockerHost(dockerHost);
  const paths = existingOnce(defaults);
  return paths.length > 0 ? { from: 'default', paths } : { from: 'default', paths, problem: noEngineSocket(defaults) };
}

// Not an argument of the call but the caller's environment: a NetnsError
// (EPROTONOSUPPORT, EINVAL), not a TypeError.
function fromDockerHost(dockerHost: string): EngineSockets {
  const unsupported = (problem: NetnsError): EngineSockets => ({ from: 'DOCKER_HOST', paths: [], problem });
  const match = /^unix:\/\/(.*)$/.exec(dockerHost);
  if (!match)
    return unsupported(unusableDockerHost(dockerHost, 'EPROTONOSUPPORT', 'only unix:// sockets are supported'));
  try {
    assertSocketPath(match[1], 'its socket path');
  } catch (error) {
    return unsupported(unusableDockerHost(dockerHost, 'EINVAL', (error as Error).message));
  }
  return { from: 'DOCKER_HOST', paths: [match[1]] };
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
