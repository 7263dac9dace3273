// Every interface of every network namespace on the host, with its addresses
// and, for a veth, where its other end is: the whole map as a table.
// usage: sudo node examples/map-interfaces.mjs [--veths] [--json] [--no-fd-holders]
import { topology } from 'netns-native';

const args = new Set(process.argv.slice(2));
const map = await topology({ onlyVeths: args.has('--veths'), fdHolders: !args.has('--no-fd-holders') });
if (args.has('--json')) {
  console.log(JSON.stringify(map, null, 2));
  process.exit(0);
}

/** A namespace as a person knows it: the host (kthreadd, pid 2, lives there), its ip netns name, its first process, or its id. */
function labelOf(ns) {
  if (ns.pids.includes(2)) return 'host';
  if (ns.names.length > 0) return ns.names[0];
  if (ns.pids.length === 0) return ns.id;
  const program = ns.command?.split(' ')[0].split('/').pop();
  return `pid ${ns.pids[0]}${program ? ` ${program}` : ''}`;
}
const labels = new Map(map.namespaces.map((ns) => [ns.id, labelOf(ns)]));
const label = (id) => labels.get(id) ?? id;

const peers = new Map();
for (const { a, b } of map.vethPairs) {
  peers.set(`${a.ns}/${a.ifindex}`, `${b.name}@${label(b.ns)}`);
  peers.set(`${b.ns}/${b.ifindex}`, `${a.name}@${label(a.ns)}`);
}
for (const { end, code } of map.unresolved) peers.set(`${end.ns}/${end.ifindex}`, `? (${code})`);

const rows = [];
for (const ns of map.namespaces) {
  const where = `${label(ns.id)}${ns.current ? ' *' : ''}`;
  if (ns.error) {
    rows.push([where, '-', '-', '-', '-', '-', '-', `cannot read: ${ns.error.message}`, '']);
    continue;
  }
  for (const link of ns.links) {
    const addresses = ns.addresses
      .filter((address) => address.ifindex === link.ifindex && address.scope !== 'link')
      .map((address) => `${address.address}/${address.prefixLength}`);
    rows.push([
      where,
      String(link.ifindex),
      link.name,
      link.kind,
      link.operstate,
      String(link.mtu),
      link.master ?? '',
      addresses.join(' '),
      peers.get(`${ns.id}/${link.ifindex}`) ?? '',
    ]);
  }
}
const header = ['NAMESPACE', 'IF', 'NAME', 'KIND', 'STATE', 'MTU', 'MASTER', 'ADDRESSES', 'PEER'];
const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
for (const row of [header, ...rows])
  console.log(
    row
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd(),
  );
console.log(
  `\n${map.namespaces.length} namespaces (* this one), ${map.vethPairs.length} veth pairs, ` +
    `${map.unresolved.length} unresolved`,
);
