// netns-native attach NAME PID | NAME --container C: `ip netns attach`, and
// the same for a container's namespace, found through the Engine API.
import { NetNamespace } from '../../index';
import { checkContainerRef } from '../../containers/from-container';
import { assertNetnsName } from '../../validate';
import { HELP_OPTION, checkArgument, expectPositionals, parsePid, stringOption } from '../args';
import type { Command } from '../command';
import { EXIT_OK } from '../exit-status';
import { openContainer } from '../target';

export const attachCommand: Command = {
  name: 'attach',
  synopsis: 'NAME PID|--container C',
  summary: "name a process's namespace (ip netns attach)",
  help: `Usage: netns-native attach NAME PID
       netns-native attach NAME --container C

Binds the network namespace of process PID, or of the Docker or Podman
container C (an id, a unique id prefix or a name), to NAME in the run dir, as
ip netns attach does: then ip netns exec NAME ... works on it. The process is
taken through a pidfd, so a pid that exits meanwhile is refused (ESRCH), never
mistaken for another process that reuses it.

Options:
  --container C   the container's namespace; the engine's socket is
                  DOCKER_HOST=unix://..., else /var/run/docker.sock or Podman's
  -h, --help      this help`,
  options: { ...HELP_OPTION, container: { type: 'string' } },
  async run({ values, positionals }) {
    const container = stringOption(values, 'container');
    if (container === undefined) {
      expectPositionals(positionals, ['NAME', 'PID']);
      checkArgument(() => assertNetnsName(positionals[0]));
      NetNamespace.attach(positionals[0], parsePid(positionals[1])).close();
      return EXIT_OK;
    }
    expectPositionals(positionals, ['NAME']);
    checkArgument(() => assertNetnsName(positionals[0])); // before the engine is asked
    checkArgument(() => checkContainerRef(container));
    const ns = await openContainer(container);
    try {
      NetNamespace.attach(positionals[0], ns).close();
    } finally {
      ns.close();
    }
    return EXIT_OK;
  },
};
