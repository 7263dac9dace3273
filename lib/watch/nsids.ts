// setNsid / listNsids: `ip netns set NAME ID|auto` and `ip netns list-id`.
// An nsid is a number an *observer* namespace gives another namespace (its
// socket's view); ids are per observer, can be neither changed nor removed,
// and are reused lowest-first once their namespace dies.
import { NetnsError, errnoOf } from '../errors';
import { handleOn } from '../handle/net-namespace';
import { openNamespace } from '../proc/open-namespace';
import { listNamespaces } from '../proc/list-namespaces';
import { MAX_NSID, nsidConflictOf, nsidDumpRequest, parseNsidDump, setNsidRequest } from '../rtnl/nsid-assign';
import { nsidIfAny, nsidIn } from '../rtnl/nsid';
import { RtnlSocket } from '../rtnl/transport';
import { type NamespaceRef, type WatchTarget, assertTarget, withOpenTarget } from './targets';

export interface NsidOptions {
  /** Whose table: the namespace the id is assigned in. Default: the calling thread's. */
  observer?: WatchTarget;
}

export interface NsidEntry {
  nsid: number;
  /** The namespace behind the id; null when none found on the host has it (it may be held by an fd only). */
  netns: { ino: number; names: string[] } | null;
}

function assertNsid(nsid: unknown): asserts nsid is number | 'auto' {
  if (nsid === 'auto') return;
  if (typeof nsid !== 'number' || !Number.isInteger(nsid)) {
    throw new TypeError(`nsid must be an integer or 'auto', got ${JSON.stringify(nsid)}`);
  }
  if (nsid < 0 || nsid > MAX_NSID) throw new RangeError(`nsid must be from 0 to ${MAX_NSID}, got ${nsid}`);
}

function assertOptions(options: unknown): asserts options is NsidOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  const { observer } = options as NsidOptions;
  if (observer !== undefined) assertTarget(observer, 'observer');
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
 */
export function listNsids(options: NsidOptions = {}): NsidEntry[] {
  assertOptions(options);
  using socket = observerSocket(options.observer);
  const ids = parseNsidDump(socket.dump({ what: 'RTM_GETNSID' }, (seq) => nsidDumpRequest(seq)).messages);
  const byId = new Map<number, { ino: number; names: string[] }>();
  if (ids.length > 0) {
    for (const info of listNamespaces({ nsid: false })) {
      let handle;
      try {
        handle = handleOn(openNamespace(info));
      } catch {
        continue; // gone since it was listed
      }
      try {
        const id = nsidIfAny(socket, handle.fd);
        if (id !== undefined) byId.set(id, { ino: info.ino, names: [...info.names] });
      } finally {
        handle.close();
      }
      if (byId.size === ids.length) break;
    }
  }
  return ids.map((nsid) => ({ nsid, netns: byId.get(nsid) ?? null }));
}
