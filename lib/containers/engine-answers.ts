// Reading the engine's JSON into the few fields used here, refusing answers
// that do not have the documented shape instead of guessing.
import type { EngineRequestLabel } from './engine-errors';
import { malformedError } from './engine-errors';

/** GET /containers/{id}/json, the parts that lead to a network namespace. */
export interface InspectedContainer {
  id: string;
  /** Without the leading '/'. */
  name: string;
  running: boolean;
  /** State.Status: 'running', 'paused', 'restarting', 'exited', ... where given. */
  status?: string;
  /** The container's main process, in the engine's pid namespace; 0 when not running. */
  pid: number;
  /** HostConfig.NetworkMode: 'bridge', 'host', 'none', 'container:<id>', a network name, ... */
  networkMode: string;
  /** NetworkSettings.SandboxKey, '' when the engine gives none. */
  sandboxKey: string;
}

/** GET /containers/json, one entry. */
export interface ListedContainer {
  id: string;
  name: string;
}

type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function readInspected(body: unknown, label: EngineRequestLabel): InspectedContainer {
  if (!isRecord(body)) throw malformedError(label, 'a container inspect answer is not an object');
  const { Id: id, Name: name, State: state, HostConfig: hostConfig, NetworkSettings: network } = body;
  if (typeof id !== 'string' || id === '') throw malformedError(label, 'no container Id');
  if (!isRecord(state)) throw malformedError(label, `no State object for container ${id}`);
  const { Running: running, Pid: pid, Status: status } = state;
  if (typeof running !== 'boolean') throw malformedError(label, `State.Running is not a boolean for container ${id}`);
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid < 0) {
    throw malformedError(label, `State.Pid is not a pid for container ${id}`);
  }
  const networkMode = isRecord(hostConfig) ? hostConfig.NetworkMode : undefined;
  const sandboxKey = isRecord(network) ? network.SandboxKey : undefined;
  if (networkMode !== undefined && typeof networkMode !== 'string') {
    throw malformedError(label, `HostConfig.NetworkMode is not a string for container ${id}`);
  }
  if (
    sandboxKey !== undefined &&
    sandboxKey !== null &&
    (typeof sandboxKey !== 'string' || (sandboxKey !== '' && !sandboxKey.startsWith('/')) || sandboxKey.includes('\0'))
  ) {
    throw malformedError(label, `NetworkSettings.SandboxKey is not an absolute path for container ${id}`);
  }
  return {
    id,
    name: typeof name === 'string' && name !== '' ? name.replace(/^\//, '') : id.slice(0, 12),
    running,
    ...(typeof status === 'string' ? { status } : {}),
    pid,
    networkMode: networkMode ?? '',
    sandboxKey: typeof sandboxKey === 'string' ? sandboxKey : '',
  };
}

export function readListed(body: unknown, label: EngineRequestLabel): ListedContainer[] {
  if (!Array.isArray(body)) throw malformedError(label, 'the container list is not an array');
  return body.map((entry: unknown) => {
    if (!isRecord(entry) || typeof entry.Id !== 'string' || entry.Id === '') {
      throw malformedError(label, 'a container list entry has no Id');
    }
    return { id: entry.Id, name: primaryName(entry.Names) ?? entry.Id.slice(0, 12) };
  });
}

// Names also holds legacy link aliases ('/other/alias'): the container's own
// name is the one with no further '/'.
function primaryName(names: unknown): string | undefined {
  if (!Array.isArray(names)) return undefined;
  const own = names.filter((n): n is string => typeof n === 'string').map((n) => n.replace(/^\//, ''));
  return own.find((n) => n !== '' && !n.includes('/'));
}
