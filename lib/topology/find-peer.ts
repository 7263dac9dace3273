// findPeer(target, ifname): the other end of one veth, without mapping the
// host. Only the target's links are read; the peer's namespace is found by
// asking the target which nsid it gave each namespace of the host (those of
// processes and mounts first, then those held only by fds), and only that
// namespace's links are read, to confirm the pair from its side too.
import { NetnsError, errnoOf } from '../errors';
import type { NetNamespace } from '../handle/net-namespace';
import { type NetnsTarget, withTarget } from '../handle/targets';
import type { RunDirOptions } from '../named/run-dir';
import { type NamespaceInfo, listNamespaces } from '../proc/list-namespaces';
import { assertInterfaceName } from '../rtnl/link-codec';
import type { Link, LinkRef } from '../rtnl/model';
import type { UnresolvedCode } from './model';
import { HostNamespaces } from './host-namespaces';
import { infoOfHandle } from './select';
import { VethResolver } from './veth-peers';

/** The other end, placed (a LinkRef), and who its namespace is. */
export interface VethPeer extends LinkRef {
  /** The namespace the peer is in, with its run-dir names and processes. */
  namespace: {
    /** `net:[INO]`. */
    id: string;
    /** The nsfs inode. */
    ino: number;
    /** Its names in the run dir. */
    names: string[];
    /** The processes in it. */
    pids: number[];
  };
}

/**
 * The other end of veth `ifname` of the target's namespace (a handle, a name,
 * a path or `{ pid }`). Throws a NetnsError: ENODEV when there is no such
 * interface or its peer cannot be found (the message says why), EINVAL when
 * it is not a veth. Reads only the target and the peer's namespace, not the
 * whole host.
 *
 * @example
 * ```js
 * findPeer({ pid: containerPid }, 'eth0'); // { ns: 'net:[...]', ifindex, name: 'veth1a2b', namespace: { id, ino, names, pids } }
 * ```
 */
export function findPeer(target: NetnsTarget, ifname: string, options: RunDirOptions = {}): VethPeer {
  assertInterfaceName(ifname);
  return withTarget(target, (ns) => peerOf(ns, ifname, options), options);
}

function peerOf(ns: NetNamespace, ifname: string, options: RunDirOptions): VethPeer {
  const found = lookUpPeer(ns, ifname, options);
  const fail = (errno: string, description: string) =>
    new NetnsError({ errno: errnoOf(errno), syscall: 'findPeer', path: ifname, description });
  if (found.link === undefined) throw fail('ENODEV', `no interface ${ifname} in ${ns.id}`);
  if ('notVeth' in found) {
    throw fail('EINVAL', `${ifname} in ${ns.id} is a ${found.link.kind}, not a veth: it has no peer`);
  }
  if ('unresolved' in found) {
    throw fail(
      'ENODEV',
      `the peer of ${ifname} (ifindex ${found.link.ifindex} in ${ns.id}) was not found: ${found.unresolved.reason}`,
    );
  }
  const { info } = found.peer;
  return {
    ns: info.id,
    ifindex: found.peer.link.ifindex,
    name: found.peer.link.name,
    namespace: { id: info.id, ino: info.ino, names: [...info.names], pids: [...info.pids] },
  };
}

/** @internal What looking for the other end of veth `ifname` found (findPeer throws on all but the last). */
export type PeerLookup =
  | { link: undefined }
  | { link: Link; notVeth: true }
  | { link: Link; unresolved: { code: UnresolvedCode; reason: string } }
  | { link: Link; info: NamespaceInfo; peer: { link: Link; info: NamespaceInfo } };

/**
 * @internal The other end of veth `ifname` of `ns`, or why it was not found;
 * throws only when `ns` itself cannot be read. waitForVethPeer asks again
 * until it is found.
 */
export function lookUpPeer(ns: NetNamespace, ifname: string, options: RunDirOptions = {}): PeerLookup {
  using host = new HostNamespaces();
  host.add(infoOfHandle(ns), ns);
  host.mapped = [ns.ino];
  const links = host.links(ns.ino);
  const link =
    links.find((candidate) => candidate.name === ifname) ??
    links.find((candidate) => candidate.altNames?.includes(ifname));
  if (link === undefined) return { link };
  if (link.kind !== 'veth') return { link, notVeth: true };

  // The cheap listing (processes, mounts) names the namespaces; those held
  // only by fds are looked for only if the peer was in none of them.
  const addListing = (fdHolders: boolean) => {
    for (const info of listNamespaces({ fdHolders, nsid: false, runDir: options.runDir })) host.add(info);
  };
  addListing(false);
  let found = new VethResolver(host).resolve(ns.ino, link);
  if ('code' in found && found.code === 'peer-namespace-not-visible') {
    addListing(true);
    found = new VethResolver(host).resolve(ns.ino, link);
  }
  if ('code' in found) return { link, unresolved: found };
  return {
    link,
    info: host.source(ns.ino).info,
    peer: { link: found.peer.link, info: host.source(found.peer.ino).info },
  };
}
