// netns-native add NAME: `ip netns add NAME`, a new namespace bound to a name.
import { NetNamespace } from '../../index';
import { assertNetnsName } from '../../validate';
import { HELP_OPTION, checkArgument, expectPositionals } from '../args';
import type { Command } from '../command';
import { EXIT_OK } from '../exit-status';

export const addCommand: Command = {
  name: 'add',
  synopsis: 'NAME',
  summary: 'create a named namespace (ip netns add)',
  help: `Usage: netns-native add NAME

Creates a new network namespace and binds it to NAME in the run dir
(/run/netns, or NETNS_RUN_DIR), as ip netns add does. NETNS_RUN_DIR is this
tool's own: ip netns sees only its built-in run dir. Nothing is left behind
when it fails. An existing name is an error (EEXIST).

Options:
  -h, --help   this help`,
  options: HELP_OPTION,
  run({ positionals }) {
    expectPositionals(positionals, ['NAME']);
    checkArgument(() => assertNetnsName(positionals[0]));
    NetNamespace.createNamed(positionals[0]).close();
    return EXIT_OK;
  },
};
