// netns-native nsid set|list: `ip netns set NAME ID|auto`, `ip netns list-id`.
import { listNsids, setNsid } from '../../index';
import { HELP_OPTION, JSON_OPTION, UsageError, expectPositionals, flag } from '../args';
import type { Command } from '../command';
import { EXIT_OK } from '../exit-status';
import { type Column, formatTable } from '../table';
import { TARGET_HELP, TARGET_OPTIONS, openTarget, targetByOption, targetSpec } from '../target';

const COLUMNS: Column[] = [{ header: 'NSID', align: 'right' }, { header: 'NS' }, { header: 'NAMES' }];

function parseNsid(text: string): number | 'auto' {
  if (text === 'auto') return 'auto';
  if (!/^\d{1,10}$/.test(text) || Number(text) > 2 ** 31 - 1) {
    throw new UsageError(`NSID must be a number from 0 to ${2 ** 31 - 1} or 'auto', got '${text}'`);
  }
  return Number(text);
}

export const nsidCommand: Command = {
  name: 'nsid',
  synopsis: 'set NS NSID|auto | list [NS]',
  summary: 'assign and list nsids (ip netns set, ip netns list-id)',
  help: `Usage: netns-native nsid set NS NSID|auto
       netns-native nsid list [-J] [NS]

An nsid is the number one namespace (the observer: the caller's) gives
another; rtnetlink uses it to say where a veth's peer or an event is. "set"
assigns one (auto: the lowest free), and prints it; it can be neither changed
nor removed afterwards, and lives until the namespace dies. "list" prints the
ids NS (by default the caller's namespace) has given, with each namespace.

${TARGET_HELP}

Options:
  -J, --json   JSON: [{ nsid, ino, names }] (ino and names null when unknown)
  -h, --help   this help`,
  options: { ...HELP_OPTION, ...JSON_OPTION, ...TARGET_OPTIONS },
  async run({ values, positionals }, { out, json }) {
    const [verb, ...rest] = positionals;
    const byOption = targetByOption(values);
    if (verb === 'set') {
      expectPositionals(rest, byOption ? ['NSID'] : ['NS', 'NSID']);
      const nsid = parseNsid(rest[rest.length - 1] as string);
      const handle = await openTarget(targetSpec(values, byOption ? undefined : rest[0], 'required'));
      try {
        out.print(String(setNsid(handle, nsid)));
      } finally {
        handle.close();
      }
      return EXIT_OK;
    }
    if (verb === 'list') {
      expectPositionals(rest, [], byOption ? [] : ['NS']);
      const observer = await openTarget(targetSpec(values, rest[0], 'current'));
      let entries;
      try {
        entries = listNsids({ observer });
      } finally {
        observer.close();
      }
      if (json || flag(values, 'json')) {
        out.json(entries.map(({ nsid, netns }) => ({ nsid, ino: netns?.ino ?? null, names: netns?.names ?? null })));
        return EXIT_OK;
      }
      out.lines(
        formatTable(
          COLUMNS,
          entries.map(({ nsid, netns }) => [
            String(nsid),
            netns === null ? '?' : `net:[${netns.ino}]`,
            netns?.names.join(',') ?? '',
          ]),
          { color: out.color },
        ),
      );
      return EXIT_OK;
    }
    throw new UsageError(verb === undefined ? 'missing set or list' : `unknown nsid command '${verb}'`);
  },
};
