// What to tell someone whose engine socket cannot be used. The same hints
// reach a library caller and a shell user: DOCKER_HOST works for both, the
// socketPath option only for the first, so it is named as the library's.
import fs from 'node:fs';
import path from 'node:path';
/** Where the engine socket was taken from (moved here from engine-socket.ts, which re-exports it, to break an import circle). */
export type EngineSocketSource = 'socketPath' | 'DOCKER_HOST' | 'default';

export const SET_DOCKER_HOST = 'set DOCKER_HOST=unix:///path/to/engine.sock, or from the library pass socketPath';

export function changeSocketHint(from: EngineSocketSource): string {
  if (from === 'socketPath') return 'check the socketPath option';
  if (from === 'DOCKER_HOST') return 'check DOCKER_HOST';
  return SET_DOCKER_HOST;
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
