// Which container each network namespace belongs to, for the topology map:
// list the running containers of every reachable engine, inspect each for
// its pid, and read that process's namespace inode from /proc.
import { netnsOfPid } from '../proc/proc-scan';
import type { ContainerRef } from './container-ref';
import { type InspectedContainer, readInspected, readListed } from './engine-answers';
import { askEachEngine } from './each-engine';
import type { EngineClient } from './engine-client';
import { statusError } from './engine-errors';
import { startDeadline } from './engine-http';
import { type ContainerEngineOptions, checkEngineOptions } from './engine-options';
import { engineSockets } from './engine-socket';

const INSPECTS_AT_ONCE = 8;

interface Found {
  ref: ContainerRef;
  /** Network mode container:<id>: it shares another container's namespace. */
  joined: boolean;
}

/**
 * Maps the inode of each running container's network namespace to the
 * container (`{ id, name, runtime }`), asking every engine socket there is:
 * `socketPath`, else DOCKER_HOST, else each of Docker's and Podman's default
 * sockets that exists. Engines that cannot be reached (no socket, nothing
 * listening, no permission, a DOCKER_HOST that is not unix://) are skipped,
 * so a host without any resolves to an empty map. An engine that answers but not as the API documents (not
 * JSON, wrong shape, an error status, or no answer within timeoutMs) rejects
 * with a NetnsError: a map that silently lacks containers would mislead.
 *
 * Containers with network mode `host` are left out (their namespace is the
 * host's). Where several containers share one namespace (`container:<id>`),
 * the one that owns it wins.
 */
export async function containersByNetns(options?: ContainerEngineOptions): Promise<Map<number, ContainerRef>> {
  const { socketPath, timeoutMs, defaultSockets } = checkEngineOptions(options);
  const sockets = engineSockets(socketPath, process.env, defaultSockets);
  const deadline = startDeadline(timeoutMs);
  const byInode = new Map<number, Found>();
  try {
    // Every engine is asked (no answer stops the walk); what cannot be reached is no error for a map.
    await askEachEngine(sockets, deadline, async (engine) => {
      await addContainersOf(engine, byInode);
      return undefined;
    });
  } finally {
    deadline.dispose();
  }
  return new Map([...byInode].map(([ino, found]) => [ino, found.ref]));
}

async function addContainersOf(engine: EngineClient, byInode: Map<number, Found>): Promise<void> {
  const list = await engine.getJson('/containers/json');
  // Every engine has this endpoint: whatever answered the ping is not one.
  if (!list.found) throw statusError(list.label, 404, list.message);
  const listed = readListed(list.body, list.label);
  const inspected = await mapAtMost(INSPECTS_AT_ONCE, listed, async ({ id }) => {
    const answer = await engine.getJson(`/containers/${encodeURIComponent(id)}/json`);
    return answer.found ? readInspected(answer.body, answer.label) : undefined; // removed meanwhile
  });
  for (const container of inspected) {
    const ino = container ? namespaceInodeOf(container) : undefined;
    if (container === undefined || ino === undefined) continue;
    const found: Found = {
      ref: { id: container.id, name: container.name, runtime: engine.runtime },
      joined: container.networkMode.startsWith('container:'),
    };
    const earlier = byInode.get(ino);
    if (!earlier || prefer(found, earlier)) byInode.set(ino, found);
  }
}

function namespaceInodeOf(container: InspectedContainer): number | undefined {
  if (!container.running || container.pid === 0 || container.networkMode === 'host') return undefined;
  // A process that exited since the inspect is simply not mapped.
  return netnsOfPid(container.pid)?.ino;
}

// The owner of a shared namespace before those that joined it; then by name,
// so that the answer does not depend on the engine's list order.
function prefer(candidate: Found, earlier: Found): boolean {
  if (candidate.joined !== earlier.joined) return !candidate.joined;
  return candidate.ref.name < earlier.ref.name;
}

async function mapAtMost<T, R>(limit: number, items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (next < items.length && !failed) {
      const index = next++;
      try {
        results[index] = await fn(items[index]);
      } catch (error) {
        failed = true; // the others stop asking: the call has failed
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
