// What a subcommand is to the dispatcher (run.ts): its name and help texts,
// how its arguments are read, and what it does with them.
import type { OptionSpecs, ParsedArgs } from './args';
import type { Output } from './output';

interface CommandContext {
  out: Output;
  /** -J/--json was given before the subcommand (`netns-native -J list`, as `ip -j netns list`). */
  json: boolean;
}

export interface Command {
  name: string;
  /** The arguments, for the list of commands: `NAME PID|--container C`. */
  synopsis: string;
  /** One line, for the list of commands. */
  summary: string;
  /** `netns-native NAME --help`: usage lines, what it does, its options. */
  help: string;
  options: OptionSpecs;
  /** Reads argv; the default is parseOptions(argv, options). Throws UsageError. */
  parse?(argv: readonly string[]): ParsedArgs;
  /** Does the work; resolves to the exit status. Throws on a failed operation or bad usage. */
  run(args: ParsedArgs, context: CommandContext): number | Promise<number>;
}
