// Where the container engine listens: the caller's socketPath, else
// DOCKER_HOST (unix:// only), else the runtimes' well-known sockets that exist.
import fs from 'node:fs';
import { assertSocketPath } from './engine-options';

export const DOCKER_SOCKET = '/var/run/docker.sock';
export const PODMAN_ROOT_SOCKET = '/run/podman/podman.sock';

export type EngineSocketSource = 'socketPath' | 'DOCKER_HOST' | 'default';

export interface EngineSockets {
  from: EngineSocketSource;
  /** Candidates in order of preference; for 'default', only those that exist (may be none). */
  paths: string[];
}

/** The sockets to try. Throws TypeError for a DOCKER_HOST that is not unix://. */
export function engineSockets(socketPath: string | undefined, env: NodeJS.ProcessEnv = process.env): EngineSockets {
  if (socketPath !== undefined) return { from: 'socketPath', paths: [socketPath] };
  // The docker CLI treats an empty DOCKER_HOST as unset.
  const dockerHost = env.DOCKER_HOST;
  if (dockerHost) return { from: 'DOCKER_HOST', paths: [unixSocketOf(dockerHost)] };
  return { from: 'default', paths: existingDefaults(env) };
}

function unixSocketOf(dockerHost: string): string {
  const match = /^unix:\/\/(.*)$/.exec(dockerHost);
  if (!match) {
    throw new TypeError(`DOCKER_HOST='${dockerHost}' is not supported: only unix:// sockets are ` +
      '(set DOCKER_HOST=unix:///path/to/docker.sock, or pass socketPath)');
  }
  assertSocketPath(match[1], 'the socket path in DOCKER_HOST');
  return match[1];
}

function existingDefaults(env: NodeJS.ProcessEnv): string[] {
  const candidates = [DOCKER_SOCKET, PODMAN_ROOT_SOCKET];
  const runtimeDir = env.XDG_RUNTIME_DIR;
  if (runtimeDir?.startsWith('/')) candidates.push(`${runtimeDir.replace(/\/+$/, '')}/podman/podman.sock`);
  // podman-docker links /var/run/docker.sock to Podman's socket: one engine, asked once.
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
