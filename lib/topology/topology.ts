// topology(): one call that maps the host's network: every namespace that
// listNamespaces() finds, what links and addresses each holds (read over a
// socket made inside it), and every veth pair between them, confirmed from
// both ends (veth-peers.ts). The kernel work is synchronous; the call returns
// a promise so that enrichment steps (container names) can be asynchronous.
import type { RunDirOptions } from '../named/run-dir';
import { listingSteps } from '../proc/list-namespaces';
import { runSliced, type Steps } from '../steps';
import type { ContainerEngineOptions } from '../containers/engine-socket';
import { containerNames } from './container-names';
import { assertEnrichers, runEnrichers, type TopologyEnricher } from './enrich';
import { NetnsError } from '../errors';
import { HostNamespaces, type NamespaceSource } from './host-namespaces';
import type { Topology, TopologyNamespace } from './model';
import { type NamespaceSelector, notFound, selectNamespaces } from './select';
import { VethResolver } from './veth-peers';

/** What {@link topology} maps, and what it asks besides the kernel. */
export interface TopologyOptions extends RunDirOptions {
  /**
   * Also find namespaces held only by an open namespace fd of some process
   * (a look at every process's fds, as lsns does). Default true.
   */
  fdHolders?: boolean;
  /** Also find namespaces held only by a socket (see listNamespaces). Default false. */
  socketHolders?: boolean;
  /**
   * Map only these namespaces: handles, run-dir names, absolute paths,
   * `{ pid }`, or ids (`net:[INO]`). Their veths' peers are still found in
   * the rest of the host; those namespaces are then named by id only.
   */
  namespaces?: readonly NamespaceSelector[];
  /** List only veths (and their addresses) in each namespace. Default false. */
  onlyVeths?: boolean;
  /**
   * Container names from a Docker- or Podman-compatible engine socket, when
   * one is reachable (see fromContainer for which sockets are tried); pass
   * engine options, or false to skip. Default true, with a 3 s time limit.
   */
  containers?: boolean | ContainerEngineOptions;
  /** More steps that add what the kernel cannot tell, run in order on the finished map. */
  enrich?: readonly TopologyEnricher[];
}

function assertOptions(options: TopologyOptions): void {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  for (const flag of ['fdHolders', 'socketHolders', 'onlyVeths'] as const) {
    if (options[flag] !== undefined && typeof options[flag] !== 'boolean') {
      throw new TypeError(`${flag} must be a boolean, got ${typeof options[flag]}`);
    }
  }
  if (options.enrich !== undefined) assertEnrichers(options.enrich);
  const { containers } = options;
  if (
    containers !== undefined &&
    typeof containers !== 'boolean' &&
    (typeof containers !== 'object' || containers === null)
  ) {
    throw new TypeError('containers must be a boolean or engine options');
  }
}

/**
 * Every network namespace of the host, its links and addresses, and the veth
 * pairs between them: the one model the pictures and the command line's
 * `graph` read.
 *
 * Maps every namespace {@link listNamespaces} finds (with `fdHolders`), and
 * every veth pair, confirmed from both ends by the nsid each namespace gave
 * the other (never by ifindex alone: it is unique only per namespace; nsids
 * are per observer). Container names come from a Docker/Podman engine when
 * one answers (by default tried with a 3 s limit). A namespace that cannot be
 * read (EPERM, ended meanwhile) gets its own `error`; the map is still made.
 * A veth whose other end cannot be named goes to `unresolved` with a `code`
 * and a `reason`.
 *
 * @example
 * ```js
 * const map = await topology();           // { format: 1, namespaces, vethPairs: [{ a, b }], unresolved }
 * console.log(renderText(map));
 * ```
 */
export async function topology(options: TopologyOptions = {}): Promise<Topology> {
  assertOptions(options);
  const { containers = true } = options;
  const steps = [
    ...(containers === false ? [] : [containerNames(containers === true ? {} : containers)]),
    ...(options.enrich ?? []),
  ];
  const map = await runSliced(topologySteps(options));
  await runEnrichers(map.namespaces, steps);
  return map;
}

/**
 * The kernel's part of the map as a scan that yields after each process
 * listed and each namespace read (see steps.ts): no slice of it holds the
 * event loop for long, however many namespaces the host has. Every fd it
 * opens is closed when it ends or throws.
 */
function* topologySteps(options: TopologyOptions): Steps<Topology> {
  const selection = options.namespaces === undefined ? undefined : selectNamespaces(options.namespaces, options);
  try {
    using host = new HostNamespaces();
    // Targets first, so that their open handles are used rather than opened again.
    for (const { handle, info } of selection?.targets ?? []) host.add(info, handle);
    const listing = { fdHolders: options.fdHolders ?? true, socketHolders: options.socketHolders ?? false };
    // The handles opened here for the selection are not holders of their namespaces:
    // the map is of the host, not of the call making it.
    const ownFds = new Set((selection?.opened ?? []).map((handle) => handle.fd));
    const listed = yield* listingSteps({ ...listing, nsid: false, owners: false, runDir: options.runDir });
    for (const info of listed) {
      info.heldBy = info.heldBy.filter((holder) => holder.pid !== process.pid || !ownFds.has(holder.fd));
      host.add(info);
    }
    const known = new Set(host.known);
    const wanted = selection ? [...selection.inos] : [...known];
    host.mapped = wanted.filter((ino) => known.has(ino)).sort((a, b) => a - b);
    // Each namespace read in steps of its own; errors stay with it (describeNamespace).
    yield* host.readMapped();

    const { vethPairs, unresolved } = yield* new VethResolver(host).pairSteps();
    const namespaces = host.mapped.map((ino) => describeNamespace(host.source(ino), options.onlyVeths ?? false));
    for (const ino of wanted.filter((ino) => !known.has(ino))) namespaces.push(missingNamespace(ino));
    return { format: 1, namespaces, vethPairs, unresolved };
  } finally {
    for (const handle of selection?.opened ?? []) handle.close();
  }
}

/** @internal One namespace of the map; a failure to open or read it becomes its `error`. */
export function describeNamespace(source: NamespaceSource, onlyVeths: boolean): TopologyNamespace {
  const { info } = source;
  const entry: TopologyNamespace = {
    id: info.id,
    ino: info.ino,
    names: [...info.names],
    nsfs: [...info.nsfs],
    pids: [...info.pids],
    links: [],
    addresses: [],
  };
  if (info.command !== undefined) entry.command = info.command;
  if (info.heldBy.length > 0) entry.heldBy = info.heldBy.map((holder) => ({ ...holder }));
  if (source.current) entry.current = true;
  try {
    const links = source.links.get();
    const addresses = source.addresses.get();
    entry.links = onlyVeths ? links.filter((link) => link.kind === 'veth') : links;
    const listed = new Set(entry.links.map((link) => link.ifindex));
    entry.addresses = onlyVeths ? addresses.filter((address) => listed.has(address.ifindex)) : addresses;
  } catch (error) {
    entry.error = describeFailure(error);
  }
  return entry;
}

/** An id asked for that no namespace on the host has: reported, not thrown (it may just have ended). */
function missingNamespace(ino: number): TopologyNamespace {
  return {
    id: `net:[${ino}]`,
    ino,
    names: [],
    nsfs: [],
    pids: [],
    links: [],
    addresses: [],
    error: describeFailure(notFound(ino)),
  };
}

/** How a namespace's failure is shown in the map. */
function describeFailure(error: unknown): { code: string; message: string } {
  if (error instanceof NetnsError) return { code: error.code, message: error.message };
  const code = (error as { code?: unknown })?.code;
  return { code: typeof code === 'string' ? code : 'EUNKNOWN', message: String((error as Error)?.message ?? error) };
}
