// Named namespaces with ip netns parity, cross-checked with iproute2 itself.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { native } from '../lib/binding';
import { check } from '../lib/errors';
import { NetNamespace, type NetnsError, enterNetns, identify, listNamed, pidsOf } from '../lib/index';
import {
  caught,
  deadPid,
  killAndReap,
  nsfsFdsOf,
  onCleanup,
  readlinkNetns,
  run,
  startNetnsProcess,
  tryRun,
} from './helpers';

let counter = 0;
/** A unique name, deleted after the test by whichever tool can. */
function uniqueName(): string {
  const name = `nn3-${process.pid}-${++counter}`;
  onCleanup(() => {
    if (fs.existsSync(`/run/netns/${name}`)) tryRun('ip', ['netns', 'del', name]);
  });
  return name;
}

function track(ns: NetNamespace): NetNamespace {
  onCleanup(() => ns.close());
  return ns;
}

const mountsAt = (file: string): number =>
  fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((line) => line.split(' ')[4] === file).length;

describe('createNamed / delete', () => {
  it('is visible to and usable by ip netns ls, exec, identify, pids and del', async () => {
    const name = uniqueName();
    const ns = track(NetNamespace.createNamed(name));
    expect(ns.name).toBe(name);
    expect(ns.path).toBe(`/run/netns/${name}`);
    expect(
      run('ip', ['netns', 'ls'])
        .split('\n')
        .map((l) => l.split(' ')[0]),
    ).toContain(name);
    expect(run('ip', ['netns', 'exec', name, 'readlink', '/proc/self/ns/net'])).toBe(ns.id);

    const inside = spawn('ip', ['netns', 'exec', name, 'sleep', '60'], { stdio: 'ignore' });
    onCleanup(() => killAndReap(inside));
    for (let i = 0; i < 200 && readlinkNetns(inside.pid!) !== ns.id; i++) await new Promise((r) => setTimeout(r, 10));
    expect(run('ip', ['netns', 'identify', String(inside.pid)])).toBe(name);
    expect(run('ip', ['netns', 'pids', name]).split('\n').map(Number)).toContain(inside.pid);
    expect(pidsOf(name)).toContain(inside.pid);
    killAndReap(inside);

    run('ip', ['netns', 'del', name]);
    expect(fs.existsSync(`/run/netns/${name}`)).toBe(false);
    // Our handle still holds the namespace after its name is gone.
    expect(ns.enter(() => readlinkNetns(process.pid))).toBe(ns.id);
  });

  it('opens, identifies and deletes namespaces made by ip netns add', () => {
    const name = uniqueName();
    run('ip', ['netns', 'add', name]);
    const id = run('ip', ['netns', 'exec', name, 'readlink', '/proc/self/ns/net']);
    const ns = track(NetNamespace.fromName(name));
    expect(ns.id).toBe(id);
    expect(listNamed().find((entry) => entry.name === name)).toMatchObject({ id, path: `/run/netns/${name}` });
    NetNamespace.delete(name);
    expect(run('ip', ['netns', 'ls'])).not.toMatch(new RegExp(`^${name}\\b`, 'm'));
    expect(mountsAt(`/run/netns/${name}`)).toBe(0);
  });

  it('lists the nsid that ip netns set assigned', () => {
    const name = uniqueName();
    track(NetNamespace.createNamed(name));
    expect(listNamed().find((entry) => entry.name === name)?.nsid).toBeUndefined();
    run('ip', ['netns', 'set', name, '77']);
    expect(run('ip', ['netns', 'ls'])).toMatch(new RegExp(`^${name} \\(id: 77\\)`, 'm'));
    expect(listNamed().find((entry) => entry.name === name)?.nsid).toBe(77);
  });

  it('refuses an existing name with EEXIST and leaves the existing one untouched', () => {
    const name = uniqueName();
    const first = track(NetNamespace.createNamed(name));
    let error: NetnsError | undefined;
    try {
      NetNamespace.createNamed(name);
    } catch (e) {
      error = e as NetnsError;
    }
    expect(error).toMatchObject({ code: 'EEXIST', path: `/run/netns/${name}` });
    expect(run('ip', ['netns', 'exec', name, 'readlink', '/proc/self/ns/net'])).toBe(first.id);
    expect(mountsAt(`/run/netns/${name}`)).toBe(1);
  });

  it('refuses a symlink planted at the target and leaves its target untouched', () => {
    const name = uniqueName();
    const victim = fs.mkdtempSync(path.join(os.tmpdir(), 'nn-victim-'));
    onCleanup(() => fs.rmSync(victim, { recursive: true, force: true }));
    const victimFile = path.join(victim, 'file');
    fs.writeFileSync(victimFile, 'untouched');
    NetNamespace.createNamed(uniqueName()).close(); // make sure the run dir exists
    fs.symlinkSync(victimFile, `/run/netns/${name}`);
    onCleanup(() => fs.rmSync(`/run/netns/${name}`, { force: true }));
    expect(() => NetNamespace.createNamed(name)).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    const pid = startNetnsProcess().pid;
    expect(() => NetNamespace.attach(name, pid)).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(fs.readFileSync(victimFile, 'utf8')).toBe('untouched');
    expect(mountsAt(victimFile)).toBe(0);
    expect(fs.lstatSync(`/run/netns/${name}`).isSymbolicLink()).toBe(true);
  });

  it.each(['', '.', '..', 'a/b', 'x'.repeat(256), 'a\0b'])('refuses the name %j before touching anything', (bad) => {
    const before = fs.existsSync('/run/netns') ? fs.readdirSync('/run/netns') : [];
    expect(() => NetNamespace.createNamed(bad)).toThrow(/namespace name/);
    expect(() => NetNamespace.attach(bad, process.pid)).toThrow(/namespace name/);
    expect(() => NetNamespace.delete(bad)).toThrow(/namespace name/);
    expect(fs.existsSync('/run/netns') ? fs.readdirSync('/run/netns') : []).toEqual(before);
  });

  it('delete of an unknown name is ENOENT', () => {
    expect(() => NetNamespace.delete(`nn3-missing-${process.pid}`)).toThrow(
      expect.objectContaining({ code: 'ENOENT', name: 'NetnsError' }),
    );
  });

  it('an unknown name is ENOENT naming its path, with a hint, from fromName and enterNetns alike', () => {
    const name = `nn3-missing-${process.pid}`;
    for (const open of [() => NetNamespace.fromName(name), () => enterNetns(name, () => undefined)]) {
      expect(open).toThrow(
        expect.objectContaining({
          code: 'ENOENT',
          path: `/run/netns/${name}`,
          hint: 'no network namespace of that name in /run/netns',
        }),
      );
    }
  });

  it('a handle that cannot be made (ownFd: ENOMEM) takes the name it was made for with it', () => {
    const name = uniqueName();
    const file = `/run/netns/${name}`;
    // The one failure the addon can give there, provoked: by then the
    // namespace is made and mounted, so the premise is checked at that moment.
    let seen: { fd: number; id: string; mounts: number } | undefined;
    const ownFd = vi.spyOn(native, 'ownFd').mockImplementationOnce((fd) => {
      seen = { fd, id: fs.readlinkSync(`/proc/self/fd/${fd}`), mounts: mountsAt(file) };
      return Object.assign(new Error('ENOMEM, Cannot allocate memory'), { errno: -12, syscall: 'ownFd' });
    });
    onCleanup(() => ownFd.mockRestore());
    const before = nsfsFdsOf(process.pid);

    expect(caught(() => NetNamespace.createNamed(name))).toMatchObject({ code: 'ENOMEM', syscall: 'ownFd' });
    expect(seen).toMatchObject({ id: expect.stringMatching(/^net:\[\d+\]$/), mounts: 1 });
    expect(fs.existsSync(file)).toBe(false);
    expect(mountsAt(file)).toBe(0);
    expect(run('ip', ['netns', 'ls'])).not.toMatch(new RegExp(`^${name}\\b`, 'm'));
    expect(nsfsFdsOf(process.pid)).toEqual(before);
    expect(nsfsFdsOf(process.pid).join('\n')).not.toContain(seen!.id);
  });

  it('a failed handle leaves a name that another tool made anew meanwhile', () => {
    const name = uniqueName();
    const file = `/run/netns/${name}`;
    let ours: string | undefined;
    const ownFd = vi.spyOn(native, 'ownFd').mockImplementationOnce((fd) => {
      ours = fs.readlinkSync(`/proc/self/fd/${fd}`);
      run('ip', ['netns', 'del', name]); // another tool replaces the name before the failure is handled
      run('ip', ['netns', 'add', name]);
      return Object.assign(new Error('ENOMEM, Cannot allocate memory'), { errno: -12, syscall: 'ownFd' });
    });
    onCleanup(() => ownFd.mockRestore());

    expect(caught(() => NetNamespace.createNamed(name))).toMatchObject({ code: 'ENOMEM' });
    const theirs = run('ip', ['netns', 'exec', name, 'readlink', '/proc/self/ns/net']);
    expect(ours).toMatch(/^net:\[\d+\]$/);
    expect(theirs).not.toBe(ours); // the premise: the name names another namespace now
    expect(mountsAt(file)).toBe(1);
    expect(run('ip', ['netns', 'ls'])).toMatch(new RegExp(`^${name}\\b`, 'm'));
  });

  it('a name bound twice: delete detaches one mount and says EBUSY with why; a second delete removes it', () => {
    const name = uniqueName();
    const file = `/run/netns/${name}`;
    NetNamespace.createNamed(name).close();
    // Runs before uniqueName's `ip netns del`, which detaches only one mount.
    onCleanup(() => {
      while (mountsAt(file) > 0) run('umount', ['-l', file]);
    });
    run('mount', ['--bind', file, file]);
    expect(mountsAt(file)).toBe(2); // the premise: two mounts stacked on the file

    expect(caught(() => NetNamespace.delete(name))).toMatchObject({
      code: 'EBUSY',
      syscall: 'unlink',
      path: file,
      hint: expect.stringContaining('bound more than once (each delete detaches one)'),
    });
    expect(mountsAt(file)).toBe(1);
    expect(run('ip', ['netns', 'ls'])).toMatch(new RegExp(`^${name}\\b`, 'm'));

    NetNamespace.delete(name);
    expect(mountsAt(file)).toBe(0);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('a copy of the name in another mount namespace does not keep delete from removing it, and goes with it', async () => {
    const name = uniqueName();
    const file = `/run/netns/${name}`;
    NetNamespace.createNamed(name).close();
    // A mount namespace whose copy of the run dir is private: the umount
    // does not reach it, so only the unlink can take its copy away.
    const holder = spawn('unshare', ['--mount', '--propagation', 'private', 'sleep', '600'], { stdio: 'ignore' });
    onCleanup(() => killAndReap(holder));
    const own = fs.readlinkSync('/proc/self/ns/mnt');
    await vi.waitFor(() => expect(fs.readlinkSync(`/proc/${holder.pid}/ns/mnt`)).not.toBe(own), { timeout: 5000 });
    const mountsIn = (pid: number, at: string) =>
      fs
        .readFileSync(`/proc/${pid}/mountinfo`, 'utf8')
        .split('\n')
        .map((line) => line.split(' '))
        .filter((fields) => fields[4] === at);
    // The premise: the holder has the name, and its run dir propagates nothing.
    expect(mountsIn(holder.pid!, file)).toHaveLength(1);
    expect(mountsIn(holder.pid!, '/run/netns').every((fields) => fields[6] === '-')).toBe(true);

    NetNamespace.delete(name);
    expect(fs.existsSync(file)).toBe(false);
    expect(mountsIn(holder.pid!, file)).toHaveLength(0);
  });

  it("the addon's unlink reports the code, the call and the path", () => {
    const path = `/run/netns/nn3-missing-${process.pid}/x`;
    expect(caught(() => check(native.unlink(path), path))).toMatchObject({ code: 'ENOENT', syscall: 'unlink', path });
  });

  it('delete removes an empty placeholder file left without a mount', () => {
    const name = uniqueName();
    NetNamespace.createNamed(uniqueName()).close();
    fs.writeFileSync(`/run/netns/${name}`, '', { mode: 0 });
    expect(listNamed().find((entry) => entry.name === name)).toEqual({ name, path: `/run/netns/${name}` });
    NetNamespace.delete(name);
    expect(fs.existsSync(`/run/netns/${name}`)).toBe(false);
  });
});

describe('attach (the Docker fix)', () => {
  it('names a stand-in container by pid; ip netns exec runs inside it; the name outlives it', async () => {
    const container = startNetnsProcess();
    const id = readlinkNetns(container.pid);
    const name = uniqueName();
    const ns = track(NetNamespace.attach(name, container.pid));
    expect(ns.id).toBe(id);
    expect(run('ip', ['netns', 'exec', name, 'readlink', '/proc/self/ns/net'])).toBe(id);
    expect(run('ip', ['netns', 'exec', name, 'ip', '-o', 'link'])).toMatch(/^1: lo/);
    expect(identify(container.pid)).toEqual([name]);
    expect(run('ip', ['netns', 'identify', String(container.pid)])).toBe(name);

    const exited = new Promise((resolve) => container.once('exit', resolve));
    container.kill('SIGKILL');
    await exited;
    ns.close();
    expect(run('ip', ['netns', 'exec', name, 'readlink', '/proc/self/ns/net'])).toBe(id);
    NetNamespace.delete(name);
    expect(fs.existsSync(`/run/netns/${name}`)).toBe(false);
  });

  it('identify returns every name of the namespace, not only the last', () => {
    const container = startNetnsProcess();
    const names = [uniqueName(), uniqueName(), uniqueName()];
    for (const name of names) NetNamespace.attach(name, container.pid).close();
    expect(identify(container.pid)).toEqual([...names].sort());
  });

  it('attaches from a handle', () => {
    const anonymous = track(NetNamespace.create());
    const name = uniqueName();
    track(NetNamespace.attach(name, anonymous));
    expect(run('ip', ['netns', 'exec', name, 'readlink', '/proc/self/ns/net'])).toBe(anonymous.id);
  });

  it('attach to a dead pid fails with ESRCH and creates nothing', () => {
    const name = uniqueName();
    expect(() => NetNamespace.attach(name, deadPid())).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    expect(fs.existsSync(`/run/netns/${name}`)).toBe(false);
  });

  it('rejects bad pids and closed handles before any side effect', () => {
    const name = uniqueName();
    const closed = NetNamespace.create();
    closed.close();
    expect(() => NetNamespace.attach(name, -1)).toThrow(RangeError);
    expect(() => NetNamespace.attach(name, 1.5)).toThrow(RangeError);
    expect(() => NetNamespace.attach(name, closed)).toThrow(/is closed/);
    expect(() => NetNamespace.attach(name, '12' as unknown as number)).toThrow(TypeError);
    expect(fs.existsSync(`/run/netns/${name}`)).toBe(false);
  });
});
