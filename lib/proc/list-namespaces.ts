// listNamespaces(): every network namespace on the host, as `lsns -t net`
// finds them: through processes (/proc/*/ns/net) and nsfs bind mounts
// (/proc/self/mountinfo), so that a namespace kept alive only by a name in
// /run/netns is listed too; on request also through fds that hold one
// (/proc/*/fd/*), which costs a readlink per open fd on the host.
import fs from 'node:fs';
import path from 'node:path';
import { nsidOf } from '../rtnl/nsid';
import {
  commandOf, listPids, netnsFdsOfPid, netnsMounts, netnsOfPid, readUserNames, uidOf,
} from './proc-scan';
import { type RunDirOptions, resolveRunDir } from '../named/run-dir';

export interface NamespaceInfo {
  /** The nsfs inode, lsns's NS column. */
  ino: number;
  /** `net:[INO]`. */
  id: string;
  /** Processes (thread-group leaders) in it. */
  nprocs: number;
  pids: number[];
  /** The lowest of `pids`, lsns's PID column. */
  pid?: number;
  uid?: number;
  user?: string;
  /** Command line of `pid`. */
  command?: string;
  /** Where an nsfs file of it is bind-mounted (lsns's NSFS column). */
  nsfs: string[];
  /** Its names in the run dir. */
  names: string[];
  /** Processes holding it through an open fd, with the fd numbers (with `fdHolders: true`). */
  heldBy: Array<{ pid: number; fd: number }>;
  /** Its nsid in the caller's namespace, where assigned. */
  nsid?: number;
}

function emptyInfo(ino: number): NamespaceInfo {
  return { ino, id: `net:[${ino}]`, nprocs: 0, pids: [], nsfs: [], names: [], heldBy: [] };
}

// Asks for the nsid through any file that reaches the namespace.
function readNsid(info: NamespaceInfo): number | undefined {
  const candidates = [
    ...info.pids.map((pid) => `/proc/${pid}/ns/net`),
    ...info.nsfs,
    ...info.heldBy.map(({ pid, fd }) => `/proc/${pid}/fd/${fd}`),
  ];
  for (const candidate of candidates) {
    let fd: number;
    try {
      fd = fs.openSync(candidate, fs.constants.O_RDONLY);
    } catch {
      continue;
    }
    try {
      if (fs.fstatSync(fd).ino !== info.ino) continue;
      return nsidOf(fd);
    } catch {
      return undefined;
    } finally {
      fs.closeSync(fd);
    }
  }
  return undefined;
}

export interface ListNamespacesOptions extends RunDirOptions {
  /** Ask rtnetlink for each namespace's nsid (one open + request each). Default true. */
  nsid?: boolean;
  /**
   * Also find namespaces held only by an open fd, scanning every process's
   * fds (as util-linux 2.39+ lsns does). Default false: it costs about as much
   * as the rest of the listing.
   */
  fdHolders?: boolean;
}

export function listNamespaces(options: ListNamespacesOptions = {}): NamespaceInfo[] {
  const runDir = resolveRunDir(options);
  const found = new Map<number, NamespaceInfo>();
  const infoFor = (ino: number): NamespaceInfo => {
    let info = found.get(ino);
    if (!info) found.set(ino, info = emptyInfo(ino));
    return info;
  };

  for (const pid of listPids()) {
    const netns = netnsOfPid(pid);
    if (netns !== undefined) infoFor(netns.ino).pids.push(pid);
    if (!options.fdHolders) continue;
    for (const held of netnsFdsOfPid(pid)) infoFor(held.ino).heldBy.push({ pid, fd: held.fd });
  }
  for (const mount of netnsMounts()) {
    const info = infoFor(mount.ino);
    info.nsfs.push(mount.mountPoint);
    if (path.dirname(mount.mountPoint) === runDir) info.names.push(path.basename(mount.mountPoint));
  }

  const withNsid = options.nsid !== false;
  const userNames = readUserNames();
  for (const info of found.values()) {
    info.pids.sort((a, b) => a - b);
    info.nprocs = info.pids.length;
    info.pid = info.pids[0];
    if (info.pid !== undefined) {
      info.uid = uidOf(info.pid);
      if (info.uid !== undefined) info.user = userNames.get(info.uid) ?? String(info.uid);
      info.command = commandOf(info.pid);
    }
    if (withNsid) {
      const nsid = readNsid(info);
      if (nsid !== undefined) info.nsid = nsid;
    }
  }
  return [...found.values()].sort((a, b) => a.ino - b.ino);
}
