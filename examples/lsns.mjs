// Every network namespace on the host, like `lsns -t net`, plus the ones held
// only by a name in /run/netns or an open fd.
// usage: sudo node examples/lsns.mjs [--json]
import { listNamespaces } from 'netns-native';

const namespaces = listNamespaces();
if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ namespaces }, null, 2));
} else {
  const rows = namespaces.map((ns) => [
    String(ns.ino),
    String(ns.nprocs),
    ns.pid === undefined ? '-' : String(ns.pid),
    ns.user ?? '-',
    ns.nsid === undefined ? 'unassigned' : String(ns.nsid),
    ns.nsfs.join(',') || '-',
    ns.command ?? (ns.heldBy.length ? `(held by fd in pid ${ns.heldBy[0].pid})` : '-'),
  ]);
  const header = ['NS', 'NPROCS', 'PID', 'USER', 'NETNSID', 'NSFS', 'COMMAND'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const row of [header, ...rows])
    console.log(
      row
        .map((cell, i) => cell.padEnd(widths[i]))
        .join(' ')
        .trimEnd(),
    );
}
