// A client for the Docker Engine API (which Podman serves too): it pings the
// engine, takes the API version the engine offers (capped at the newest whose
// answers this module was written against), and GETs versioned JSON.
import { type EngineRequestLabel, malformedError, statusError } from './engine-errors';
import { type Deadline, type EngineAnswer, engineRequest } from './engine-http';
import type { EngineSocketSource } from './engine-socket';
import type { ContainerRuntime } from './runtime';

/**
 * The newest API version whose documented answers (State.Pid, State.Running,
 * HostConfig.NetworkMode, NetworkSettings.SandboxKey, the list's Id/Names)
 * were checked: Engine API 1.57. A newer engine is asked at this version, as
 * the docker CLI asks at its own newest; an older one at its own.
 */
export const MAX_API_VERSION = '1.57';
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

export async function connectEngine(
  socketPath: string,
  from: EngineSocketSource,
  deadline: Deadline,
): Promise<EngineClient> {
  const label = (method: string, path: string): EngineRequestLabel => ({ socketPath, from, method, path });
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
