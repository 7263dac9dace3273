// netns-native list: every network namespace on the host, as
// `lsns -t net -o NS,TYPE,NPROCS,PID,USER,NETNSID,NSFS,COMMAND` shows them,
// and with -J in the shape of `lsns -J -l` for those columns, key for key:
// numbers as numbers, netnsid as a string ("7" or "unassigned"), nsfs the
// mount points joined by newlines or null. Namespaces no process is in (a
// name only) are listed too, with pid and command null, as newer lsns does.
import { type NamespaceInfo, listNamespaces } from '../../index';
import { HELP_OPTION, JSON_OPTION, expectPositionals, flag } from '../args';
import type { Command } from '../command';
import { EXIT_OK } from '../exit-status';
import { type Column, formatTable } from '../table';

/** One entry of `lsns -J -l -t net -o NS,TYPE,NPROCS,PID,USER,NETNSID,NSFS,COMMAND`. */
interface LsnsRow {
  ns: number;
  type: 'net';
  nprocs: number;
  pid: number | null;
  user: string | null;
  netnsid: string;
  nsfs: string | null;
  command: string | null;
}

function lsnsRow(info: NamespaceInfo): LsnsRow {
  return {
    ns: info.ino,
    type: 'net',
    nprocs: info.nprocs,
    pid: info.pid ?? null,
    user: info.user ?? null,
    netnsid: info.nsid === undefined ? 'unassigned' : String(info.nsid),
    nsfs: info.nsfs.length > 0 ? info.nsfs.join('\n') : null,
    command: info.command ?? null,
  };
}

const COLUMNS: Column[] = [
  { header: 'NS', align: 'right' },
  { header: 'TYPE' },
  { header: 'NPROCS', align: 'right' },
  { header: 'PID', align: 'right' },
  { header: 'USER' },
  { header: 'NETNSID', align: 'right' },
  { header: 'NSFS' },
  { header: 'COMMAND' },
];

export const listCommand: Command = {
  name: 'list',
  synopsis: '',
  summary: 'every namespace on the host (lsns -t net)',
  help: `Usage: netns-native list [-J] [--fd-holders]

Every network namespace on the host, found as lsns finds them: through the
processes in it and the nsfs files bound to a path (ip netns names), with its
process count, lowest pid, owner, nsid, bind mounts and command.

Options:
  -J, --json      JSON shaped as lsns -J -l -t net
                  -o NS,TYPE,NPROCS,PID,USER,NETNSID,NSFS,COMMAND
  --fd-holders    also namespaces held only by an open fd or a socket
                  (looks at every fd on the host)
  -h, --help      this help`,
  options: { ...HELP_OPTION, ...JSON_OPTION, 'fd-holders': { type: 'boolean' } },
  run({ values, positionals }, { out, json }) {
    expectPositionals(positionals, []);
    const rows = listNamespaces({ fdHolders: flag(values, 'fd-holders') }).map(lsnsRow);
    if (json || flag(values, 'json')) {
      out.json({ namespaces: rows }, 'lsns');
      return EXIT_OK;
    }
    out.lines(
      formatTable(
        COLUMNS,
        rows.map((row) => [
          String(row.ns),
          row.type,
          String(row.nprocs),
          row.pid === null ? '' : String(row.pid),
          row.user ?? '',
          row.netnsid,
          (row.nsfs ?? '').split('\n').join(','),
          row.command ?? '',
        ]),
        { gap: 1 },
      ),
    );
    return EXIT_OK;
  },
};
