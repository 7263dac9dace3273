// What watch() takes and what it counts, and the check of its options, made
// before anything is opened.
import { WATCH_KINDS, type WatchKind } from './events';
import { type WatchTarget, assertTarget } from './targets';

export interface WatchOptions {
  /** 'current' (default): the calling thread's namespace; 'all': every one, also those made later; or a list. */
  namespaces?: 'current' | 'all' | readonly WatchTarget[];
  /** What to report (default: all kinds). Links are followed in any case (the other kinds are named by them). */
  kinds?: readonly WatchKind[];
  /** Report what exists first ('exists' events), then 'ready'. Default false ('ready' still comes). */
  listExisting?: boolean;
  /** SO_RCVBUF(FORCE) of the event socket, in bytes; the kernel doubles it. Default: the system's. */
  receiveBufferSize?: number;
  /** Closes the watch when aborted. */
  signal?: AbortSignal;
  /** The most events async iteration holds for a slow reader before it resyncs it (default 4096). */
  maxQueue?: number;
  /** 'all': how often to look for namespaces no event announced, in ms (default 2000; 0: never). */
  rescanInterval?: number;
}

export interface WatchStats {
  /** Events reported. */
  events: number;
  /** Times events were lost: the kernel's buffer (ENOBUFS) or the iteration queue overflowed. */
  overruns: number;
  /** Re-reads of every watched namespace after an overrun. */
  resyncs: number;
  /** The event socket's receive buffer as the kernel granted it (bytes). */
  receiveBufferSize: number;
}

export function assertWatchOptions(options: unknown): asserts options is WatchOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  const { namespaces, kinds, receiveBufferSize, signal, maxQueue, rescanInterval, listExisting } =
    options as WatchOptions;
  if (namespaces !== undefined && namespaces !== 'current' && namespaces !== 'all') {
    if (!Array.isArray(namespaces)) throw new TypeError("namespaces must be 'current', 'all' or an array of targets");
    namespaces.forEach((target, index) => assertTarget(target, `namespaces[${index}]`));
  }
  if (kinds !== undefined) {
    if (!Array.isArray(kinds)) throw new TypeError('kinds must be an array');
    for (const kind of kinds) {
      if (!WATCH_KINDS.includes(kind)) {
        throw new TypeError(`kinds: unknown kind ${JSON.stringify(kind)} (one of ${WATCH_KINDS.join(', ')})`);
      }
    }
  }
  const positive = (value: unknown, what: string, min: number) => {
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isInteger(value)) throw new TypeError(`${what} must be an integer`);
    if (value < min || value > 2 ** 31 - 1) throw new RangeError(`${what} must be from ${min} to ${2 ** 31 - 1}`);
  };
  positive(receiveBufferSize, 'receiveBufferSize', 1);
  positive(maxQueue, 'maxQueue', 1);
  positive(rescanInterval, 'rescanInterval', 0);
  if (listExisting !== undefined && typeof listExisting !== 'boolean') {
    throw new TypeError('listExisting must be a boolean');
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError('signal must be an AbortSignal');
}
