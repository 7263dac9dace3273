// The dispatcher: global options, then the subcommand with its arguments;
// every outcome becomes an exit status (exit-status.ts). It never exits the
// process and never throws: main.ts sets process.exitCode from its answer.
import { COMMANDS } from './commands/index';
import type { Command } from './command';
import { type OptionSpecs, type ParsedArgs, UsageError, flag, parseOptions } from './args';
import { DEBUG_ENV, EXIT_OK, reportFailure } from './exit-status';
import { type CliStreams, Output, PROGRAM } from './output';
import { globalUsage, packageVersion } from './usage';

const GLOBAL_OPTIONS: OptionSpecs = {
  json: { type: 'boolean', short: 'J' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
};

function findCommand(name: string): Command {
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (command === undefined) throw new UsageError(`unknown command '${name}'`);
  return command;
}

/** Runs one command line (without node and the script) and resolves to the exit status. */
export async function runCli(argv: readonly string[], streams: CliStreams): Promise<number> {
  const out = new Output(streams);
  // Global options stop at the first word that is not one: the subcommand.
  const split = argv.findIndex((arg) => !arg.startsWith('-') || arg === '-' || arg === '--');
  const ownEnd = split < 0 ? argv.length : split;
  let command: Command | undefined;
  try {
    const global = parseOptions(argv.slice(0, ownEnd), GLOBAL_OPTIONS).values;
    if (flag(global, 'version')) {
      out.print(`${PROGRAM} ${packageVersion()}`);
      return EXIT_OK;
    }
    const rest = argv.slice(argv[ownEnd] === '--' ? ownEnd + 1 : ownEnd);
    // `help [COMMAND]`, and `-h [COMMAND]` as well.
    if (rest[0] === 'help') return help(rest.slice(1), out);
    if (flag(global, 'help')) return help(rest.slice(0, 1), out);
    if (rest.length === 0) throw new UsageError('missing COMMAND');
    command = findCommand(rest[0]);
    const args: ParsedArgs = command.parse
      ? command.parse(rest.slice(1))
      : parseOptions(rest.slice(1), command.options);
    if (flag(args.values, 'help')) {
      out.print(command.help);
      return EXIT_OK;
    }
    return await command.run(args, { out, json: flag(global, 'json') });
  } catch (error) {
    const report = reportFailure(error, { debug: streams.env[DEBUG_ENV] === '1' });
    out.error(report.message);
    if (report.stack !== undefined) out.errorText(report.stack);
    if (report.showUsage) out.errorText(command?.help ?? globalUsage(COMMANDS));
    return report.status;
  }
}

/** `help`, `help COMMAND`, `--help`: to stdout, exit 0. */
function help(topic: readonly string[], out: Output): number {
  if (topic.length > 1) throw new UsageError(`unexpected argument '${topic[1]}'`);
  out.print(topic.length === 0 ? globalUsage(COMMANDS) : findCommand(topic[0]).help);
  return EXIT_OK;
}
