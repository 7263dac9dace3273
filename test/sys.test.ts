// The raw syscalls: one to one with the kernel's, errors shaped like Node's.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NetnsError, sys } from '../lib/index';
import { onCleanup, readlinkNetns, run, startNetnsProcess } from './helpers';

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nn-sys-'));
  onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('sys', () => {
  it('mount/umount2 bind a file, as findmnt sees it, and carry the path in errors', () => {
    const dir = tempDir();
    const source = path.join(dir, 'source');
    const target = path.join(dir, 'target');
    fs.writeFileSync(source, 'hello');
    fs.writeFileSync(target, '');
    sys.mount(source, target, null, sys.constants.MS_BIND);
    let mounted = true;
    onCleanup(() => {
      if (mounted) sys.umount2(target, sys.constants.MNT_DETACH);
    });
    expect(run('findmnt', ['-n', '-o', 'TARGET', target])).toBe(target);
    expect(fs.readFileSync(target, 'utf8')).toBe('hello');
    sys.umount2(target, 0);
    mounted = false;
    expect(fs.readFileSync(target, 'utf8')).toBe('');
    let error: NetnsError | undefined;
    try {
      sys.umount2(target, 0);
    } catch (e) {
      error = e as NetnsError;
    }
    expect(error).toBeInstanceOf(NetnsError);
    expect(error).toMatchObject({ code: 'EINVAL', syscall: 'umount2', path: target });
    expect(error!.message).toBe(`EINVAL: invalid argument, umount2 '${target}'`);
  });

  it("pidfdOpen + pidfdGetNetNamespace give the process's namespace, close-on-exec", () => {
    const container = startNetnsProcess();
    const pidfd = sys.pidfdOpen(container.pid);
    onCleanup(() => sys.close(pidfd));
    const nsfd = sys.pidfdGetNetNamespace(pidfd);
    onCleanup(() => sys.close(nsfd));
    expect(fs.readlinkSync(`/proc/self/fd/${nsfd}`)).toBe(readlinkNetns(container.pid));
    expect(sys.nsGetNstype(nsfd)).toBe(sys.constants.CLONE_NEWNET);
    for (const fd of [pidfd, nsfd]) {
      const flags = fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').match(/^flags:\s+(\d+)/m)![1];
      expect(Number.parseInt(flags, 8) & sys.constants.O_CLOEXEC).toBe(sys.constants.O_CLOEXEC);
    }
  });

  it('nsGetUserns and nsGetOwnerUid walk to the owning user namespace', () => {
    const netfd = fs.openSync('/proc/self/ns/net', 'r');
    onCleanup(() => fs.closeSync(netfd));
    const userfd = sys.nsGetUserns(netfd);
    onCleanup(() => sys.close(userfd));
    expect(fs.readlinkSync(`/proc/self/fd/${userfd}`)).toBe(fs.readlinkSync('/proc/self/ns/user'));
    expect(sys.nsGetNstype(userfd)).toBe(sys.constants.CLONE_NEWUSER);
    expect(sys.nsGetOwnerUid(userfd)).toBe(0);
  });

  it('flock excludes a second open file description', () => {
    const dir = tempDir();
    const a = fs.openSync(dir, 'r');
    const b = fs.openSync(dir, 'r');
    onCleanup(() => {
      fs.closeSync(a);
      fs.closeSync(b);
    });
    sys.flock(a, sys.constants.LOCK_EX);
    expect(() => sys.flock(b, sys.constants.LOCK_EX | sys.constants.LOCK_NB)).toThrow(/EWOULDBLOCK|EAGAIN/);
    sys.flock(a, sys.constants.LOCK_UN);
    sys.flock(b, sys.constants.LOCK_EX | sys.constants.LOCK_NB);
  });

  it('waitPidfd refuses an fd that is not a pidfd at once (EBADF), keeping no copy of it', async () => {
    const [readEnd, writeEnd] = sys.pipe();
    const file = fs.openSync('/proc/self/ns/net', 'r');
    onCleanup(() => [readEnd, writeEnd, file].forEach((fd) => sys.close(fd)));
    const fds = () =>
      fs.readdirSync('/proc/self/fd').map((fd) => {
        try {
          return `${fd} -> ${fs.readlinkSync(`/proc/self/fd/${fd}`)}`;
        } catch {
          return fd; // the directory's own fd, gone by now
        }
      });
    const before = fds();
    const called: unknown[] = [];
    // A pipe nobody writes to would never wake a watch: before, this waited forever.
    for (const fd of [readEnd, writeEnd, file, 0]) {
      expect(() => sys.waitPidfd(fd, (...args) => called.push(args)), `fd ${fd}`).toThrow(
        expect.objectContaining({ code: 'EBADF', syscall: 'waitid' }),
      );
    }
    expect(fds()).toEqual(before);
    // A real pidfd is still watched, and the child reaped.
    const child = sys.clone({ file: '/bin/sh', argv: ['sh', '-c', 'exit 7'], envp: [] });
    onCleanup(() => sys.close(child.pidfd));
    const exit = await new Promise((resolve) => sys.waitPidfd(child.pidfd, (...args) => resolve(args)));
    expect(exit).toEqual([null, 7, null]);
    expect(called).toEqual([]);
  });

  it('rejects arguments of the wrong type before the call', () => {
    expect(() => sys.mount(null, 5 as unknown as string, null, 0)).toThrow(TypeError);
    expect(() => sys.mount('a\0b', '/x', null, 0)).toThrow(/NUL/);
    expect(() => sys.unshare('x' as unknown as number)).toThrow(TypeError);
    expect(() => sys.pidfdOpen(-1)).toThrow(NetnsError);
  });
});
