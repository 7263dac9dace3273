// A container that cannot give its namespace, said as a NetnsError whose
// hint names the container and the command that helps.
import { NetnsError, errnoOf } from '../errors';
import type { EngineRequestLabel } from './engine-errors';
import type { InspectedContainer } from './engine-answers';
import type { ContainerRuntime } from './runtime';

const where = (label: EngineRequestLabel) => ({ syscall: `${label.method} ${label.path}`, path: label.socketPath });

export function noSuchContainer(
  label: EngineRequestLabel,
  ref: string,
  runtime: ContainerRuntime,
  daemonMessage?: string,
): NetnsError {
  return new NetnsError({
    errno: errnoOf('ENOENT'),
    ...where(label),
    description: daemonMessage ?? `no such container: ${ref}`,
    hint: `no container '${ref}' on this ${runtime} engine: see ${runtime} ps -a`,
  });
}

export function notRunning(
  label: EngineRequestLabel,
  container: InspectedContainer,
  runtime: ContainerRuntime,
): NetnsError {
  const state = container.status && container.status !== 'running' ? container.status : 'no process';
  return new NetnsError({
    errno: errnoOf('ESRCH'),
    ...where(label),
    description: `container '${container.name}' is not running (${state})`,
    hint: `start it first: ${runtime} start ${container.name}`,
  });
}

/** The container's process went away (or it restarted) between the engine's answer and ours. */
export function exitedMeanwhile(label: EngineRequestLabel, container: InspectedContainer, cause?: unknown): NetnsError {
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
    hint: '',
  });
}

/**
 * The pid's namespace is not the one the engine says the container has. EIO,
 * as when a bind mount's dev/ino disagree (Node's table has no ESTALE).
 */
export function namespaceMismatch(
  label: EngineRequestLabel,
  container: InspectedContainer,
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
