// NetNamespace handles: each factory opens the namespace the kernel says it
// should, and bad input is refused with a typed error before any side effect.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NetNamespace, NetnsError, enterNetns, sys } from '../lib/index';
import { deadPid, nsfsFdsOf, onCleanup, readlinkNetns, run, startNetnsProcess, startZombie } from './helpers';

const hostId = readlinkNetns(process.pid);

function track<T extends NetNamespace>(ns: T): T {
  onCleanup(() => ns.close());
  return ns;
}

function expectSystemError(action: () => unknown, code: string, syscall?: string): NetnsError {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(NetnsError);
  const error = caught as NetnsError;
  expect(error.code).toBe(code);
  expect(error.errno).toBeLessThan(0);
  expect(error.message.startsWith(`${code}: `)).toBe(true);
  if (syscall) expect(error.syscall).toBe(syscall);
  return error;
}

describe('NetNamespace factories', () => {
  it("current() is the calling thread's namespace", () => {
    const ns = track(NetNamespace.current());
    expect(ns.id).toBe(hostId);
    expect(ns.isCurrent()).toBe(true);
    expect(readlinkNetns(process.pid, sys.gettid())).toBe(ns.id);
  });

  it('fromPid() of an `unshare --net` process equals readlink /proc/PID/ns/net', () => {
    const container = startNetnsProcess();
    const ns = track(NetNamespace.fromPid(container.pid));
    expect(ns.id).toBe(readlinkNetns(container.pid));
    expect(ns.id).not.toBe(hostId);
    expect(ns.isCurrent()).toBe(false);
  });

  it('fromPid() holds the namespace after the process is gone', async () => {
    const container = startNetnsProcess();
    const ns = track(NetNamespace.fromPid(container.pid));
    const exited = new Promise((resolve) => container.once('exit', resolve));
    container.kill('SIGKILL');
    await exited;
    expect(enterNetns(ns, () => readlinkNetns(process.pid, sys.gettid()))).toBe(ns.id);
  });

  it('fromPath() accepts any nsfs path of a net namespace', () => {
    const container = startNetnsProcess();
    const ns = track(NetNamespace.fromPath(`/proc/${container.pid}/ns/net`));
    expect(ns.id).toBe(readlinkNetns(container.pid));
    expect(ns.path).toBe(`/proc/${container.pid}/ns/net`);
  });

  it('fromName() opens a namespace made by `ip netns add`', () => {
    const name = `nn-handle-${process.pid}`;
    run('ip', ['netns', 'add', name]);
    onCleanup(() => run('ip', ['netns', 'del', name]));
    const ns = track(NetNamespace.fromName(name));
    expect(ns.id).toBe(run('ip', ['netns', 'exec', name, 'readlink', '/proc/self/ns/net']));
    expect(ns.name).toBe(name);
    expect(ns.path).toBe(`/run/netns/${name}`);
  });

  it('create() makes a new empty namespace and leaves the thread at home', () => {
    const ns = track(NetNamespace.create());
    expect(ns.id).not.toBe(hostId);
    expect(readlinkNetns(process.pid, sys.gettid())).toBe(hostId);
    expect(fs.readlinkSync(`/proc/self/fd/${ns.fd}`)).toBe(ns.id);
    expect(enterNetns(ns, () => run('ip', ['-o', 'link', 'show']))).toMatch(/^1: lo:.*state DOWN/);
  });

  it('equals() compares by nsfs device and inode', () => {
    const container = startNetnsProcess();
    const a = track(NetNamespace.fromPid(container.pid));
    const b = track(NetNamespace.fromPath(`/proc/${container.pid}/ns/net`));
    const c = track(NetNamespace.current());
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
    expect(a.id).toBe(`net:[${a.ino}]`);
  });

  it('close() is idempotent and a closed handle is a clear error', () => {
    const ns = NetNamespace.create();
    ns.close();
    ns.close();
    expect(ns.closed).toBe(true);
    expectSystemError(() => ns.fd, 'EBADF');
    expect(() => enterNetns(ns, () => undefined)).toThrow(/is closed/);
    expect(() => ns.isCurrent()).toThrow(/is closed/);
  });

  it('[Symbol.dispose] closes the handle', () => {
    let fd = -1;
    {
      using ns = NetNamespace.create();
      fd = ns.fd;
    }
    expect(() => fs.fstatSync(fd)).toThrow(/EBADF/);
  });

  it('a child process inherits none of the namespace fds', async () => {
    const container = startNetnsProcess();
    track(NetNamespace.fromPid(container.pid));
    const held = track(NetNamespace.create());
    enterNetns(held, () => undefined); // also opens this thread's home fd
    expect(nsfsFdsOf(process.pid).length).toBeGreaterThanOrEqual(3);
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    onCleanup(() => child.kill('SIGKILL'));
    await new Promise((resolve) => child.once('spawn', resolve));
    expect(nsfsFdsOf(child.pid!)).toEqual([]);
  });
});

describe('bad input', () => {
  it('a missing path is ENOENT', () => {
    const error = expectSystemError(() => NetNamespace.fromPath('/nonexistent/netns'), 'ENOENT');
    expect(error.path).toBe('/nonexistent/netns');
  });

  it('a regular file is not a network namespace', () => {
    const error = expectSystemError(() => NetNamespace.fromPath('/etc/hostname'), 'EINVAL');
    expect(error.message).toMatch(/not a network namespace/);
  });

  it('a directory, a FIFO and a device are refused without blocking', () => {
    const fifo = `/tmp/nn-fifo-${process.pid}`;
    run('mkfifo', [fifo]);
    onCleanup(() => fs.rmSync(fifo, { force: true }));
    expectSystemError(() => NetNamespace.fromPath('/proc'), 'EISDIR');
    expectSystemError(() => NetNamespace.fromPath(fifo), 'EINVAL');
    expectSystemError(() => NetNamespace.fromPath('/dev/null'), 'EINVAL');
  });

  it('a namespace file of another type (mnt) is refused', () => {
    const error = expectSystemError(() => NetNamespace.fromPath('/proc/self/ns/mnt'), 'EINVAL');
    expect(error.message).toMatch(/mnt namespace/);
  });

  it('a thread id is refused with a message naming its process', () => {
    const tids = fs
      .readdirSync(`/proc/${process.pid}/task`)
      .map(Number)
      .filter((tid) => tid !== process.pid);
    const error = expectSystemError(() => NetNamespace.fromPid(tids[0]), 'EINVAL');
    expect(error.message).toContain(`${tids[0]} is a thread of process ${process.pid}`);
  });

  it('a dead pid is ESRCH', () => {
    expectSystemError(() => NetNamespace.fromPid(deadPid()), 'ESRCH');
  });

  it('a zombie (exited, not yet reaped) is refused', async () => {
    const zombie = await startZombie();
    expectSystemError(() => NetNamespace.fromPid(zombie), 'ESRCH');
  });

  it.each([
    [Number.NaN, RangeError],
    [-1, RangeError],
    [0, RangeError],
    [1.5, RangeError],
    [Infinity, RangeError],
    ['123', TypeError],
    [null, TypeError],
  ])('pid %s is a %o', (pid, kind) => {
    expect(() => NetNamespace.fromPid(pid as number)).toThrow(kind);
    expect(() => enterNetns({ pid: pid as number }, () => undefined)).toThrow(kind);
  });

  it.each([
    ['', TypeError],
    ['.', TypeError],
    ['..', TypeError],
    ['a/b', TypeError],
    ['a\0b', TypeError],
    ['x'.repeat(256), RangeError],
  ])('name %j is refused', (name, kind) => {
    expect(() => NetNamespace.fromName(name)).toThrow(kind);
  });

  it('relative paths, non-strings and a missing fn are TypeErrors', () => {
    expect(() => NetNamespace.fromPath('run/netns/x')).toThrow(TypeError);
    expect(() => NetNamespace.fromPath(7 as unknown as string)).toThrow(TypeError);
    expect(() => enterNetns(null as unknown as string, () => undefined)).toThrow(TypeError);
    expect(() => enterNetns('/proc/self/ns/net', undefined as unknown as () => void)).toThrow(TypeError);
    expect(() => new (NetNamespace as unknown as new () => unknown)()).toThrow(TypeError);
  });

  it("sys calls throw NetnsError shaped like Node's own", () => {
    const error = expectSystemError(() => sys.setns(-1, sys.constants.CLONE_NEWNET), 'EBADF', 'setns');
    expect(error.errno).toBe(-9);
    expect(error.message).toBe('EBADF: bad file descriptor, setns');
    expect(() => sys.setns(1.5, 0)).toThrow(RangeError);
    expect(() => sys.setns('3' as unknown as number, 0)).toThrow(TypeError);
  });
});
