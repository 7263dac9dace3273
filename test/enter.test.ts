// enterNetns: the calling thread, and what it starts, are in the target while
// fn runs, and back afterwards; every claim is read from outside the process.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NetNamespace, enterNetns, sys } from '../lib/index';
import { killAndReap, nsfsFdsOf, onCleanup, readlinkNetns, run, startNetnsProcess } from './helpers';

const hostId = readlinkNetns(process.pid);

function freshNamespace(): NetNamespace {
  const ns = NetNamespace.create();
  onCleanup(() => ns.close());
  return ns;
}

/** This thread's namespace, read by another process. */
function threadNetnsFromOutside(): string {
  return readlinkNetns(process.pid, sys.gettid());
}

describe('enterNetns', () => {
  it('runs fn with this thread inside the target, as another process sees it', () => {
    const ns = freshNamespace();
    const seen = enterNetns(ns, () => ({
      thread: threadNetnsFromOutside(),
      child: run('readlink', ['/proc/self/ns/net']),
      links: run('ip', ['-o', 'link', 'show']),
    }));
    expect(seen.thread).toBe(ns.id);
    expect(seen.child).toBe(ns.id);
    expect(seen.links).toMatch(/^1: lo:/);
    expect(seen.links.split('\n')).toHaveLength(1);
  });

  it('leaves the thread where it was afterwards', () => {
    const ns = freshNamespace();
    enterNetns(ns, () => undefined);
    expect(threadNetnsFromOutside()).toBe(hostId);
    using current = NetNamespace.current();
    expect(current.id).toBe(hostId);
  });

  it('returns the value of fn', () => {
    const ns = freshNamespace();
    expect(enterNetns(ns, () => 42)).toBe(42);
  });

  it('switches back when fn throws, and rethrows the same error', () => {
    const ns = freshNamespace();
    const boom = new Error('boom');
    expect(() =>
      enterNetns(ns, () => {
        throw boom;
      }),
    ).toThrow(boom);
    expect(threadNetnsFromOutside()).toBe(hostId);
  });

  it('nests, returning to each outer namespace in turn', () => {
    const outer = freshNamespace();
    const inner = freshNamespace();
    const trail = enterNetns(outer, () => {
      const before = threadNetnsFromOutside();
      const during = enterNetns(inner, threadNetnsFromOutside);
      const after = threadNetnsFromOutside();
      return [before, during, after];
    });
    expect(trail).toEqual([outer.id, inner.id, outer.id]);
    expect(threadNetnsFromOutside()).toBe(hostId);
  });

  it('accepts a handle, an absolute path, a run-dir name and { pid }', () => {
    const name = `nn-enter-${process.pid}`;
    run('ip', ['netns', 'add', name]);
    onCleanup(() => run('ip', ['netns', 'del', name]));
    const named = run('ip', ['netns', 'exec', name, 'readlink', '/proc/self/ns/net']);
    const container = startNetnsProcess();
    const containerId = readlinkNetns(container.pid);

    expect(enterNetns(name, threadNetnsFromOutside)).toBe(named);
    expect(enterNetns(`/run/netns/${name}`, threadNetnsFromOutside)).toBe(named);
    expect(enterNetns({ pid: container.pid }, threadNetnsFromOutside)).toBe(containerId);
    expect(threadNetnsFromOutside()).toBe(hostId);
  });

  it('refuses an async fn before switching', () => {
    const ns = freshNamespace();
    let ran = false;
    expect(() =>
      enterNetns(ns, async () => {
        ran = true;
      }),
    ).toThrow(/synchronous functions only.*ns\.spawn/s);
    expect(ran).toBe(false);
  });

  it('refuses a fn that returns a promise, after switching back', () => {
    const ns = freshNamespace();
    expect(() => enterNetns(ns, () => Promise.resolve(1))).toThrow(TypeError);
    expect(threadNetnsFromOutside()).toBe(hostId);
  });

  it('defers closing a handle that is in use until enter() returns', () => {
    const ns = freshNamespace();
    const fd = ns.fd;
    enterNetns(ns, () => {
      ns.close();
      expect(ns.closed).toBe(true);
      expect(fs.readlinkSync(`/proc/self/fd/${fd}`)).toBe(ns.id);
    });
    expect(threadNetnsFromOutside()).toBe(hostId);
    expect(() => fs.fstatSync(fd)).toThrow(/EBADF/);
  });

  it('closes the namespace it opened for a path or pid target', () => {
    const container = startNetnsProcess();
    const containerId = readlinkNetns(container.pid);
    const heldFds = () => nsfsFdsOf(process.pid).filter((fd) => fd.endsWith(containerId));
    enterNetns(`/proc/${container.pid}/ns/net`, () => expect(heldFds()).toHaveLength(1));
    enterNetns({ pid: container.pid }, () => expect(heldFds()).toHaveLength(1));
    expect(heldFds()).toEqual([]);
  });

  it('puts a child spawned inside in the target, and it stays there after the thread left', async () => {
    const ns = freshNamespace();
    const child = enterNetns(ns, () => spawn('sleep', ['30'], { stdio: 'ignore' }));
    onCleanup(() => killAndReap(child));
    await new Promise((resolve) => child.once('spawn', resolve));
    // The premise: the thread is back home while the child still runs.
    expect(threadNetnsFromOutside()).toBe(hostId);
    expect(child.exitCode).toBeNull();
    expect(readlinkNetns(child.pid!)).toBe(ns.id);
  });
});
