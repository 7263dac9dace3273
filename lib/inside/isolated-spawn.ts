// ns.spawn(..., { mountNamespace: 'isolated' }): `ip netns exec` semantics.
// The child needs a mount namespace of its own, which a multithreaded process
// cannot enter, so sys.clone sets it up in the child between clone and exec
// (isolation-steps.ts). Options are checked as strictly as child_process
// checks them, before anything is made.
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ClonedChild, native } from '../binding';
import { NetnsError, check, errnoOf } from '../errors';
import type { NamespaceRef } from '../ref';
import { sys } from '../sys';
import { ClonedChildProcess } from './cloned-child-process';
import { isolationSteps } from './isolation-steps';
import { assertCommand } from './spawn';

type StdioKind = 'pipe' | 'inherit' | 'ignore';
const STDIO_KINDS: readonly string[] = ['pipe', 'inherit', 'ignore'];
const SUPPORTED_OPTIONS = new Set(['stdio', 'env', 'cwd']);

interface IsolatedOptions {
  kinds: StdioKind[];
  env: NodeJS.ProcessEnv;
  envp: string[];
  cwd?: string;
}

function stdioKinds(stdio: unknown): StdioKind[] {
  if (stdio === undefined || stdio === null) return ['pipe', 'pipe', 'pipe'];
  const list = typeof stdio === 'string' ? [stdio, stdio, stdio] : stdio;
  if (!Array.isArray(list) || list.length > 3) {
    throw new TypeError("isolated spawn supports stdio 'pipe', 'inherit' or 'ignore' for fds 0-2 only");
  }
  // As child_process: a missing entry is a pipe.
  const kinds = [0, 1, 2].map((i) => list[i] ?? 'pipe');
  for (const kind of kinds) {
    if (typeof kind !== 'string' || !STDIO_KINDS.includes(kind)) {
      throw new TypeError(
        "isolated spawn supports stdio 'pipe', 'inherit' or 'ignore' for fds 0-2 only, " +
          `got ${typeof kind === 'string' ? `'${kind}'` : typeof kind}`,
      );
    }
  }
  return kinds as StdioKind[];
}

function noNul(value: string, what: string): string {
  if (value.includes('\0')) throw new TypeError(`${what} must not contain NUL bytes`);
  return value;
}

function readOptions(options: SpawnOptions): IsolatedOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined && !SUPPORTED_OPTIONS.has(key)) {
      throw new TypeError(
        `isolated spawn does not support the '${key}' option ` +
          "(supported: stdio, env, cwd); use mountNamespace: 'shared' for the full child_process options",
      );
    }
  }
  const env = options.env ?? process.env;
  if (typeof env !== 'object' || env === null || Array.isArray(env)) {
    throw new TypeError('options.env must be an object');
  }
  const envp = Object.entries(env)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${noNul(key, 'options.env keys')}=${noNul(String(value), 'options.env values')}`);
  let cwd: string | undefined;
  if (options.cwd !== undefined && options.cwd !== null) {
    if (typeof options.cwd !== 'string' && !(options.cwd instanceof URL)) {
      throw new TypeError('options.cwd must be a string or a file: URL');
    }
    cwd = noNul(options.cwd instanceof URL ? fileURLToPath(options.cwd) : options.cwd, 'options.cwd');
  }
  return { kinds: stdioKinds(options.stdio), env, envp, cwd };
}

/**
 * PATH lookup as execvp does it, done before the clone; relative paths (and
 * relative or empty PATH entries) are from the child's cwd, as execvp in the
 * child would take them.
 */
function resolveProgram(command: string, env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  if (command.includes('/')) return path.resolve(cwd, command);
  for (const dir of (env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(':')) {
    const candidate = path.resolve(cwd, dir || '.', command);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The child's end of each stdio fd, and our end wrapped as a stream where piped. */
interface StdioPlan {
  childEnds: [number, number, number];
  /** Made here; closed here once the child has its copies. */
  ownChildEnds: number[];
  streams: Array<net.Socket | null>;
}

function planStdio(kinds: StdioKind[]): StdioPlan {
  const plan: StdioPlan = { childEnds: [-1, -1, -1], ownChildEnds: [], streams: [] };
  try {
    kinds.forEach((kind, fd) => {
      if (kind === 'inherit') {
        // Our own fd 0-2 (Node may have made it close-on-exec: the child clears that).
        plan.childEnds[fd] = fd;
        plan.streams.push(null);
      } else if (kind === 'ignore') {
        const devNull = check(native.open('/dev/null', fd === 0 ? fs.constants.O_RDONLY : fs.constants.O_WRONLY));
        plan.ownChildEnds.push(devNull);
        plan.childEnds[fd] = devNull;
        plan.streams.push(null);
      } else {
        const [read, write] = check(native.pipe());
        const [childEnd, ourEnd] = fd === 0 ? [read, write] : [write, read];
        plan.ownChildEnds.push(childEnd);
        plan.childEnds[fd] = childEnd;
        try {
          plan.streams.push(new net.Socket({ fd: ourEnd, readable: fd > 0, writable: fd === 0 }));
        } catch (error) {
          native.close(ourEnd);
          throw error;
        }
      }
    });
    return plan;
  } catch (error) {
    closeChildEnds(plan);
    destroyStreams(plan);
    throw error;
  }
}

/** Our copies of the child's ends: closed once the child has its own, or there is no child. */
function closeChildEnds(plan: StdioPlan): void {
  for (const fd of plan.ownChildEnds) native.close(fd);
}

function destroyStreams(plan: StdioPlan): void {
  for (const stream of plan.streams) stream?.destroy();
}

/** A child that runs but cannot be watched is ended rather than left unseen. */
function endUnwatched({ pidfd }: ClonedChild): void {
  native.pidfdSendSignal(pidfd, os.constants.signals.SIGKILL);
  try {
    sys.waitPidfd(pidfd, () => native.close(pidfd));
  } catch {
    native.close(pidfd); // no watch to be had: it stays a zombie until we exit
  }
}

export function spawnIsolated(
  ns: NamespaceRef,
  command: string,
  args: readonly string[],
  options: SpawnOptions,
): ChildProcess {
  assertCommand(command, args);
  const { kinds, env, envp, cwd } = readOptions(options);
  const steps = isolationSteps(ns); // checks the handle is open
  const child = new ClonedChildProcess(command, [command, ...args]);
  const program = resolveProgram(command, env, cwd ?? process.cwd());
  if (program === undefined) {
    child.failedToStart(new NetnsError({ errno: errnoOf('ENOENT'), syscall: `spawn ${command}`, path: command }));
    return child as unknown as ChildProcess;
  }
  let plan: StdioPlan;
  let started: ClonedChild;
  try {
    plan = planStdio(kinds);
  } catch (error) {
    child.failedToStart(error);
    return child as unknown as ChildProcess;
  }
  try {
    started = sys.clone({ file: program, argv: [command, ...args], envp, cwd, stdio: plan.childEnds, steps });
  } catch (error) {
    destroyStreams(plan);
    child.failedToStart(error);
    return child as unknown as ChildProcess;
  } finally {
    closeChildEnds(plan);
  }
  try {
    child.started(started.pid, started.pidfd, plan.streams);
  } catch (error) {
    endUnwatched(started);
    destroyStreams(plan);
    child.failedToStart(error);
  }
  return child as unknown as ChildProcess;
}
