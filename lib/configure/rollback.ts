// All-or-nothing for changes the kernel makes in several steps. Each step
// registers how to put back what it changes; on a failure the registered
// undos run, last first, and the error of the step that failed is thrown.
// An undo that fails too is not hidden: the error says what was left.
import { NetnsError } from '../errors';

interface Undo {
  /** The change it takes back, for the error if it fails ('the rename of 'va' to 'vb''). */
  what: string;
  run: () => void;
}

export class Rollback {
  readonly #undos: Undo[] = [];

  /**
   * Registers how to take a change back. Registering it before the change is
   * sent is safe when the undo only sets a value back (a no-op if the change
   * never happened), and it also covers a change the kernel made in part
   * before refusing (do_setlink detaches from the old master before failing
   * to attach to the new one).
   */
  add(what: string, run: () => void): void {
    this.#undos.push({ what, run });
  }

  /** Runs every undo, last first, and returns the error to throw. */
  undo(error: unknown): unknown {
    const failures: Array<{ what: string; error: unknown }> = [];
    for (const undo of this.#undos.splice(0).reverse()) {
      try {
        undo.run();
      } catch (undoError) {
        failures.push({ what: undo.what, error: undoError });
      }
    }
    return failures.length === 0 ? error : notUndone(error, failures);
  }
}

/** Runs `change` with a Rollback; if it throws, what it registered is undone. */
export function allOrNothing<T>(change: (rollback: Rollback) => T): T {
  const rollback = new Rollback();
  try {
    return change(rollback);
  } catch (error) {
    throw rollback.undo(error);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function notUndone(error: unknown, failures: Array<{ what: string; error: unknown }>): unknown {
  const left = failures.map((failure) => `could not undo ${failure.what}: ${messageOf(failure.error)}`).join('; ');
  if (!(error instanceof NetnsError)) {
    return new AggregateError([error, ...failures.map((failure) => failure.error)], `${messageOf(error)} (${left})`);
  }
  return error.withHint(left);
}
