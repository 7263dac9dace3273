// How an outcome becomes an exit status, as ip and the util-linux tools use
// them: 0 success, 1 a failed operation, 2 bad usage. Bad usage is a
// UsageError only: the argument reader's, or a library check of a
// command-line value that checkArgument turned into one. Any other TypeError
// or RangeError is a fault of ours, not the user's: exit 1, said as an
// internal error, with its stack when NETNS_NATIVE_DEBUG=1.
import { UsageError } from './args';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
/** As a shell and util-linux's nsenter: the command could not be run (126) or found (127). */
export const EXIT_CANNOT_EXECUTE = 126;
export const EXIT_NOT_FOUND = 127;
/** A command killed by signal N exits, in a shell's eyes, with 128 + N. */
export const EXIT_SIGNAL_BASE = 128;

interface FailureReport {
  status: number;
  message: string;
  /** Print the subcommand's usage after the message. */
  showUsage: boolean;
  /** The stack, to print after the message (only when debugging was asked for). */
  stack?: string;
}

/** The environment variable that asks for the stack of an error. */
export const DEBUG_ENV = 'NETNS_NATIVE_DEBUG';

/** JavaScript's own errors: a bug of ours when they reach the command line. */
const INTERNAL = [TypeError, RangeError, ReferenceError, SyntaxError];

export function reportFailure(error: unknown, options: { debug?: boolean } = {}): FailureReport {
  if (error instanceof UsageError) return { status: EXIT_USAGE, message: error.message, showUsage: true };
  const internal = INTERNAL.some((kind) => error instanceof kind);
  const text = error instanceof Error ? error.message : String(error);
  const message = internal ? `internal error: ${text}` : text;
  const stack = options.debug && error instanceof Error ? error.stack : undefined;
  return { status: EXIT_FAILED, message, showUsage: false, ...(stack === undefined ? {} : { stack }) };
}
