// netns-native named: the names in the run dir, as `ip netns list`; with -J
// exactly as `ip -j netns list` prints them ({"name":…,"id":N}, the id only
// where one is assigned).
import { listNamed } from '../../index';
import { HELP_OPTION, JSON_OPTION, expectPositionals, flag } from '../args';
import type { Command } from '../command';
import { EXIT_OK } from '../exit-status';
import { formatTable } from '../table';

export const namedCommand: Command = {
  name: 'named',
  synopsis: '',
  summary: 'the names in /run/netns (ip netns list)',
  help: `Usage: netns-native named [-J]

The names in the run dir (/run/netns, or NETNS_RUN_DIR), as ip netns list shows
them: the namespace each is bound to (its inode, lsns's NS) and the nsid it has
here. A name with nothing bound to it (a leftover file) shows no NS.

Options:
  -J, --json   JSON as ip -j netns list: [{"name":"red","id":0}, ...]
  -h, --help   this help`,
  options: { ...HELP_OPTION, ...JSON_OPTION },
  run({ values, positionals }, { out, json }) {
    expectPositionals(positionals, []);
    const named = listNamed();
    if (json || flag(values, 'json')) {
      out.json(named.map(({ name, nsid }) => (nsid === undefined ? { name } : { name, id: nsid })));
      return EXIT_OK;
    }
    if (named.length === 0) return EXIT_OK;
    out.lines(
      formatTable(
        [{ header: 'NAME' }, { header: 'NS', align: 'right' }, { header: 'NETNSID', align: 'right' }],
        named.map(({ name, ino, nsid }) => [
          name,
          ino === undefined ? '' : String(ino),
          ino === undefined ? '' : nsid === undefined ? 'unassigned' : String(nsid),
        ]),
      ),
    );
    return EXIT_OK;
  },
};
