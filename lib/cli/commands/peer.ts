// netns-native peer [NS] IFNAME: the other end of a veth, in whatever
// namespace it is, named by its names and processes: the answer to "which
// host vethXXXX is eth0 of this container?".
import { findPeer } from '../../index';
import { pidsText } from '../../render/describe';
import { assertInterfaceName } from '../../rtnl/link-codec';
import { HELP_OPTION, JSON_OPTION, UsageError, checkArgument, flag } from '../args';
import type { Command } from '../command';
import { EXIT_OK } from '../exit-status';
import { formatTable } from '../table';
import { TARGET_HELP, TARGET_OPTIONS, targetByOption, targetSpec, withTarget } from '../target';

export const peerCommand: Command = {
  name: 'peer',
  synopsis: '[NS] IFNAME',
  summary: 'the other end of a veth, wherever it is',
  help: `Usage: netns-native peer [-J] [NS] IFNAME

The other end of the veth IFNAME of namespace NS (by default the caller's):
its name and index, the namespace it is in, and that namespace's names and
processes. The pair is confirmed from both ends (by the nsids each namespace
gave the other), never guessed from an index alone.

${TARGET_HELP}

Options:
  -J, --json   JSON: {"format":1,"ifindex":7,"ifname":"veth1a2b",
               "ns":{"id":"net:[...]","ino":...,"names":[...],"pids":[...]}}
  -h, --help   this help`,
  options: { ...HELP_OPTION, ...JSON_OPTION, ...TARGET_OPTIONS },
  async run({ values, positionals }, { out, json }) {
    const most = targetByOption(values) ? 1 : 2;
    if (positionals.length === 0) throw new UsageError('missing IFNAME');
    if (positionals.length > most) throw new UsageError(`unexpected argument '${positionals[most]}'`);
    const ifname = positionals[positionals.length - 1];
    checkArgument(() => assertInterfaceName(ifname, 'IFNAME'));
    const ns = positionals.length === 2 ? positionals[0] : undefined;
    const peer = await withTarget(targetSpec(values, ns, 'current'), (handle) => findPeer(handle, ifname));
    if (json || flag(values, 'json')) {
      out.json({ format: 1, ifindex: peer.ifindex, ifname: peer.name, ns: peer.namespace });
      return EXIT_OK;
    }
    out.lines(
      formatTable(
        [
          { header: 'IFINDEX', align: 'right' },
          { header: 'IFNAME' },
          { header: 'NS' },
          { header: 'NAMES' },
          { header: 'PIDS' },
        ],
        [
          [
            String(peer.ifindex),
            peer.name,
            peer.namespace.id,
            peer.namespace.names.join(','),
            pidsText(peer.namespace.pids),
          ],
        ],
      ),
    );
    return EXIT_OK;
  },
};
