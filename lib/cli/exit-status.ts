// How an outcome becomes an exit status, as ip and the util-linux tools use
// them: 0 success, 1 a failed operation, 2 bad usage. A library TypeError or
// RangeError is bad usage too: the library throws those for arguments it
// refuses before any system call (a name with '/', an interface name too long).
import { UsageError } from './args';

export const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;
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
}

export function reportFailure(error: unknown): FailureReport {
  if (error instanceof UsageError || error instanceof TypeError || error instanceof RangeError) {
    return { status: EXIT_USAGE, message: error.message, showUsage: true };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { status: EXIT_FAILED, message, showUsage: false };
}
