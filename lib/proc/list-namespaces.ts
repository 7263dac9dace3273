// listNamespaces(): every network namespace on the host, as `lsns -t net`
// finds them: through processes (/proc/*/ns/net) and nsfs bind mounts
// (/proc/self/mountinfo), so that a namespace kept alive only by a name in
// /run/netns is listed too; on request also through the fds that hold one
// (nsfs fds and sockets, see fd-holders.ts), which costs a look at every
// open fd on the host.
import fs from 'node:fs';
import path from 'node:path';
import { native } from '../binding';
import { type Steps, runAtOnce } from '../steps';
import { type RunDirOptions, resolveRunDir } from '../named/run-dir';
import { anyNsidAssigned } from '../rtnl/nsid';
import { RtnlSocket } from '../rtnl/transport';
import { closeFd } from '../nsfs/nsfs-file';
import { heldNamespaces, holderScan } from './fd-holders';
import type { NamespaceInfo } from './namespace-info';
import { NsidBatch } from './nsid-batch';
import { openFdOn } from './open-namespace';
import { NetnsLinks } from './proc-dir';
import { commandOf, listPids, netnsMounts, readUserNames, uidOf } from './proc-scan';

export type { NamespaceInfo };

/** What {@link listNamespaces} looks through, beyond processes and bind mounts. */
export interface ListNamespacesOptions extends RunDirOptions {
  /** Ask rtnetlink for each namespace's nsid (one open + request each). Default true. */
  nsid?: boolean;
  /**
   * Also find namespaces held only by an open namespace fd, looking at every
   * process's fds (as util-linux 2.39+ lsns does). Default false: it costs
   * about as much as the rest of the listing.
   */
  fdHolders?: boolean;
  /**
   * Also find namespaces held only by a socket made in them (lsns 2.39+
   * asks each socket with SIOCGSKNS). Each socket of every process is
   * duplicated for the question (pidfd_getfd), which on a cgroup-v1 host
   * re-tags its net_cls/net_prio to ours: off unless asked. Default false.
   */
  socketHolders?: boolean;
  /** @internal Skip the owner of namespaces no process is in (a topology() map shows no owners). */
  owners?: boolean;
}

function emptyInfo(ino: number): NamespaceInfo {
  return { ino, id: `net:[${ino}]`, nprocs: 0, pids: [], nsfs: [], names: [], heldBy: [] };
}

/** The owner of the user namespace that owns this network namespace. */
function ownerUid(netnsFd: number): number | undefined {
  const userns = native.nsGetUserns(netnsFd);
  if (typeof userns !== 'number') return undefined;
  try {
    const uid = native.nsGetOwnerUid(userns);
    return typeof uid === 'number' ? uid : undefined;
  } finally {
    native.close(userns);
  }
}

function realpathOr(dir: string): string {
  try {
    return fs.realpathSync.native(dir);
  } catch {
    return dir;
  }
}

/**
 * `lsns -t net`: every network namespace on the host, found through every
 * process (`/proc/PID/ns/net`) and every nsfs bind mount, so one held only by
 * a name is listed too.
 *
 * `{ fdHolders: true }` also finds those held only by an open namespace fd
 * (recognised by the nsfs device, also when opened through a bind-mount
 * path); `{ socketHolders: true }` those kept alive only by a socket
 * (`SIOCGSKNS` on a duplicate taken with `pidfd_getfd`, which on a cgroup-v1
 * host re-tags that socket's net_cls/net_prio: off unless asked).
 */
export function listNamespaces(options: ListNamespacesOptions = {}): NamespaceInfo[] {
  return runAtOnce(listingSteps(options));
}

/** @internal The listing as a scan that yields after each process and each namespace (see steps.ts). */
export function* listingSteps(options: ListNamespacesOptions = {}): Steps<NamespaceInfo[]> {
  const runDir = resolveRunDir(options);
  const found = new Map<number, NamespaceInfo>();
  // Processes of one namespace tend to have neighbouring pids (a container's,
  // a service's children): the last one found is asked first.
  let last: NamespaceInfo | undefined;
  const infoFor = (ino: number): NamespaceInfo => {
    if (last?.ino === ino) return last;
    let info = found.get(ino);
    if (!info) found.set(ino, (info = emptyInfo(ino)));
    return (last = info);
  };

  const scan = holderScan({ nsfs: options.fdHolders === true, sockets: options.socketHolders === true });
  const links = new NetnsLinks();
  for (const pid of listPids()) {
    const netnsIno = links.inoOf(pid);
    if (netnsIno !== undefined) infoFor(netnsIno).pids.push(pid);
    if (!scan.nsfs && !scan.sockets) {
      yield;
      continue;
    }
    scan.ownIno = netnsIno; // set in place: a spread per process costs more than the fd scan's bookkeeping
    for (const { ino, fd, via } of heldNamespaces(pid, scan)) {
      infoFor(ino).heldBy.push({ pid, fd, via });
    }
    yield;
  }
  // mountinfo shows mount points with symlinks resolved (/var/run is /run).
  const runDirShown = realpathOr(runDir);
  for (const mount of netnsMounts()) {
    const info = infoFor(mount.ino);
    info.nsfs.push(mount.mountPoint);
    if (path.dirname(mount.mountPoint) === runDirShown) info.names.push(path.basename(mount.mountPoint));
  }

  using socket = options.nsid !== false ? RtnlSocket.here() : undefined;
  // Where this namespace has numbered none (no veth peer or watcher has made
  // it), there is nothing to ask each namespace: nsids assigned from here on
  // count as assigned after the listing.
  using nsids = socket && anyNsidAssigned(socket) !== false ? new NsidBatch(socket) : undefined;
  for (const info of found.values()) {
    info.pids.sort((a, b) => a - b);
    info.nprocs = info.pids.length;
    info.pid = info.pids[0];
    if (info.pid !== undefined) {
      info.uid = uidOf(info.pid);
      info.command = commandOf(info.pid);
    }
    const wantOwner = info.pid === undefined && options.owners !== false;
    const fd = nsids || wantOwner ? openFdOn(info, links) : undefined;
    if (fd !== undefined) {
      try {
        if (wantOwner) info.uid = ownerUid(fd);
      } catch (error) {
        closeFd(fd);
        throw error;
      }
      if (nsids) nsids.add(info, fd);
      else closeFd(fd);
    }
    yield;
  }
  nsids?.ask();
  const userNames = readUserNames();
  for (const info of found.values()) {
    if (info.uid !== undefined) info.user = userNames.get(info.uid) ?? String(info.uid);
  }
  return [...found.values()].sort((a, b) => a.ino - b.ino);
}
