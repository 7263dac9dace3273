// netns-native exec NS [--] CMD [ARG...]: `ip netns exec`. The command runs
// in the namespace with a mount namespace of its own (a fresh /sys that shows
// the namespace's devices, /etc/netns/NAME/* over /etc/*), with our stdin,
// stdout and stderr, and its exit status is ours: 128+N when signal N ended
// it, 127 when it cannot be found and 126 when it cannot be run, as a shell
// and util-linux's nsenter answer.
import type { ChildProcess } from 'node:child_process';
import os from 'node:os';
import { NetnsError } from '../../index';
import { HELP_OPTION, UsageError, parseWithCommand } from '../args';
import type { Command } from '../command';
import { SignalForwarder } from '../exec-signals';
import { EXIT_CANNOT_EXECUTE, EXIT_NOT_FOUND, EXIT_SIGNAL_BASE } from '../exit-status';
import type { Output } from '../output';
import { TARGET_HELP, TARGET_OPTIONS, openTarget, targetByOption, targetSpec } from '../target';

const OPTIONS = { ...HELP_OPTION, ...TARGET_OPTIONS };

/** The status a shell would report for the command. */
function waitForExit(child: ChildProcess): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      resolve(code ?? signalStatus(signal ?? 'SIGKILL'));
    });
  });
}

function signalStatus(signal: NodeJS.Signals): number {
  return EXIT_SIGNAL_BASE + os.constants.signals[signal];
}

/** The command could not be started: found (ENOENT) or run (EACCES, ENOEXEC, ...). */
function execFailure(error: unknown, command: string, out: Output): number | undefined {
  if (!(error instanceof NetnsError)) return undefined;
  if (error.syscall !== 'execve' && error.syscall !== `spawn ${command}`) return undefined;
  out.error(`cannot run '${command}': ${error.message.split(',')[0]}`);
  return error.code === 'ENOENT' ? EXIT_NOT_FOUND : EXIT_CANNOT_EXECUTE;
}

export const execCommand: Command = {
  name: 'exec',
  synopsis: 'NS [--] CMD [ARG...]',
  summary: 'run CMD inside NS (ip netns exec)',
  help: `Usage: netns-native exec NS [--] CMD [ARG...]
       netns-native exec --pid PID|--container C [--] CMD [ARG...]

Runs CMD in the network namespace NS as ip netns exec does: in a mount
namespace of its own, with a fresh /sys that shows the namespace's devices and
/etc/netns/NAME/* bound over /etc/* for a named NS; with this command's stdin,
stdout, stderr and environment. Options after NS belong to CMD.

Exit status: CMD's own; 128+N when signal N ended it; 127 when CMD is not
found, 126 when it cannot be run; 1 when NS cannot be opened. SIGTERM, SIGHUP,
SIGUSR2, and SIGINT and SIGQUIT unless a terminal sent them, go on to CMD.

${TARGET_HELP}

Options:
  -h, --help   this help`,
  options: OPTIONS,
  parse: (argv) => parseWithCommand(argv, OPTIONS, (values) => (targetByOption(values) ? 0 : 1)),
  async run({ values, positionals, command = [] }, { out }) {
    const spec = targetSpec(values, positionals[0], 'required');
    if (command.length === 0) throw new UsageError('missing CMD');
    const [file, ...args] = command;
    const forwarder = new SignalForwarder();
    try {
      const ns = await openTarget(spec);
      if (forwarder.early !== undefined) {
        ns.close();
        return signalStatus(forwarder.early);
      }
      let child: ChildProcess;
      try {
        child = ns.spawn(file, args, { mountNamespace: 'isolated', stdio: 'inherit' });
      } finally {
        ns.close(); // the child holds the namespace now
      }
      forwarder.attach(child);
      return await waitForExit(child);
    } catch (error) {
      const status = execFailure(error, file, out);
      if (status === undefined) throw error;
      return status;
    } finally {
      forwarder.stop();
    }
  },
};
