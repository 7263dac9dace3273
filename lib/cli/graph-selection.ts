// Which namespaces `graph` maps: NS positionals (names, nsfs paths, net:[INO]
// ids), --pid P and --container C, each repeatable, as topology() selectors.
// A namespace asked for that does not exist fails the command, however it was
// named: topology() keeps an unknown id in the map as an error entry (a
// library caller's map goes on), but here it is the answer asked for.
import type { NamespaceSelector, NetNamespace, Topology } from '../index';
import { inoOfNetnsId } from '../nsfs/namespace-id';
import { notFound } from '../topology/select';
import { checkContainerRef } from '../containers/from-container';
import { type ParsedArgs, checkArgument, parsePid, stringOptions } from './args';
import { checkNsArgument, openContainer } from './target';

/**
 * Runs `draw` with the selectors (undefined: the whole host); the containers'
 * handles are opened first and closed after, whatever happens.
 */
export async function withGraphSelection<T>(
  values: ParsedArgs['values'],
  positionals: readonly string[],
  draw: (selectors: NamespaceSelector[] | undefined) => Promise<T>,
): Promise<T> {
  const pids = stringOptions(values, 'pid').map((pid) => ({ pid: parsePid(pid, '--pid') }));
  for (const ref of stringOptions(values, 'container')) checkArgument(() => checkContainerRef(ref));
  for (const positional of positionals) {
    if (inoOfNetnsId(positional) !== undefined) continue;
    checkNsArgument(positional);
  }
  const containers: NetNamespace[] = [];
  try {
    for (const ref of stringOptions(values, 'container')) containers.push(await openContainer(ref));
    const selectors: NamespaceSelector[] = [...positionals, ...pids, ...containers];
    return await draw(selectors.length > 0 ? selectors : undefined);
  } finally {
    for (const ns of containers) ns.close();
  }
}

/** Throws the library's own ENOENT for an id given that the map found no namespace for. */
export function assertSelectedIdsExist(map: Topology, positionals: readonly string[]): void {
  for (const positional of positionals) {
    const ino = inoOfNetnsId(positional);
    if (ino === undefined) continue;
    const entry = map.namespaces.find((namespace) => namespace.ino === ino);
    // topology() keeps an id it found nowhere as an entry whose error is ENOENT.
    if (entry === undefined || entry.error?.code === 'ENOENT') throw notFound(ino);
  }
}
