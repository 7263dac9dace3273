// findPeer(target, ifname): the other end of one veth, without mapping the
// host. Only the target's links are read; the peer's namespace is found by
// asking the target which nsid it gave each namespace of the host (those of
// processes and mounts first, then those held only by fds), and only that
// namespace's links are read, to confirm the pair from its side too.
import { NetnsError, errnoOf } from '../errors';
import type { NetNamespace } from '../handle/net-namespace';
import { type NetnsTarget, withTarget } from '../handle/targets';
import type { RunDirOptions } from '../named/run-dir';
import { listNamespaces } from '../proc/list-namespaces';
import { assertInterfaceName } from '../rtnl/link-codec';
import type { Link, LinkRef } from '../rtnl/model';
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
  using host = new HostNamespaces();
  host.add(infoOfHandle(ns), ns);
  host.mapped = [ns.ino];
  const link = linkNamed(host.links(ns.ino), ifname, ns);

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
  if ('code' in found) {
    throw new NetnsError({
      errno: errnoOf('ENODEV'),
      syscall: 'findPeer',
      path: ifname,
      description: `the peer of ${ifname} (ifindex ${link.ifindex} in ${ns.id}) was not found: ${found.reason}`,
    });
  }
  const { info } = host.source(found.peer.ino);
  return {
    ns: info.id,
    ifindex: found.peer.link.ifindex,
    name: found.peer.link.name,
    namespace: { id: info.id, ino: info.ino, names: [...info.names], pids: [...info.pids] },
  };
}

function linkNamed(links: readonly Link[], ifname: string, ns: NetNamespace): Link {
  const link =
    links.find((candidate) => candidate.name === ifname) ??
    links.find((candidate) => candidate.altNames?.includes(ifname));
  if (!link) {
    throw new NetnsError({
      errno: errnoOf('ENODEV'),
      syscall: 'findPeer',
      path: ifname,
      description: `no interface ${ifname} in ${ns.id}`,
    });
  }
  if (link.kind !== 'veth') {
    throw new NetnsError({
      errno: errnoOf('EINVAL'),
      syscall: 'findPeer',
      path: ifname,
      description: `${ifname} in ${ns.id} is a ${link.kind}, not a veth: it has no peer`,
    });
  }
  return link;
}
