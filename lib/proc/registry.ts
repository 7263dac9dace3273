// ip netns list | identify | pids: looking names and processes up.
import fs from 'node:fs';
import path from 'node:path';
import { toNetnsError } from '../errors';
import { type RunDirOptions, resolveRunDir } from '../named/run-dir';
import { openNetnsOfPid } from '../nsfs/from-pid';
import { closeFd, openNetnsFile } from '../nsfs/nsfs-file';
import type { NamespaceRef } from '../ref';
import { nsidIfAny } from '../rtnl/nsid';
import { RtnlSocket } from '../rtnl/transport';
import { assertPid } from '../validate';
import { listPids, netnsOfPid } from './proc-scan';

/** One name in the run dir, as {@link listNamed} gives it (`ip netns list`). */
export interface NamedNamespace {
  /** The name, `red` for `/run/netns/red`. */
  name: string;
  /** The file in the run dir. */
  path: string;
  /** `net:[INO]`; undefined for a file with no namespace mounted on it. */
  id?: string;
  /** The nsfs inode; undefined for a file with no namespace mounted on it. */
  ino?: number;
  /** The nsid this namespace has in the caller's namespace (`ip netns list` "id: N"). */
  nsid?: number;
}

function runDirEntries(runDir: string): string[] {
  try {
    return fs.readdirSync(runDir).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw toNetnsError(error, runDir);
  }
}

/**
 * `ip netns list`: every name in the run dir, sorted, each `{ name, path, id,
 * ino, nsid? }`, with its nsid where one is assigned. A run dir that does not
 * exist yet is an empty list.
 */
export function listNamed(options: RunDirOptions = {}): NamedNamespace[] {
  const runDir = resolveRunDir(options);
  using socket = RtnlSocket.here(); // asks for every nsid: as this thread's namespace numbers them
  return runDirEntries(runDir).map((name) => {
    const file = path.join(runDir, name);
    let ns;
    try {
      ns = openNetnsFile(file);
    } catch {
      return { name, path: file }; // a placeholder or stray file
    }
    try {
      const entry: NamedNamespace = { name, path: file, id: `net:[${ns.ino}]`, ino: ns.ino };
      const nsid = nsidIfAny(socket, ns.fd);
      if (nsid !== undefined) entry.nsid = nsid;
      return entry;
    } finally {
      closeFd(ns.fd);
    }
  });
}

/** @internal Names in the run dir whose namespace has this nsfs dev/ino. */
function namesOf(identity: { dev: number; ino: number }, options: RunDirOptions = {}): string[] {
  const runDir = resolveRunDir(options);
  return runDirEntries(runDir).filter((name) => {
    try {
      const stat = fs.statSync(path.join(runDir, name));
      return stat.dev === identity.dev && stat.ino === identity.ino;
    } catch {
      return false;
    }
  });
}

/**
 * `ip netns identify PID`, but returns **every** name of the process's
 * namespace (iproute2 prints only the last match).
 */
export function identify(pid: number, options: RunDirOptions = {}): string[] {
  assertPid(pid);
  const file = openNetnsOfPid(pid);
  try {
    return namesOf(file, options);
  } finally {
    closeFd(file.fd);
  }
}

/** ip netns pids NAME: the processes (thread-group leaders) in the namespace of this identity. */
export function pidsIn(ns: Pick<NamespaceRef, 'dev' | 'ino'>): number[] {
  const inside = (pid: number) => {
    const found = netnsOfPid(pid);
    return found !== undefined && found.dev === ns.dev && found.ino === ns.ino;
  };
  return listPids()
    .filter(inside)
    .sort((a, b) => a - b);
}
