// Shared test tools: run real commands, start stand-in "containers", and
// register cleanups that run even when a test fails.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { NetnsError } from '../lib/errors';

export const repoRoot = path.join(__dirname, '..');
export const distEntry = path.join(repoRoot, 'dist', 'index.js');

/** Runs a command and returns its trimmed stdout; throws with stderr on failure. */
export function run(command: string, args: string[], options: { input?: string } = {}): string {
  return execFileSync(command, args, {
    encoding: 'utf8',
    input: options.input,
    stdio: ['pipe', 'pipe', 'pipe'],
  }).trim();
}

/** A child's exit code and its trimmed output, once it has closed. */
export function finished(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout: stdout.trim(), stderr: stderr.trim() }));
  });
}

/** Runs a command and returns status, stdout and stderr without throwing. */
export function tryRun(command: string, args: string[]) {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
}

/**
 * Fails at once, naming what to install, when `command` is not on PATH: a
 * test that needs a system tool must not hang or pass silently without it.
 */
export function requireTool(command: string, debianPackage: string): void {
  const found = (process.env.PATH ?? '').split(':').some((dir) => {
    try {
      fs.accessSync(path.join(dir || '.', command), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  if (!found) throw new Error(`this test needs ${command}, which is not on PATH: install ${debianPackage}`);
}

/** `net:[INO]` of a process as the kernel shows it, read from outside. */
export function readlinkNetns(pid: number, tid?: number): string {
  const file = tid === undefined ? `/proc/${pid}/ns/net` : `/proc/${pid}/task/${tid}/ns/net`;
  return run('readlink', [file]);
}

export function nsInode(id: string): number {
  const match = /^net:\[(\d+)\]$/.exec(id);
  if (!match) throw new Error(`not a net namespace id: ${id}`);
  return Number(match[1]);
}

const cleanups: Array<() => void> = [];

/** Registers an undo step; all run (last first) after each test, pass or fail. */
export function onCleanup(undo: () => void): void {
  cleanups.push(undo);
}

afterEach(() => {
  const errors: unknown[] = [];
  while (cleanups.length > 0) {
    try {
      cleanups.pop()!();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length > 0) throw new AggregateError(errors, 'cleanup failed');
});

/** Waits until a child's namespace differs from ours (unshare has happened). */
function waitForOwnNetns(child: ChildProcess): void {
  const host = fs.readlinkSync('/proc/self/ns/net');
  for (let i = 0; i < 500; i++) {
    try {
      if (fs.readlinkSync(`/proc/${child.pid}/ns/net`) !== host) return;
    } catch {
      // Not started yet.
    }
    spawnSync('sleep', ['0.01']);
  }
  throw new Error(`process ${child.pid} never left the host namespace`);
}

/** A stand-in container: `unshare --net sleep`, killed after the test. */
export function startNetnsProcess(): ChildProcess & { pid: number } {
  const child = spawn('unshare', ['--net', 'sleep', '600'], { stdio: 'ignore' });
  if (child.pid === undefined) throw new Error('could not start unshare');
  onCleanup(() => killAndReap(child));
  // unshare(1) execs sleep in place, so the pid stays the same.
  waitForOwnNetns(child);
  return child as ChildProcess & { pid: number };
}

export function killAndReap(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** The same as childrenOf below, as source for the scripts runNode runs. */
export const childrenOfSource = `function childrenOf(pid) {
  const fs = require('node:fs');
  return fs.readdirSync('/proc/' + pid + '/task').flatMap((tid) =>
    fs.readFileSync('/proc/' + pid + '/task/' + tid + '/children', 'utf8').trim().split(' ').filter(Boolean))
    .map(Number).map((child) => {
      try { return { pid: child, state: fs.readFileSync('/proc/' + child + '/stat', 'utf8').split(') ')[1][0] }; }
      catch { return { pid: child, state: 'gone' }; }
    }).filter((child) => child.state !== 'gone');
}`;

/**
 * The live children of a process (any of its threads may have forked them),
 * with their state letter ('Z' for a zombie), read from /proc: ps hangs when
 * CI preloads the ASan runtime into every program.
 */
export function childrenOf(pid: number): Array<{ pid: number; state: string }> {
  return fs
    .readdirSync(`/proc/${pid}/task`)
    .flatMap((tid) => fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(' ').filter(Boolean))
    .map(Number)
    .flatMap((child) => {
      try {
        return [{ pid: child, state: fs.readFileSync(`/proc/${child}/stat`, 'utf8').split(') ')[1][0] }];
      } catch {
        return []; // reaped meanwhile
      }
    });
}

/**
 * A pid no process can have: the kernel hands out pids below pid_max
 * (/proc/sys/kernel/pid_max is the first it never uses). The pid of a process
 * that has exited would do only until the kernel reuses it.
 */
export function deadPid(): number {
  const pidMax = Number(fs.readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
  if (fs.existsSync(`/proc/${pidMax}`)) throw new Error(`pid_max ${pidMax} is a live pid: pid_max was lowered`);
  return pidMax;
}

/**
 * A zombie: `sleep 30` (exec'd by sh) is the parent of a `sleep 0` that has
 * exited and is never waited for. Returns its pid; killed after the test.
 */
export async function startZombie(): Promise<number> {
  const parent = spawn('sh', ['-c', 'sleep 0 & exec sleep 30'], { stdio: 'ignore' });
  onCleanup(() => killAndReap(parent));
  for (let i = 0; i < 200; i++) {
    const children = fs.readFileSync(`/proc/${parent.pid}/task/${parent.pid}/children`, 'utf8').trim();
    if (children) {
      const pid = Number(children.split(' ')[0]);
      const state = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
      if (state === 'Z') return pid;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('no zombie appeared');
}

export interface RunNodeOptions {
  /** Arguments after the script (process.argv[1] onwards). */
  args?: string[];
  /** Flags for node itself, e.g. --expose-gc or --input-type=module. */
  nodeArgs?: string[];
  /** Run as this user; then give a `cwd` that user can read, from unprivilegedCopy(). */
  uid?: number;
  cwd?: string;
}

/**
 * Runs a script in a fresh node process (core dumps off, so an intended abort
 * leaves no core file) and returns status, signal, stdout and stderr.
 */
export function runNode(script: string, options: RunNodeOptions = {}) {
  if (options.uid !== undefined && options.uid !== 0 && options.cwd === undefined) {
    // The clone may live where other users cannot enter (a home of mode 700, a mktemp -d).
    throw new Error('runNode as another user needs a cwd it can read: use unprivilegedCopy()');
  }
  const node = [process.execPath, ...(options.nodeArgs ?? []), '-e', script, '--', ...(options.args ?? [])];
  const result = spawnSync('sh', ['-c', 'ulimit -c 0 && exec "$@"', 'sh', ...node], {
    encoding: 'utf8',
    cwd: options.cwd ?? repoRoot,
    uid: options.uid,
    gid: options.uid,
    timeout: 60_000,
  });
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

/**
 * A copy of the built package (dist, addon, package.json) in a 0755 temp dir,
 * so that user nobody can load it wherever the clone lives; removed after the
 * test. Run scripts there with runNode(script, { uid: 65534, cwd }).
 */
export function unprivilegedCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nn-unpriv-'));
  onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const addon = path.relative(repoRoot, require('node-gyp-build').resolve(repoRoot));
  for (const part of ['package.json', 'dist', addon, 'node_modules/node-gyp-build']) {
    fs.cpSync(path.join(repoRoot, part), path.join(dir, part), { recursive: true });
  }
  fs.chmodSync(dir, 0o755);
  return dir;
}

/** Every fd of a process that points at an nsfs file. */
export function nsfsFdsOf(pid: number): string[] {
  const dir = `/proc/${pid}/fd`;
  return fs.readdirSync(dir).flatMap((fd) => {
    try {
      const target = fs.readlinkSync(path.join(dir, fd));
      return /^(net|mnt|uts|ipc|pid|user|cgroup|time):\[\d+\]$/.test(target) ? [`${fd} -> ${target}`] : [];
    } catch {
      return [];
    }
  });
}

/** The NetnsError `action` throws; anything else thrown is rethrown, and nothing thrown fails. */
export function caught(action: () => unknown): NetnsError {
  try {
    action();
  } catch (error) {
    if (error instanceof NetnsError) return error;
    throw error;
  }
  throw new Error('expected a NetnsError, nothing was thrown');
}

/** This process's sockets, nsfs and inotify fds, as `FD -> target` (others come and go with vitest's own work). */
export function watchLikeFds(): Set<string> {
  const fds = new Set<string>();
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    let target: string;
    try {
      target = fs.readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue; // the directory's own fd, closed meanwhile
    }
    if (/^(socket:|net:|anon_inode:inotify)/.test(target)) fds.add(`${fd} -> ${target}`);
  }
  return fds;
}

/** Such fds open now and not before. */
export function newFds(before: Set<string>): string[] {
  return [...watchLikeFds()].filter((fd) => !before.has(fd));
}
