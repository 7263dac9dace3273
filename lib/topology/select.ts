// The `namespaces` filter of topology(): which namespaces to map, named as
// everywhere else in the library (a handle, a run-dir name, a path, a pid) or
// by the id an earlier map gave them (`net:[INO]`).
import { NetnsError, errnoOf } from '../errors';
import type { NetNamespace } from '../handle/net-namespace';
import { type NetnsTarget, resolveTarget } from '../handle/targets';
import type { RunDirOptions } from '../named/run-dir';
import { inoOfNetnsId } from '../nsfs/namespace-id';
import type { NamespaceInfo } from '../proc/list-namespaces';

/** `net:[INO]`, as NetNamespace#id, lsns and readlink show a namespace. */
export type NamespaceId = `net:[${number}]`;

/** A namespace to map, for {@link TopologyOptions.namespaces}: a target as {@link enterNetns} takes it, or its id. */
export type NamespaceSelector = NetnsTarget | NamespaceId;

interface Selection {
  /** Inodes of the namespaces to map. */
  inos: Set<number>;
  /** Handles on the targets, with what is known of each (for those no listing finds). */
  targets: Array<{ handle: NetNamespace; info: NamespaceInfo }>;
  /** Handles opened here, to close after the map is made. */
  opened: NetNamespace[];
}

/** @internal What a namespace known only from a handle looks like before (or without) a listing. */
export function infoOfHandle(handle: NetNamespace): NamespaceInfo {
  return {
    ino: handle.ino,
    id: handle.id,
    nprocs: 0,
    pids: [],
    nsfs: [],
    names: handle.name === undefined ? [] : [handle.name],
    heldBy: [],
  };
}

/** @internal
 * Opens every target (a bad name or a dead pid throws, as anywhere else);
 * ids are taken as they are and checked against the listing later.
 */
export function selectNamespaces(selectors: readonly NamespaceSelector[], options: RunDirOptions): Selection {
  if (!Array.isArray(selectors)) throw new TypeError('namespaces must be an array of targets or ids');
  const selection: Selection = { inos: new Set(), targets: [], opened: [] };
  try {
    for (const selector of selectors) {
      const ino = typeof selector === 'string' ? inoOfNetnsId(selector) : undefined;
      if (ino !== undefined) {
        selection.inos.add(ino);
        continue;
      }
      const { namespace, owned } = resolveTarget(selector, options);
      if (owned) selection.opened.push(namespace);
      selection.inos.add(namespace.ino);
      selection.targets.push({ handle: namespace, info: infoOfHandle(namespace) });
    }
  } catch (error) {
    for (const handle of selection.opened) handle.close();
    throw error;
  }
  return selection;
}

/** @internal The error shown for an id that no namespace on the host has (any more). */
export function notFound(ino: number): NetnsError {
  return new NetnsError({
    errno: errnoOf('ENOENT'),
    syscall: 'topology',
    path: `net:[${ino}]`,
    description: 'no such network namespace on this host (it may have ended)',
  });
}
