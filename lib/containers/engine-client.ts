// A client for the Docker Engine API (which Podman serves too): it pings the
// engine, takes the API version the engine offers (capped at the newest whose
// answers this module was written against), GETs versioned JSON and reads the
// few fields used here, refusing answers that do not have the documented
// shape instead of guessing. Engines behind several candidate sockets are
// asked one after the other.
import { NetnsError } from '../errors';
import { type EngineRequestLabel, malformedError, statusError } from './engine-errors';
import { type Deadline, type EngineAnswer, engineRequest } from './engine-http';
import type { EngineSockets } from './engine-socket';

/**
 * Which engine answered: Podman serves the Docker Engine API too, and says so
 * in its /_ping headers.
 */
/** Which engine answered (Podman serves the Docker Engine API too, and says so in `/_ping`). */
export type ContainerRuntime = 'docker' | 'podman';

/**
 * The newest API version whose documented answers (State.Pid, State.Running,
 * HostConfig.NetworkMode, NetworkSettings.SandboxKey, the list's Id/Names)
 * were checked: Engine API 1.57. A newer engine is asked at this version, as
 * the docker CLI asks at its own newest; an older one at its own.
 */
const MAX_API_VERSION = '1.57';
// What the docker client assumes for an engine that names no version.
const FALLBACK_API_VERSION = '1.24';

export type EngineJson =
  | { found: true; body: unknown; label: EngineRequestLabel }
  | { found: false; message?: string; label: EngineRequestLabel };

export interface EngineClient {
  readonly socketPath: string;
  readonly apiVersion: string;
  readonly runtime: ContainerRuntime;
  /** GET /v{apiVersion}{path}: the parsed JSON of a 200, `found: false` for a 404; anything else throws. */
  getJson(path: string): Promise<EngineJson>;
}

async function connectEngine(
  socketPath: string,
  { from, hintsFor }: Pick<EngineSockets, 'from' | 'hintsFor'>,
  deadline: Deadline,
): Promise<EngineClient> {
  const label = (method: string, path: string): EngineRequestLabel => ({ socketPath, from, hintsFor, method, path });
  const ping = await pingEngine(label, deadline);
  const apiVersion = negotiatedVersion(ping, label('GET', '/_ping'));
  const runtime = runtimeOf(ping);
  return {
    socketPath,
    apiVersion,
    runtime,
    async getJson(path) {
      const request = label('GET', `/v${apiVersion}${path}`);
      const answer = await engineRequest(request, deadline);
      if (answer.status === 404) return { found: false, message: daemonMessage(answer), label: request };
      if (answer.status !== 200) throw statusError(request, answer.status, daemonMessage(answer));
      return { found: true, body: parseJson(answer, request), label: request };
    },
  };
}

// HEAD first, as the docker CLI does; engines before API 1.40 answer only GET.
// A 500 is still an answer: an unhealthy daemon says so but names its version.
async function pingEngine(
  label: (method: string, path: string) => EngineRequestLabel,
  deadline: Deadline,
): Promise<EngineAnswer> {
  const answered = (answer: EngineAnswer): boolean => answer.status === 200 || answer.status === 500;
  const head = await engineRequest(label('HEAD', '/_ping'), deadline);
  if (answered(head)) return head;
  const get = await engineRequest(label('GET', '/_ping'), deadline);
  if (answered(get)) return get;
  throw statusError(label('GET', '/_ping'), get.status, daemonMessage(get));
}

function negotiatedVersion(ping: EngineAnswer, label: EngineRequestLabel): string {
  const offered = headerOf(ping, 'api-version');
  if (offered === undefined) return FALLBACK_API_VERSION;
  if (!/^\d+\.\d+$/.test(offered)) throw malformedError(label, `Api-Version '${offered}' is not MAJOR.MINOR`);
  return compareApiVersions(offered, MAX_API_VERSION) > 0 ? MAX_API_VERSION : offered;
}

// Podman's compat service adds Libpod-* headers and says Server: Libpod/…
function runtimeOf(ping: EngineAnswer): ContainerRuntime {
  const server = headerOf(ping, 'server') ?? '';
  return headerOf(ping, 'libpod-api-version') !== undefined || /^libpod\b/i.test(server) ? 'podman' : 'docker';
}

export function compareApiVersions(a: string, b: string): number {
  const [aMajor, aMinor] = a.split('.').map(Number);
  const [bMajor, bMinor] = b.split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}

function headerOf(answer: EngineAnswer, name: string): string | undefined {
  const value = answer.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseJson(answer: EngineAnswer, label: EngineRequestLabel): unknown {
  try {
    return JSON.parse(answer.body);
  } catch (error) {
    throw malformedError(
      label,
      `not JSON (${answer.body.length} bytes starting ${JSON.stringify(answer.body.slice(0, 40))})`,
      error,
    );
  }
}

/** The engine's own words: {"message": "..."} for Docker and Podman alike. */
function daemonMessage(answer: EngineAnswer): string | undefined {
  try {
    const message = (JSON.parse(answer.body) as { message?: unknown } | null)?.message;
    return typeof message === 'string' ? message.trim() : undefined;
  } catch {
    return answer.body.trim().slice(0, 200) || undefined;
  }
}

// The answers.

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
interface ListedContainer {
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

// Asking each engine in turn. A socket that cannot be reached (missing, nobody
// listening, not ours to use) is passed over, so that a dead Docker socket does
// not hide a live Podman; what was passed over is kept, for the caller to
// report when none helped.

// What "no engine here" looks like at connect().
const UNREACHABLE = new Set(['ENOENT', 'ECONNREFUSED', 'ENOTSOCK', 'EACCES', 'EPERM']);

// Which unreachable socket says most about why nothing answered: one that is
// there but refused us beats one nobody listens on, which beats none at all.
const TELLING_ORDER = ['EACCES', 'EPERM', 'ECONNREFUSED', 'ENOTSOCK', 'ENOENT'];

interface EngineWalk<T> {
  /** The first answer `ask` gave, if any did. */
  answer?: T;
  /** The sockets that could not be reached (and why there were none, if so), in the order tried. */
  passedOver: NetnsError[];
}

/**
 * Connects to each socket in turn and hands each engine that answers to
 * `ask`, until `ask` resolves to something other than undefined. Any other
 * failure (an engine that answers wrongly, the deadline) rejects at once.
 */
export async function askEachEngine<T>(
  sockets: EngineSockets,
  deadline: Deadline,
  ask: (engine: EngineClient) => Promise<T | undefined>,
): Promise<EngineWalk<T>> {
  const passedOver = sockets.problem ? [sockets.problem] : [];
  for (const socketPath of sockets.paths) {
    let engine: EngineClient;
    try {
      engine = await connectEngine(socketPath, sockets, deadline);
    } catch (error) {
      if (!isUnreachable(error)) throw error;
      passedOver.push(error);
      continue;
    }
    const answer = await ask(engine);
    if (answer !== undefined) return { answer, passedOver };
  }
  return { passedOver };
}

/** The passed-over socket whose error best explains why no engine answered; the first of equals. */
export function mostTellingUnreachable(passedOver: readonly NetnsError[]): NetnsError | undefined {
  const rank = (error: NetnsError): number => {
    const index = TELLING_ORDER.indexOf(error.code);
    return index < 0 ? TELLING_ORDER.length : index;
  };
  return passedOver.reduce<NetnsError | undefined>(
    (best, error) => (best === undefined || rank(error) < rank(best) ? error : best),
    undefined,
  );
}

function isUnreachable(error: unknown): error is NetnsError {
  return error instanceof NetnsError && error.syscall === 'connect' && UNREACHABLE.has(error.code);
}
