// netns-native identify [PID]: `ip netns identify`, but every name of the
// process's namespace, where iproute2 prints only the last one it finds.
import { identify } from '../../index';
import { visibleText } from '../../render/visible';
import { HELP_OPTION, JSON_OPTION, expectPositionals, flag, parsePid } from '../args';
import type { Command } from '../command';
import { EXIT_OK } from '../exit-status';

export const identifyCommand: Command = {
  name: 'identify',
  synopsis: '[PID]',
  summary: "names of a pid's namespace (ip netns identify)",
  help: `Usage: netns-native identify [-J] [PID]

The names in the run dir bound to the network namespace of process PID (by
default this command's own, i.e. the caller's), one a line. Nothing is
printed when it has none. Unlike ip netns identify, every name is printed,
not only the last one found.

Options:
  -J, --json   JSON in the shape of ip -j netns list: [{"name":"red"}, ...]
  -h, --help   this help`,
  options: { ...HELP_OPTION, ...JSON_OPTION },
  run({ values, positionals }, { out, json }) {
    expectPositionals(positionals, [], ['PID']);
    const pid = positionals.length > 0 ? parsePid(positionals[0]) : process.pid;
    const names = identify(pid);
    if (json || flag(values, 'json')) out.json(names.map((name) => ({ name })));
    else out.lines(names.map(visibleText)); // a name may hold any byte but '/' and NUL
    return EXIT_OK;
  },
};
