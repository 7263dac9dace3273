// No engine socket to try at all, said as the connect() failure it amounts to.
import { NetnsError, errnoOf } from '../errors';
import { SET_DOCKER_HOST } from './socket-hints';

/** None of the default sockets exists. */
export function noEngineSocket(candidates: readonly string[]): NetnsError {
  return new NetnsError({
    errno: errnoOf('ENOENT'),
    syscall: 'connect',
    path: candidates[0],
    description: `no container engine socket on this host (looked for ${candidates.join(', ')})`,
    hint: `is the Docker (or Podman) daemon running? ${SET_DOCKER_HOST}`,
  });
}

/** DOCKER_HOST names an engine that cannot be reached here: tcp://, ssh://, or a bad unix:// path. */
export function unusableDockerHost(dockerHost: string, code: 'EPROTONOSUPPORT' | 'EINVAL', why: string): NetnsError {
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
