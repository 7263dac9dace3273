// setNsid / listNsids: `ip netns set NAME ID|auto` and `ip netns list-id
// [target-nsid N]`. An nsid is a number an *observer* namespace gives another
// namespace (its socket's view); ids are per observer, can be neither changed
// nor removed, and are reused lowest-first once their namespace dies.
import { NetnsError, errnoOf } from '../errors';
import { handleOn } from '../handle/net-namespace';
import { openNamespace } from '../proc/open-namespace';
import { listNamespaces } from '../proc/list-namespaces';
import {
  nsidConflictOf,
  nsidDumpRequest,
  parseNsidDump,
  parseTargetNsidDump,
  setNsidRequest,
} from '../rtnl/nsid-assign';
import { MAX_NSID } from '../rtnl/nsid-codec';
import { type NsidTable, nsidIfAny, nsidIn } from '../rtnl/nsid';
import { RtnlSocket } from '../rtnl/transport';
import { type NamespaceRef, type WatchTarget, assertTarget, withOpenTarget } from './targets';

export interface NsidOptions {
  /** Whose table: the namespace the id is assigned in. Default: the calling thread's. */
  observer?: WatchTarget;
}

export interface ListNsidsOptions extends NsidOptions {
  /**
   * List this namespace's table instead, each id with the observer's own id
   * for the same namespace (`ip netns list-id target-nsid N`, N being the
   * target's id in the observer's table, which it must have).
   */
  target?: WatchTarget;
}

/** A namespace behind an id; null when none found on the host has it (it may be held by an fd only). */
export type NsidNamespace = { ino: number; names: string[] } | null;

export interface NsidEntry {
  nsid: number;
  netns: NsidNamespace;
}

/** An id of the target's table (listNsids with `target`). */
export interface TargetNsidEntry {
  /** The id the target gave the namespace (what ip prints as "nsid" with target-nsid). */
  targetNsid: number;
  /** The id the observer gives the same namespace ("current-nsid"); null when it gives none. */
  nsid: number | null;
  netns: NsidNamespace;
}

function assertNsid(nsid: unknown): asserts nsid is number | 'auto' {
  if (nsid === 'auto') return;
  if (typeof nsid !== 'number' || !Number.isInteger(nsid)) {
    throw new TypeError(`nsid must be an integer or 'auto', got ${JSON.stringify(nsid)}`);
  }
  if (nsid < 0 || nsid > MAX_NSID) throw new RangeError(`nsid must be from 0 to ${MAX_NSID}, got ${nsid}`);
}

function assertOptions(options: unknown): asserts options is ListNsidsOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  const { observer, target } = options as ListNsidsOptions;
  if (observer !== undefined) assertTarget(observer, 'observer');
  if (target !== undefined) assertTarget(target, 'target');
}

/** A socket speaking for the observer (the calling thread's namespace by default). */
function observerSocket(observer: WatchTarget | undefined): RtnlSocket {
  if (observer === undefined) return RtnlSocket.here();
  return withOpenTarget(observer, (ref) => RtnlSocket.inside(ref));
}

/** @internal Assigns over an open observer socket; returns the id the namespace has afterwards. */
export function assignNsid(socket: RtnlSocket, target: NamespaceRef, nsid: number | 'auto'): number {
  const wanted = nsid === 'auto' ? undefined : nsid;
  const current = nsidIn(socket, target.fd);
  if (current !== undefined) {
    if (wanted === undefined || wanted === current) return current;
    throw new NetnsError({
      errno: errnoOf('EEXIST'),
      syscall: 'RTM_NEWNSID',
      path: target.name ?? `net:[${target.ino}]`,
      description: `the namespace already has nsid ${current} here, and an nsid cannot be changed`,
      hint: '',
    });
  }
  try {
    socket.request({ what: 'RTM_NEWNSID', subject: target.name ?? `net:[${target.ino}]` }, (seq) =>
      setNsidRequest(seq, target.fd, wanted),
    );
  } catch (error) {
    if (error instanceof NetnsError && error.code === 'EEXIST') {
      const conflict = nsidConflictOf(error.kernelMessage);
      // Raced another assigner: "auto" is then satisfied by what it got.
      if (conflict === 'namespace-has-id' && wanted === undefined) return nsidIn(socket, target.fd) as number;
      throw new NetnsError({
        errno: error.errno,
        syscall: 'RTM_NEWNSID',
        path: error.path,
        description:
          conflict === 'id-in-use'
            ? `nsid ${wanted} is already used by another namespace here`
            : 'the namespace already has an nsid here, and an nsid cannot be changed',
        kernelMessage: error.kernelMessage,
        hint: '',
        cause: error,
      });
    }
    throw error;
  }
  const assigned = nsidIn(socket, target.fd);
  if (assigned === undefined) throw new Error('netlink: RTM_NEWNSID was acked but no nsid is assigned');
  return assigned;
}

/**
 * `ip netns set`: gives `target` the id `nsid` (or the lowest free one, for
 * 'auto') in the observer's table, and returns the id. Asking again for the
 * id it already has (or 'auto') returns it; another id is refused (EEXIST),
 * as is an id another namespace holds (EEXIST, said apart in the message).
 */
export function setNsid(target: WatchTarget, nsid: number | 'auto', options: NsidOptions = {}): number {
  assertTarget(target);
  assertNsid(nsid);
  assertOptions(options);
  using socket = observerSocket(options.observer);
  return withOpenTarget(target, (ref) => assignNsid(socket, ref, nsid));
}

/**
 * `ip netns list-id`: the observer's table, each id with the namespace behind
 * it among those listNamespaces() finds (asked of the observer's own socket).
 * With `target`: the target's table as the kernel shows it to the observer
 * (`ip netns list-id target-nsid N`), each id with the observer's own id for
 * the same namespace. The observer must have given the target an nsid (the
 * kernel names the target so): else an ENOENT NetnsError, and nothing assigned.
 */
export function listNsids(options?: NsidOptions): NsidEntry[];
export function listNsids(options: ListNsidsOptions & { target: WatchTarget }): TargetNsidEntry[];
export function listNsids(options?: ListNsidsOptions): NsidEntry[] | TargetNsidEntry[];
export function listNsids(options: ListNsidsOptions = {}): NsidEntry[] | TargetNsidEntry[] {
  assertOptions(options);
  using socket = observerSocket(options.observer);
  if (options.target !== undefined) return listTargetTable(socket, options.target);
  const ids = parseNsidDump(socket.dump({ what: 'RTM_GETNSID' }, (seq) => nsidDumpRequest(seq)).messages);
  const byId = namespacesById(socket, ids.length, {});
  return ids.map((nsid) => ({ nsid, netns: byId.get(nsid) ?? null }));
}

function listTargetTable(socket: RtnlSocket, target: WatchTarget): TargetNsidEntry[] {
  const { targetNsid, label } = withOpenTarget(target, (ref) => ({
    targetNsid: nsidIn(socket, ref.fd),
    label: ref.name ?? `net:[${ref.ino}]`,
  }));
  if (targetNsid === undefined) {
    throw new NetnsError({
      errno: errnoOf('ENOENT'),
      syscall: 'RTM_GETNSID',
      path: label,
      description:
        'the observer has given the target no nsid, and the kernel shows another table only by that id ' +
        "(setNsid(target, 'auto', { observer }) gives one)",
      hint: '',
    });
  }
  // Without strict checking the kernel ignores NETNSA_TARGET_NSID and dumps the observer's table.
  socket.checkStrictly();
  const rows = parseTargetNsidDump(
    socket.dump({ what: 'RTM_GETNSID', subject: `target-nsid ${targetNsid}` }, (seq) =>
      nsidDumpRequest(seq, { targetNsid }),
    ).messages,
  );
  const byId = namespacesById(socket, rows.length, { targetNsid });
  return rows.map((row) => ({
    targetNsid: row.nsid,
    nsid: row.currentNsid ?? null,
    netns: byId.get(row.nsid) ?? null,
  }));
}

/**
 * The namespaces listNamespaces() finds, by the id `table` gives each (asked
 * of the observer's socket), until `wanted` ids are placed.
 */
function namespacesById(socket: RtnlSocket, wanted: number, table: NsidTable): Map<number, NsidNamespace> {
  const byId = new Map<number, NsidNamespace>();
  if (wanted === 0) return byId;
  for (const info of listNamespaces({ nsid: false })) {
    let handle;
    try {
      handle = handleOn(openNamespace(info));
    } catch {
      continue; // gone since it was listed
    }
    try {
      const id = nsidIfAny(socket, handle.fd, table);
      if (id !== undefined) byId.set(id, { ino: info.ino, names: [...info.names] });
    } finally {
      handle.close();
    }
    if (byId.size === wanted) break;
  }
  return byId;
}
