// ns.spawn(..., { mountNamespace: 'isolated' }): `ip netns exec` semantics.
// The child needs a mount namespace of its own, which a multithreaded process
// cannot enter, so it is set up in the child between clone and exec:
// join the netns, unshare the mount namespace, stop propagation back to the
// host (MS_SLAVE), mount a fresh /sys (which shows the namespace's devices)
// and bind /etc/netns/NAME/* over /etc/*.
import { ChildProcess, type SpawnOptions } from 'node:child_process';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { type CloneStep, native } from './binding';
import { NetnsError, errnoOf, toNetnsError } from './errors';
import type { NetNamespace } from './net-namespace';

const c = native.constants;
type StdioKind = 'pipe' | 'inherit' | 'ignore';

function stdioKinds(stdio: SpawnOptions['stdio']): StdioKind[] {
  const list = stdio === undefined ? ['pipe', 'pipe', 'pipe']
    : typeof stdio === 'string' ? [stdio, stdio, stdio] : [...stdio];
  while (list.length < 3) list.push('pipe');
  if (list.length > 3 || !list.every((k) => k === 'pipe' || k === 'inherit' || k === 'ignore')) {
    throw new TypeError("isolated spawn supports stdio 'pipe', 'inherit' and 'ignore' for fds 0-2 only");
  }
  return list as StdioKind[];
}

/** PATH lookup as execvp does it, done before the clone. */
function resolveProgram(command: string, env: NodeJS.ProcessEnv): string | undefined {
  if (command.includes('/')) return path.resolve(command);
  for (const dir of (env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(':')) {
    const candidate = path.join(dir || '.', command);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function sysIsReadOnly(): boolean {
  const line = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .find((entry) => entry.split(' ')[4] === '/sys');
  return line !== undefined && line.split(' ')[5].split(',').includes('ro');
}

/** The steps `ip netns exec NAME` takes, in its order. */
export function isolationSteps(ns: NetNamespace): CloneStep[] {
  const steps: CloneStep[] = [
    { op: 'setns', fd: ns.fd, flags: c.CLONE_NEWNET },
    { op: 'unshare', flags: c.CLONE_NEWNS },
    { op: 'mount', target: '/', mountFlags: c.MS_SLAVE | c.MS_REC },
    { op: 'umount2', target: '/sys', flags: c.MNT_DETACH, optional: true },
    { op: 'mount', source: ns.name ?? 'sysfs', target: '/sys', fstype: 'sysfs',
      mountFlags: sysIsReadOnly() ? c.MS_RDONLY : 0 },
  ];
  if (ns.name === undefined) return steps;
  const etcDir = path.join('/etc/netns', ns.name);
  let entries: string[] = [];
  try {
    entries = fs.readdirSync(etcDir);
  } catch {
    // no per-namespace /etc files
  }
  for (const entry of entries) {
    steps.push({ op: 'mount', source: path.join(etcDir, entry), target: path.join('/etc', entry),
      mountFlags: c.MS_BIND, optional: true });
  }
  return steps;
}

/**
 * A ChildProcess (instanceof and interface) for a child made by sys.clone.
 * It does not call ChildProcess's constructor, which would allocate a libuv
 * process handle that is never spawned.
 */
class ClonedChildProcess extends EventEmitter {
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
  #openStreams = 0;
  #exited = false;

  constructor(file: string, args: string[]) {
    super();
    this.spawnfile = file;
    this.spawnargs = args;
  }

  /** @internal */
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
    native.waitPidfd(pidfd, (errno, code, signal) => this.#onExit(errno, code, signal));
    process.nextTick(() => this.emit('spawn'));
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

  kill(signal: NodeJS.Signals | number = 'SIGTERM'): boolean {
    if (this.#pidfd < 0) return false;
    const number = typeof signal === 'number' ? signal : os.constants.signals[signal];
    if (number === undefined) throw new TypeError(`unknown signal ${String(signal)}`);
    try {
      native.pidfdSendSignal(this.#pidfd, number);
    } catch (error) {
      this.emit('error', toNetnsError(error));
      return false;
    }
    this.killed = true;
    return true;
  }

  /** The child is watched by a native thread that always keeps the loop alive. */
  ref(): void {}
  unref(): void {}
}
Object.setPrototypeOf(ClonedChildProcess.prototype, ChildProcess.prototype);

function envp(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`);
}

const SUPPORTED_OPTIONS = new Set(['stdio', 'env', 'cwd']);

export function spawnIsolated(ns: NetNamespace, command: string, args: readonly string[],
  options: SpawnOptions): ChildProcess {
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined && !SUPPORTED_OPTIONS.has(key)) {
      throw new TypeError(`isolated spawn does not support the '${key}' option ` +
        "(supported: stdio, env, cwd); use mountNamespace: 'shared' for the full child_process options");
    }
  }
  const kinds = stdioKinds(options.stdio);
  const env = options.env ?? process.env;
  const steps = isolationSteps(ns); // checks the handle is open
  const child = new ClonedChildProcess(command, [command, ...args]);
  const program = resolveProgram(command, env);
  if (program === undefined) {
    const error = new NetnsError({ errno: errnoOf('ENOENT'), syscall: `spawn ${command}`, path: command });
    process.nextTick(() => child.emit('error', error));
    return child as unknown as ChildProcess;
  }
  const childEnds: number[] = [];
  const ownChildEnds: number[] = []; // made here, closed here once the child has them
  const parentEnds: Array<number | null> = [];
  try {
    kinds.forEach((kind, fd) => {
      if (kind === 'inherit') {
        // Our own fd 0-2 (Node may have made it close-on-exec: the child clears that).
        childEnds.push(fd);
        parentEnds.push(null);
      } else if (kind === 'ignore') {
        const devNull = native.open('/dev/null', fd === 0 ? fs.constants.O_RDONLY : fs.constants.O_WRONLY);
        ownChildEnds.push(devNull);
        childEnds.push(devNull);
        parentEnds.push(null);
      } else {
        const [read, write] = native.pipe();
        ownChildEnds.push(fd === 0 ? read : write);
        childEnds.push(fd === 0 ? read : write);
        parentEnds.push(fd === 0 ? write : read);
      }
    });
    const { pid, pidfd } = native.clone({
      file: program,
      argv: [command, ...args],
      envp: envp(env),
      cwd: options.cwd === undefined ? undefined : String(options.cwd),
      stdio: childEnds as [number, number, number],
      steps,
    });
    const streams = parentEnds.map((fd, i) => (fd === null ? null
      : new net.Socket({ fd, readable: i > 0, writable: i === 0 })));
    child.started(pid, pidfd, streams);
  } catch (error) {
    for (const fd of parentEnds) if (fd !== null) native.close(fd);
    const failure = toNetnsError(error);
    process.nextTick(() => child.emit('error', failure));
  } finally {
    for (const fd of ownChildEnds) native.close(fd);
  }
  return child as unknown as ChildProcess;
}
