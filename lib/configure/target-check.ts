// Is the namespace a change went into still the one the caller named? While
// a change runs, our own fd keeps the target alive; but if the process that
// a `{ pid }` target named exited, or the run-dir name was deleted, midway,
// our fd is its last holder, and closing it would destroy the namespace and
// whatever the change put there (a moved physical NIC goes back to the
// initial namespace, a veth is deleted). So before returning, the target is
// named again: if that fails, the change is undone and the caller told why.
// A handle (or the caller's own namespace) cannot go away underneath: the
// caller holds it.
import fs from 'node:fs';
import { NetnsError, errnoOf } from '../errors';
import { openNetnsOfPid } from '../nsfs/from-pid';
import type { NamespaceRef, Target } from '../ref';
import { type NsfsFile, closeFd } from '../nsfs/nsfs-file';

interface Identity {
  dev: number;
  ino: number;
}

function sameNamespace(a: Identity, b: Identity): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

function gone(error: unknown, step: string, path: string): NetnsError {
  const failure = error as Partial<NetnsError>;
  return new NetnsError({
    errno: typeof failure.errno === 'number' ? failure.errno : errnoOf('ESRCH'),
    syscall: failure.syscall ?? 'open',
    path,
    step,
    cause: error,
  });
}

function moved(step: string, path: string, what: string): NetnsError {
  // Node's error table has no ESTALE: EIO, with what happened in the message.
  return new NetnsError({ errno: errnoOf('EIO'), syscall: 'stat', path, step, description: what });
}

/** Throws (ESRCH, ENOENT, EIO) unless `target` still designates `ns`. */
export function confirmTarget(target: Target | undefined, ns: NamespaceRef): void {
  if (typeof target === 'string') {
    const path = ns.path ?? target;
    const step = `confirming that ${path} still names ${ns.id}`;
    let now: Identity;
    try {
      now = fs.statSync(path);
    } catch (error) {
      throw gone(error, step, path);
    }
    if (!sameNamespace(now, ns)) throw moved(step, path, `it names another namespace now`);
    return;
  }
  // A handle has no `pid`; `{ pid }` is the only other object a target can be.
  if (typeof target === 'object' && target !== null && 'pid' in target) {
    const path = `/proc/${target.pid}/ns/net`;
    const step = `confirming that process ${target.pid} is still in ${ns.id}`;
    let file: NsfsFile;
    try {
      file = openNetnsOfPid(target.pid);
    } catch (error) {
      throw gone(error, step, path);
    }
    closeFd(file.fd);
    if (!sameNamespace(file, ns)) throw moved(step, path, `process ${target.pid} has left that namespace`);
  }
}
