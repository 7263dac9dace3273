// Shared test tools: run real commands, start stand-in "containers", and
// register cleanups that run even when a test fails.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach } from 'vitest';

export const repoRoot = path.join(__dirname, '..');
export const distEntry = path.join(repoRoot, 'dist', 'index.js');

/** Runs a command and returns its trimmed stdout; throws with stderr on failure. */
export function run(command: string, args: string[], options: { input?: string } = {}): string {
  return execFileSync(command, args, { encoding: 'utf8', input: options.input,
    stdio: ['pipe', 'pipe', 'pipe'] }).trim();
}

/** Runs a command and returns status, stdout and stderr without throwing. */
export function tryRun(command: string, args: string[]) {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
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

/** A pid that is not in use now (and was, a moment ago). */
export function deadPid(): number {
  const result = spawnSync('true');
  return result.pid;
}

/** Runs a script in a fresh node process and returns status/stdout/stderr. */
export function runNode(script: string, args: string[] = [], options: { uid?: number } = {}) {
  const result = spawnSync(process.execPath, ['-e', script, ...args], {
    encoding: 'utf8',
    cwd: repoRoot,
    uid: options.uid,
    gid: options.uid,
  });
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

/** Every fd of a process that points at an nsfs file. */
export function nsfsFdsOf(pid: number): string[] {
  const dir = `/proc/${pid}/fd`;
  return fs.readdirSync(dir).flatMap((fd) => {
    try {
      const target = fs.readlinkSync(path.join(dir, fd));
      return /^[a-z]+:\[\d+\]$/.test(target) ? [`${fd} -> ${target}`] : [];
    } catch {
      return [];
    }
  });
}
