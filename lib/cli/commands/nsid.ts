// netns-native nsid set|list: `ip netns set NAME ID|auto`, `ip netns list-id
// [target-nsid N]`.
import { type NsidNamespace, listNsids, setNsid } from '../../index';
import { HELP_OPTION, JSON_OPTION, UsageError, expectPositionals, flag, stringOption } from '../args';
import type { Command } from '../command';
import { EXIT_OK } from '../exit-status';
import { type Column, formatTable } from '../table';
import { TARGET_HELP, TARGET_OPTIONS, openTarget, targetByOption, targetSpec } from '../target';

const COLUMNS: Column[] = [{ header: 'NSID', align: 'right' }, { header: 'NS' }, { header: 'NAMES' }];
const TARGET_COLUMNS: Column[] = [{ header: 'TARGET-NSID', align: 'right' }, ...COLUMNS];

/** The NS and NAMES cells of a namespace behind an id. */
const namespaceCells = (netns: NsidNamespace): string[] => [
  netns === null ? '?' : `net:[${netns.ino}]`,
  netns?.names.join(',') ?? '',
];

function parseNsid(text: string): number | 'auto' {
  if (text === 'auto') return 'auto';
  if (!/^\d{1,10}$/.test(text) || Number(text) > 2 ** 31 - 1) {
    throw new UsageError(`NSID must be a number from 0 to ${2 ** 31 - 1} or 'auto', got '${text}'`);
  }
  return Number(text);
}

export const nsidCommand: Command = {
  name: 'nsid',
  synopsis: 'set NS NSID|auto | list [NS] [--target T]',
  summary: 'assign and list nsids (ip netns set, ip netns list-id)',
  help: `Usage: netns-native nsid set NS NSID|auto
       netns-native nsid list [-J] [NS] [--target T]

An nsid is the number one namespace (the observer: the caller's) gives
another; rtnetlink uses it to say where a veth's peer or an event is. "set"
assigns one (auto: the lowest free), and prints it; it can be neither changed
nor removed afterwards, and lives until the namespace dies. "list" prints the
ids NS (by default the caller's namespace) has given, with each namespace.
With --target T (a name or a path), it prints the ids T has given instead
(TARGET-NSID), each with NS's own id for the same namespace (NSID, - for
none), as ip netns list-id target-nsid does; NS must have given T an nsid.

${TARGET_HELP}

Options:
  --target T   list T's table, as NS sees it
  -J, --json   JSON: [{ nsid, ino, names }] (ino and names null when unknown);
               with --target: [{ targetNsid, nsid, ino, names }] (nsid null
               when NS gave none)
  -h, --help   this help`,
  options: { ...HELP_OPTION, ...JSON_OPTION, ...TARGET_OPTIONS, target: { type: 'string' } },
  async run({ values, positionals }, { out, json }) {
    const [verb, ...rest] = positionals;
    const byOption = targetByOption(values);
    const target = stringOption(values, 'target');
    if (verb === 'set') {
      if (target !== undefined) throw new UsageError('--target applies to nsid list only');
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
      if (target === '') throw new UsageError('--target needs a namespace name or path');
      const observer = await openTarget(targetSpec(values, rest[0], 'current'));
      const asJson = json || flag(values, 'json');
      try {
        if (target !== undefined) {
          const entries = listNsids({ observer, target });
          if (asJson) {
            out.json(
              entries.map(({ targetNsid, nsid, netns }) => ({
                targetNsid,
                nsid,
                ino: netns?.ino ?? null,
                names: netns?.names ?? null,
              })),
            );
          } else {
            const rows = entries.map(({ targetNsid, nsid, netns }) => [
              String(targetNsid),
              nsid === null ? '-' : String(nsid),
              ...namespaceCells(netns),
            ]);
            out.lines(formatTable(TARGET_COLUMNS, rows, { color: out.color }));
          }
          return EXIT_OK;
        }
        const entries = listNsids({ observer });
        if (asJson) {
          out.json(entries.map(({ nsid, netns }) => ({ nsid, ino: netns?.ino ?? null, names: netns?.names ?? null })));
        } else {
          const rows = entries.map(({ nsid, netns }) => [String(nsid), ...namespaceCells(netns)]);
          out.lines(formatTable(COLUMNS, rows, { color: out.color }));
        }
        return EXIT_OK;
      } finally {
        observer.close();
      }
    }
    throw new UsageError(verb === undefined ? 'missing set or list' : `unknown nsid command '${verb}'`);
  },
};
