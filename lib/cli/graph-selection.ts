// Which namespaces `graph` maps: NS positionals (names, nsfs paths, net:[INO]
// ids), --pid P and --container C, each repeatable, as topology() selectors.
// A namespace asked for that does not exist fails the command, however it was
// named: topology() keeps an unknown id in the map as an error entry (a
// library caller's map goes on), but here it is the answer asked for.
import { type NamespaceSelector, type NetNamespace, type Topology, fromContainer } from '../index';
import { notFound } from '../topology/select';
import { type ParsedArgs, parsePid, stringOptions } from './args';

const ID_PATTERN = /^net:\[(\d+)\]$/;

/**
 * Runs `draw` with the selectors (undefined: the whole host); the containers'
 * handles are opened first and closed after, whatever happens.
 */
export async function withGraphSelection<T>(values: ParsedArgs['values'], positionals: readonly string[],
  draw: (selectors: NamespaceSelector[] | undefined) => Promise<T>): Promise<T> {
  const pids = stringOptions(values, 'pid').map((pid) => ({ pid: parsePid(pid, '--pid') }));
  const containers: NetNamespace[] = [];
  try {
    for (const ref of stringOptions(values, 'container')) containers.push(await fromContainer(ref));
    const selectors: NamespaceSelector[] = [...positionals, ...pids, ...containers];
    return await draw(selectors.length > 0 ? selectors : undefined);
  } finally {
    for (const ns of containers) ns.close();
  }
}

/** Throws the library's own ENOENT for an id given that the map found no namespace for. */
export function assertSelectedIdsExist(map: Topology, positionals: readonly string[]): void {
  for (const positional of positionals) {
    const id = ID_PATTERN.exec(positional);
    if (!id) continue;
    const missing = notFound(Number(id[1]));
    const entry = map.namespaces.find((namespace) => namespace.ino === Number(id[1]));
    if (entry === undefined || entry.error?.message === missing.message) throw missing;
  }
}
