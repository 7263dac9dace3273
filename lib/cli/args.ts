// Argument parsing for the command line: node:util parseArgs, read token by
// token so that every mistake gets a short message of ours (parseArgs' own
// strict-mode messages run to three lines) and becomes a UsageError, which
// the command line answers with exit status 2 and the usage text.
import { parseArgs } from 'node:util';

/** Bad usage: unknown option, missing or extra argument, a value that cannot be. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Checks a value from the command line with the library's own check for it
 * (a namespace name, an interface name, a container reference): what that
 * check refuses is bad usage. Only here does a library TypeError or RangeError
 * become a UsageError; anywhere else it is an internal error (exit 1).
 */
export function checkArgument(check: () => void): void {
  try {
    check();
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  }
}

interface OptionSpec {
  type: 'boolean' | 'string';
  short?: string;
  /** May be given more than once (string options only); the values are kept in order. */
  multiple?: boolean;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

type OptionValue = string | boolean | string[] | undefined;

export interface ParsedArgs {
  values: Readonly<Record<string, OptionValue>>;
  positionals: string[];
  /** A command line to run, untouched (exec): everything after the subcommand's own arguments. */
  command?: string[];
}

/** Options every subcommand takes. */
export const HELP_OPTION: OptionSpecs = { help: { type: 'boolean', short: 'h' } };
export const JSON_OPTION: OptionSpecs = { json: { type: 'boolean', short: 'J' } };

/**
 * Parses `argv` against `specs`; positionals are returned as given (a `--`
 * makes everything after it positional). Throws UsageError.
 */
export function parseOptions(argv: readonly string[], specs: OptionSpecs): ParsedArgs {
  const { values, positionals, tokens } = parseArgs({
    args: [...argv],
    options: { ...specs },
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const spec = Object.hasOwn(specs, token.name) ? specs[token.name] : undefined;
    if (spec === undefined) throw new UsageError(`unknown option '${token.rawName}'`);
    if (spec.type === 'string' && token.value === undefined) {
      throw new UsageError(`option '${token.rawName}' needs a value`);
    }
    if (spec.type === 'boolean' && token.inlineValue) throw new UsageError(`option '${token.rawName}' takes no value`);
  }
  return { values: values as Record<string, OptionValue>, positionals };
}

/**
 * For a subcommand that runs a command, as `ip netns exec NAME CMD...`: its
 * own options come first, then `ownPositionals(values)` positionals, then an
 * optional `--`, then the command (`command`, maybe empty), whose options
 * are its own and are not parsed here. Throws UsageError.
 */
export function parseWithCommand(
  argv: readonly string[],
  specs: OptionSpecs,
  ownPositionals: (values: ParsedArgs['values']) => number,
): ParsedArgs {
  const own: string[] = [];
  let i = 0;
  // Options (with the values they take), up to the first positional or `--`.
  while (i < argv.length && argv[i].startsWith('-') && argv[i] !== '-' && argv[i] !== '--') {
    const arg = argv[i++];
    own.push(arg);
    if (takesSeparateValue(arg, specs) && i < argv.length) own.push(argv[i++]);
  }
  const wanted = ownPositionals(parseOptions(own, specs).values);
  const positionals: string[] = [];
  if (argv[i] === '--') i++;
  while (positionals.length < wanted && i < argv.length) positionals.push(argv[i++]);
  // `exec NAME -- CMD`: a `--` after the own positionals is dropped too.
  if (positionals.length === wanted && argv[i] === '--') i++;
  const parsed = parseOptions([...own, '--', ...positionals], specs);
  return { ...parsed, command: argv.slice(i) };
}

/** `--pid 12` or `-p 12` (but not `--pid=12`) takes the next argument as its value. */
function takesSeparateValue(arg: string, specs: OptionSpecs): boolean {
  const name = arg.slice(2);
  if (arg.startsWith('--')) return !arg.includes('=') && Object.hasOwn(specs, name) && specs[name].type === 'string';
  const last = arg.slice(-1);
  const spec = Object.values(specs).find((candidate) => candidate.short === last);
  return arg.length >= 2 && spec?.type === 'string';
}

/** Exactly the positionals named in `required`, then at most those in `optional`. */
export function expectPositionals(
  positionals: readonly string[],
  required: readonly string[],
  optional: readonly string[] = [],
): void {
  if (positionals.length < required.length) throw new UsageError(`missing ${required[positionals.length]}`);
  const most = required.length + optional.length;
  if (positionals.length > most) throw new UsageError(`unexpected argument '${positionals[most]}'`);
}

export function flag(values: ParsedArgs['values'], name: string): boolean {
  return values[name] === true;
}

export function stringOption(values: ParsedArgs['values'], name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function stringOptions(values: ParsedArgs['values'], name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
}

/** One of a fixed set of words; `fallback` when the option was not given. */
export function choiceOption<T extends string>(
  values: ParsedArgs['values'],
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const value = stringOption(values, name);
  if (value === undefined) return fallback;
  if (!(choices as readonly string[]).includes(value)) {
    throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got '${value}'`);
  }
  return value as T;
}

/** A process id as the kernel numbers them: decimal digits, 1 up to 2^22 (pid_max's ceiling). */
export function parsePid(text: string, what = 'PID'): number {
  const pid = /^[1-9]\d{0,6}$/.test(text) ? Number(text) : NaN;
  if (!(pid <= 4_194_304)) throw new UsageError(`${what} must be a process id (a positive number), got '${text}'`);
  return pid;
}
