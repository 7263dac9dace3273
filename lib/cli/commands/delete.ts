// netns-native delete NAME: `ip netns delete NAME`. The namespace itself
// lives on while a process or an open fd still holds it.
import { NetNamespace } from '../../index';
import { assertNetnsName } from '../../validate';
import { HELP_OPTION, checkArgument, expectPositionals } from '../args';
import type { Command } from '../command';
import { EXIT_OK } from '../exit-status';

export const deleteCommand: Command = {
  name: 'delete',
  synopsis: 'NAME',
  summary: 'remove a name (ip netns delete)',
  help: `Usage: netns-native delete NAME

Unmounts and removes NAME from the run dir, as ip netns delete does. The
namespace ends once nothing else (a process, an open fd, another bind mount)
holds it.

Options:
  -h, --help   this help`,
  options: HELP_OPTION,
  run({ positionals }) {
    expectPositionals(positionals, ['NAME']);
    checkArgument(() => assertNetnsName(positionals[0]));
    NetNamespace.delete(positionals[0]);
    return EXIT_OK;
  },
};
