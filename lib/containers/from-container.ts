// Container id or name -> its network namespace, through the Engine API:
// inspect it, take the namespace from its main process through a pidfd, then
// prove it against what the engine says (the SandboxKey file, the container
// it joined, and the same pid still running after the fact).
import fs from 'node:fs';
import type { NetnsError } from '../errors';
import { NetNamespace } from '../handle/net-namespace';
import type { ContainerRef } from './container-ref';
import { exitedMeanwhile, namespaceMismatch, networkModeLoop, noSuchContainer, notRunning } from './container-errors';
import { checkContainerRef } from './container-name';
import { type ContainerNetnsInfo, rememberContainer } from './container-origin';
import { askEachEngine, mostTellingUnreachable } from './each-engine';
import { type InspectedContainer, readInspected } from './engine-answers';
import type { EngineClient, EngineJson } from './engine-client';
import type { EngineRequestLabel } from './engine-errors';
import { type Deadline, startDeadline } from './engine-http';
import { type ContainerEngineOptions, checkEngineOptions } from './engine-options';
import { type EngineSockets, engineSockets } from './engine-socket';

/** container:<a> -> container:<b> -> ... deeper than this is refused as a loop. */
const MAX_JOINS = 16;

/**
 * The network namespace of a running Docker or Podman container, by id,
 * unique id prefix or name. `host` network mode gives the host's namespace
 * (the one its process is in); `none` its own empty one; `container:<id>` the
 * namespace of the container it joined. The handle is yours to close();
 * containerOf(handle) tells which container it came from.
 *
 * With neither socketPath nor DOCKER_HOST, each default socket that exists is
 * asked in turn (Docker's, then Podman's) until one knows the container.
 */
export async function fromContainer(idOrName: string, options?: ContainerEngineOptions): Promise<NetNamespace> {
  const ref = checkContainerRef(idOrName);
  const { socketPath, timeoutMs, defaultSockets } = checkEngineOptions(options);
  const sockets = engineSockets(socketPath, process.env, defaultSockets);
  const deadline = startDeadline(timeoutMs);
  try {
    const { engine, inspect } = await findContainer(sockets, deadline, ref);
    return await namespaceOfContainer(engine, inspect);
  } finally {
    deadline.dispose();
  }
}

/**
 * The first engine that knows the container, and its inspect answer. When
 * none does, an engine's own "no such container" says more than a socket
 * that could not be reached (that engine was asked and answered).
 */
async function findContainer(sockets: EngineSockets, deadline: Deadline, ref: string) {
  const misses: NetnsError[] = [];
  const { answer, passedOver } = await askEachEngine(sockets, deadline, async (engine) => {
    const inspect = await engine.getJson(`/containers/${encodeURIComponent(ref)}/json`);
    if (inspect.found) return { engine, inspect };
    misses.push(noSuchContainer(inspect.label, ref, engine.runtime, inspect.message));
    return undefined;
  });
  if (answer) return answer;
  // Some socket was tried or a problem kept: one of the two holds an error.
  throw misses[0] ?? mostTellingUnreachable(passedOver)!;
}

async function namespaceOfContainer(
  engine: EngineClient,
  inspect: EngineJson & { found: true },
): Promise<NetNamespace> {
  const { container, label } = runningContainer(engine, inspect);
  const joined = await followJoins(engine, container);
  const ns = openProcessNamespace(container, label);
  try {
    const sandboxKey = proveAgainstEngine(ns, container, joined, label);
    await confirmStillRunning(engine, container);
    rememberContainer(ns, originOf(engine, container, joined, sandboxKey));
    return ns;
  } catch (error) {
    ns.close();
    throw error;
  }
}

function runningContainer(engine: EngineClient, answer: EngineJson & { found: true }) {
  const container = readInspected(answer.body, answer.label);
  if (!container.running || container.pid === 0) throw notRunning(answer.label, container, engine.runtime);
  return { container, label: answer.label };
}

/**
 * For network mode container:<id>, the container that owns the namespace
 * (following chains); undefined for any other mode, or when the owner is gone
 * (then there is nothing to prove against but the pid itself).
 */
async function followJoins(
  engine: EngineClient,
  container: InspectedContainer,
): Promise<InspectedContainer | undefined> {
  const chain = [container];
  let current = container;
  while (current.networkMode.startsWith('container:')) {
    const target = current.networkMode.slice('container:'.length);
    const answer = await engine.getJson(`/containers/${encodeURIComponent(target)}/json`);
    if (!answer.found) return undefined;
    const next = readInspected(answer.body, answer.label);
    if (chain.some((seen) => seen.id === next.id) || chain.length > MAX_JOINS) {
      throw networkModeLoop(
        answer.label,
        [...chain, next].map((c) => c.name),
      );
    }
    chain.push(next);
    current = next;
  }
  return current === container ? undefined : current;
}

function openProcessNamespace(container: InspectedContainer, label: EngineRequestLabel): NetNamespace {
  try {
    return NetNamespace.fromPid(container.pid);
  } catch (error) {
    if ((error as NetnsError).code === 'ESRCH') throw exitedMeanwhile(label, container, error);
    throw error;
  }
}

/**
 * Compares the namespace by dev/ino with the SandboxKey file (the owner's, for
 * a joined container) and with a running owner's own process. Returns the
 * sandbox key that matched, if one could be seen here.
 */
function proveAgainstEngine(
  ns: NetNamespace,
  container: InspectedContainer,
  joined: InspectedContainer | undefined,
  label: EngineRequestLabel,
): string | undefined {
  if (joined?.running && joined.pid > 0) {
    const owner = statIfNsfs(`/proc/${joined.pid}/ns/net`, ns.dev);
    if (owner && owner.ino !== ns.ino) {
      throw namespaceMismatch(
        label,
        container,
        ns.id,
        `container '${joined.name}' whose namespace it joined is in net:[${owner.ino}]`,
      );
    }
  }
  const key = (joined ?? container).sandboxKey;
  if (key === '') return undefined;
  const sandbox = statIfNsfs(key, ns.dev);
  if (!sandbox) return undefined;
  if (sandbox.ino !== ns.ino) {
    throw namespaceMismatch(label, container, ns.id, `its sandbox key ${key} is net:[${sandbox.ino}]`);
  }
  return key;
}

/**
 * dev/ino of an nsfs file; undefined when it cannot be seen from here: gone,
 * not ours to stat, or the placeholder file of a mount made in another mount
 * namespace (then it is not on the nsfs device).
 */
function statIfNsfs(path: string, nsfsDev: number): fs.Stats | undefined {
  try {
    const stat = fs.statSync(path);
    return stat.dev === nsfsDev ? stat : undefined;
  } catch {
    return undefined;
  }
}

// The pidfd pinned a live process, but the pid came from an earlier answer: if
// the container is still running with that pid now, the process was its own.
async function confirmStillRunning(engine: EngineClient, container: InspectedContainer): Promise<void> {
  const answer = await engine.getJson(`/containers/${encodeURIComponent(container.id)}/json`);
  const now = answer.found ? readInspected(answer.body, answer.label) : undefined;
  if (!now?.running || now.pid !== container.pid) throw exitedMeanwhile(answer.label, container);
}

function originOf(
  engine: EngineClient,
  container: InspectedContainer,
  joined: InspectedContainer | undefined,
  sandboxKey: string | undefined,
): ContainerNetnsInfo {
  const refOf = (c: InspectedContainer): ContainerRef => ({ id: c.id, name: c.name, runtime: engine.runtime });
  return {
    ...refOf(container),
    runtime: engine.runtime,
    pid: container.pid,
    networkMode: container.networkMode,
    ...(joined ? { joined: refOf(joined) } : {}),
    ...(sandboxKey !== undefined ? { sandboxKey } : {}),
  };
}
