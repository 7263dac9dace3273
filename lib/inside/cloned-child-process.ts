// A ChildProcess (instanceof and interface) for a child made by sys.clone.
// It does not call ChildProcess's constructor, which would allocate a libuv
// process handle that is never spawned. Its exit is watched on this thread's
// event loop through the pidfd (sys.waitPidfd), so ref() and unref() are real
// and the watch ends with the thread that started it.
import { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type net from 'node:net';
import os from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { native } from '../binding';
import { NetnsError, failedWith, toNetnsError } from '../errors';
import { type PidfdWatcher, sys } from '../sys';

export class ClonedChildProcess extends EventEmitter {
  pid?: number;
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  killed = false;
  connected = false;
  spawnfile: string;
  spawnargs: string[];
  stdin: Writable | null = null;
  stdout: Readable | null = null;
  stderr: Readable | null = null;
  stdio: Array<Readable | Writable | null> = [null, null, null];
  #pidfd = -1;
  #watcher?: PidfdWatcher;
  #referenced = true;
  #openStreams = 0;
  #exited = false;

  constructor(file: string, args: string[]) {
    super();
    this.spawnfile = file;
    this.spawnargs = args;
  }

  /** @internal The clone succeeded: watch the child, own its pidfd. */
  started(pid: number, pidfd: number, streams: Array<net.Socket | null>): void {
    this.pid = pid;
    this.#pidfd = pidfd;
    [this.stdin, this.stdout, this.stderr] = streams;
    this.stdio = streams;
    // As Node's ChildProcess: 'close' waits for the output streams, not stdin.
    for (const stream of streams.slice(1)) {
      if (!stream) continue;
      this.#openStreams++;
      stream.once('close', () => {
        this.#openStreams--;
        this.#maybeClose();
      });
    }
    this.#watcher = sys.waitPidfd(pidfd, (errno, code, signal) => this.#onExit(errno, code, signal));
    if (!this.#referenced) this.#watcher.unref();
    process.nextTick(() => this.emit('spawn'));
  }

  /**
   * @internal Nothing was started: 'error', then 'close' with the negative
   * errno as exit code, as Node's ChildProcess does after a failed spawn.
   */
  failedToStart(error: unknown): void {
    const errno = (error as { errno?: unknown }).errno;
    this.exitCode = typeof errno === 'number' ? errno : null;
    this.#exited = true;
    process.nextTick(() => {
      this.emit('error', error);
      this.#maybeClose();
    });
  }

  #onExit(errno: number | null, code: number | null, signal: NodeJS.Signals | null): void {
    native.close(this.#pidfd);
    this.#pidfd = -1;
    this.#exited = true;
    this.stdin?.destroy();
    if (errno !== null) {
      this.emit('error', new NetnsError({ errno, syscall: 'waitid' }));
    } else {
      this.exitCode = code;
      this.signalCode = signal;
      this.emit('exit', code, signal);
    }
    this.#maybeClose();
  }

  #maybeClose(): void {
    if (this.#exited && this.#openStreams === 0) {
      this.#openStreams = -1;
      this.emit('close', this.exitCode, this.signalCode);
    }
  }

  /**
   * Sends a signal; false when the child has already exited (its 'exit' may
   * still be on its way), as Node's own ChildProcess.kill() answers.
   */
  kill(signal: NodeJS.Signals | number = 'SIGTERM'): boolean {
    const number = typeof signal === 'number' ? signal : os.constants.signals[signal];
    if (number === undefined) throw new TypeError(`unknown signal ${String(signal)}`);
    if (this.#pidfd < 0) return false;
    const sent = native.pidfdSendSignal(this.#pidfd, number);
    if (failedWith(sent, 'ESRCH')) return false;
    if (sent !== undefined) {
      this.emit('error', toNetnsError(sent));
      return false;
    }
    this.killed = true;
    return true;
  }

  /** Keeps the event loop alive until the child exits (the default). */
  ref(): void {
    this.#referenced = true;
    this.#watcher?.ref();
  }

  /** Lets the process exit while the child still runs. */
  unref(): void {
    this.#referenced = false;
    this.#watcher?.unref();
  }
}
Object.setPrototypeOf(ClonedChildProcess.prototype, ChildProcess.prototype);
