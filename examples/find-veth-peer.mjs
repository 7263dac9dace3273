// Which host veth is the peer of eth0@ifN in my container? One line answer.
// usage: sudo node examples/find-veth-peer.mjs CONTAINER_PID [IFNAME]   (IFNAME defaults to eth0)
//   e.g. sudo node examples/find-veth-peer.mjs $(docker inspect -f '{{.State.Pid}}' web) eth0
import { findPeer } from 'netns-native';

const [pidText, ifname = 'eth0'] = process.argv.slice(2);
if (!/^\d+$/.test(pidText ?? '')) {
  console.error('usage: find-veth-peer.mjs CONTAINER_PID [IFNAME]');
  process.exit(2);
}

/** How a namespace reads to a person: the host's (kthreadd, pid 2, lives there), its ip netns names, or its processes. */
function describe(ns) {
  if (ns.pids.includes(2)) return `${ns.id}, the host's namespace`;
  if (ns.names.length > 0) return `${ns.id}, ip netns ${ns.names.join(', ')}`;
  if (ns.pids.length > 0) return `${ns.id}, pid ${ns.pids.slice(0, 3).join(', ')}${ns.pids.length > 3 ? ', ...' : ''}`;
  return ns.id;
}

try {
  const peer = findPeer({ pid: Number(pidText) }, ifname);
  console.log(`${ifname} of pid ${pidText} <-> ${peer.name} (ifindex ${peer.ifindex}) in ${describe(peer.namespace)}`);
} catch (error) {
  console.error(`find-veth-peer: ${error.message}`);
  process.exit(1);
}
