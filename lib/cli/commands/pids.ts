// netns-native pids NS: `ip netns pids NAME`, the processes in a namespace.
import { pidsOf } from '../../index';
import { HELP_OPTION, JSON_OPTION, expectPositionals, flag } from '../args';
import type { Command } from '../command';
import { EXIT_OK } from '../exit-status';
import { TARGET_HELP, TARGET_OPTIONS, targetByOption, targetSpec, withTarget } from '../target';

export const pidsCommand: Command = {
  name: 'pids',
  synopsis: 'NS',
  summary: 'the processes in a namespace (ip netns pids)',
  help: `Usage: netns-native pids [-J] NS

The processes (thread-group leaders) in the network namespace NS, one pid a
line, in ascending order, as ip netns pids prints them.

${TARGET_HELP}

Options:
  -J, --json   JSON: [{"pid":1234}, ...]
  -h, --help   this help`,
  options: { ...HELP_OPTION, ...JSON_OPTION, ...TARGET_OPTIONS },
  async run({ values, positionals }, { out, json }) {
    const byOption = targetByOption(values);
    expectPositionals(positionals, byOption ? [] : ['NS']);
    const pids = await withTarget(targetSpec(values, positionals[0], 'required'), (ns) => pidsOf(ns));
    if (json || flag(values, 'json')) out.json(pids.map((pid) => ({ pid })));
    else out.lines(pids.map(String));
    return EXIT_OK;
  },
};
