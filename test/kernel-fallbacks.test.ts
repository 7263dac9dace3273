// The fallbacks for kernels (and sandboxes) without clone3 or pidfd
// namespace ioctls, run for real on this kernel through the
// NETNS_NATIVE_TEST_WITHOUT seam. CI also runs the handle, spawn and clone suites
// whole under the seam; these tests prove the seam takes the other path.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NetNamespace, sys } from '../lib/index';
import { onCleanup, readlinkNetns, startNetnsProcess } from './helpers';

function without(features: string): void {
  const before = process.env.NETNS_NATIVE_TEST_WITHOUT;
  process.env.NETNS_NATIVE_TEST_WITHOUT = features;
  onCleanup(() => {
    if (before === undefined) delete process.env.NETNS_NATIVE_TEST_WITHOUT;
    else process.env.NETNS_NATIVE_TEST_WITHOUT = before;
  });
}

const O_NONBLOCK = fs.constants.O_NONBLOCK;
const fdFlags = (fd: number) =>
  Number.parseInt(/^flags:\s+(\d+)/m.exec(fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))![1], 8);

describe('without clone3 (seccomp, valgrind, old kernels)', () => {
  it('sys.clone uses clone(CLONE_PIDFD): CLONE_NEWTIME, which only clone3 can carry, is refused by name', async () => {
    const spec = { file: '/bin/true', argv: ['true'], envp: [], cloneFlags: sys.constants.CLONE_NEWTIME };
    const child = sys.clone(spec); // clone3 carries it
    await new Promise((resolve) => sys.waitPidfd(child.pidfd, resolve));
    sys.close(child.pidfd);
    without('clone3');
    expect(() => sys.clone(spec)).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'clone' }));
  });

  it('an isolated spawn still runs inside its namespace', async () => {
    without('clone3');
    const ns = NetNamespace.create();
    onCleanup(() => ns.close());
    const child = ns.spawn('sleep', ['30'], { mountNamespace: 'isolated', stdio: 'ignore' });
    onCleanup(() => child.kill('SIGKILL'));
    await new Promise((resolve) => child.once('spawn', resolve));
    expect(readlinkNetns(child.pid!)).toBe(ns.id);
  });
});

describe('without PIDFD_GET_NET_NAMESPACE (before Linux 6.11) or without pidfds (before 5.3)', () => {
  it.each(['', 'pidfd-netns', 'pidfd'])(
    'fromPid with %j missing opens the right namespace, by the path when it must',
    (feature) => {
      const container = startNetnsProcess();
      if (feature) without(feature);
      const ns = NetNamespace.fromPid(container.pid);
      onCleanup(() => ns.close());
      expect(ns.id).toBe(readlinkNetns(container.pid));
      // The ioctl's fd is plain; a path is opened O_NONBLOCK (a FIFO planted there must not hang).
      expect((fdFlags(ns.fd) & O_NONBLOCK) !== 0).toBe(feature !== '');
    },
  );
});
