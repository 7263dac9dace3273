// While `exec` waits for its command, signals meant for the command reach
// this process instead (ip netns exec has none of this: it execs the command
// in its own place). They are passed on, so that `kill`, `timeout` and
// supervisors stop the command and not only us. A terminal's Ctrl-C and
// Ctrl-\ are the exception: the terminal sends them to its whole foreground
// process group, which the command shares with us, so passing them on would
// deliver them twice; then we only stay alive to report the command's status.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';

const FORWARDED = ['SIGTERM', 'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGUSR2'] as const;
const SENT_TO_GROUP_BY_TERMINAL: ReadonlySet<string> = new Set(['SIGINT', 'SIGQUIT']);

/**
 * Passes signals on to the child. Listening starts before the child is made:
 * the child is visible (and signalled by supervisors) while the clone still
 * waits for its exec, and without our listeners Node's own default would end
 * us and orphan it. (Listeners run from the event loop, so none runs between
 * the clone and attach(), which follow each other synchronously.) A signal
 * that comes before, while the namespace is being opened, is kept in `early`:
 * the command is then not started at all.
 */
export class SignalForwarder {
  #child?: ChildProcess;
  #early?: NodeJS.Signals;
  readonly #listeners = FORWARDED.map((signal) => {
    const listener = (): void => this.#received(signal);
    process.on(signal, listener);
    return { signal, listener };
  });

  /** The first signal received before a child was attached. */
  get early(): NodeJS.Signals | undefined {
    return this.#early;
  }

  attach(child: ChildProcess): void {
    this.#child = child;
  }

  stop(): void {
    for (const { signal, listener } of this.#listeners) process.off(signal, listener);
  }

  #received(signal: NodeJS.Signals): void {
    if (this.#child === undefined) {
      this.#early ??= signal;
      return;
    }
    if (SENT_TO_GROUP_BY_TERMINAL.has(signal) && inTerminalForeground()) return;
    this.#child.kill(signal);
  }
}

/**
 * Whether this process is in its terminal's foreground process group (and so
 * is the child, which inherited the group): /proc/self/stat's pgrp equals its
 * tpgid, the terminal's foreground group (-1 without a terminal).
 */
function inTerminalForeground(): boolean {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    // Fields after "pid (comm) ": state ppid pgrp session tty_nr tpgid ...
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pgrp = Number(fields[2]);
    const tpgid = Number(fields[5]);
    return tpgid > 0 && tpgid === pgrp;
  } catch {
    return false;
  }
}
