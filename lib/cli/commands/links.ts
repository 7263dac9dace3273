// netns-native links [NS]: the interfaces of one namespace with their
// addresses, one a line as `ip -br addr` would show them (plus kind, MTU and
// master); with -J an array shaped as `ip -j -d addr` (ip-json.ts).
import { formatAddress } from '../../render/describe';
import { paletteFor } from '../../render/text-style';
import type { Address, Link } from '../../index';
import { HELP_OPTION, JSON_OPTION, expectPositionals, flag } from '../args';
import type { Command } from '../command';
import { EXIT_OK } from '../exit-status';
import { ipJsonLink } from '../ip-json';
import { type Column, formatTable } from '../table';
import { TARGET_HELP, TARGET_OPTIONS, targetByOption, targetSpec, withTarget } from '../target';

/** As ip names a link that has a parent or peer: `v1@v2` in the same namespace, `eth0@if7` across. */
function shownName(link: Link): string {
  if (link.link !== undefined) return `${link.name}@${link.link}`;
  if (link.linkIndex !== undefined && link.linkIndex !== 0) return `${link.name}@if${link.linkIndex}`;
  return link.name;
}

const palette = paletteFor(true);
const COLUMNS: Column[] = [
  { header: 'IFINDEX', align: 'right' },
  { header: 'NAME', paint: (text) => palette.name(text) },
  { header: 'KIND' },
  { header: 'STATE', paint: (text) => palette.state(text) },
  { header: 'MTU', align: 'right' },
  { header: 'MAC' },
  { header: 'MASTER' },
  {
    header: 'ADDRESSES',
    paint: (text) =>
      text
        .split(' ')
        .map((address) => palette.address(address, address.includes(':') ? 6 : 4))
        .join(' '),
  },
];

function tableRow(link: Link, addresses: readonly Address[]): string[] {
  const own = addresses.filter((address) => address.ifindex === link.ifindex).map(formatAddress);
  return [
    String(link.ifindex),
    shownName(link),
    link.kind,
    link.operstate,
    String(link.mtu),
    link.mac ?? '',
    link.master ?? '',
    own.join(' '),
  ];
}

export const linksCommand: Command = {
  name: 'links',
  synopsis: '[NS]',
  summary: 'interfaces and addresses (ip -br addr)',
  help: `Usage: netns-native links [-J] [NS]

The interfaces of the network namespace NS (by default the caller's), read over
rtnetlink from inside it: index, name (name@peer as ip shows it), kind, state,
MTU, MAC address, master (a bridge port's bridge) and addresses.

${TARGET_HELP}

Options:
  -J, --json   JSON shaped as ip -j -d addr: ifindex, ifname, flags, mtu,
               operstate, link_type, address, link_index, link_netnsid,
               master, linkinfo, addr_info...
  -h, --help   this help`,
  options: { ...HELP_OPTION, ...JSON_OPTION, ...TARGET_OPTIONS },
  async run({ values, positionals }, { out, json }) {
    expectPositionals(positionals, [], targetByOption(values) ? [] : ['NS']);
    const { links, addresses } = await withTarget(targetSpec(values, positionals[0], 'current'), (ns) => ({
      links: ns.links(),
      addresses: ns.addresses(),
    }));
    if (json || flag(values, 'json')) {
      out.json(links.map((link) => ipJsonLink(link, addresses)));
      return EXIT_OK;
    }
    out.lines(
      formatTable(
        COLUMNS,
        links.map((link) => tableRow(link, addresses)),
        { color: out.color },
      ),
    );
    return EXIT_OK;
  },
};
