// The namespaces lib/watch works on, taken structurally (so that this folder
// imports no handle class for its types), and the one place that opens a
// target given by name, path or pid, through the public NetNamespace
// factories.
import { native } from '../binding';
import { check } from '../errors';
import { NetNamespace } from '../handle/net-namespace';
import type { NamespaceRef } from '../ref';

export type { NamespaceRef };

/** A namespace as functions of lib/watch accept it: a handle, a run-dir name, an absolute path, or `{ pid }`. */
export type WatchTarget = NamespaceRef | string | { pid: number };

export interface OpenedTarget {
  ref: NamespaceRef;
  /** Close it when done: it was opened for this call. */
  close(): void;
}

function isRef(target: object): target is NamespaceRef {
  const candidate = target as Partial<NamespaceRef>;
  return typeof candidate.enter === 'function' && typeof candidate.ino === 'number';
}

/** Checks a target's shape, before any side effect. */
export function assertTarget(target: unknown, what = 'target'): asserts target is WatchTarget {
  if (typeof target === 'string' && target.length > 0) return;
  if (typeof target === 'object' && target !== null) {
    if (isRef(target)) return;
    const pid = (target as { pid?: unknown }).pid;
    if (Number.isInteger(pid) && (pid as number) > 0) return;
  }
  throw new TypeError(
    `${what} must be a NetNamespace, a namespace name, an absolute path or { pid }, got ` +
      (target === null ? 'null' : typeof target === 'object' ? 'another object' : JSON.stringify(target)),
  );
}

/** Opens the namespace `target` designates (a handle passes through, not owned). */
export function openTarget(target: WatchTarget): OpenedTarget {
  assertTarget(target);
  if (typeof target === 'object' && isRef(target)) return { ref: target, close: () => {} };
  const handle =
    typeof target === 'string'
      ? target.startsWith('/')
        ? NetNamespace.fromPath(target)
        : NetNamespace.fromName(target)
      : NetNamespace.fromPid(target.pid);
  return { ref: handle, close: () => handle.close() };
}

/** Runs fn with the target open, closing it afterwards when it was opened here. */
export function withOpenTarget<T>(target: WatchTarget, fn: (ref: NamespaceRef) => T): T {
  const opened = openTarget(target);
  try {
    return fn(opened.ref);
  } finally {
    opened.close();
  }
}

/** The namespace a socket belongs to (SIOCGSKNS): the watch's observer, opened only while needed. */
export function openSocketNamespace(socketFd: number): OpenedTarget {
  const raw = check(native.socketNetns(socketFd));
  try {
    const handle = NetNamespace.fromPath(`/proc/self/fd/${raw}`);
    return { ref: handle, close: () => handle.close() };
  } finally {
    native.close(raw);
  }
}
