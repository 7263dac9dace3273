// The run dir as a shared mount, concurrent first-time creators, the safe
// bind-mount helpers, and listNamespaces() against lsns.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NetNamespace, listNamespaces, sys } from '../lib/index';
import { bindMount, unmount } from '../lib/named/bind-mount';
import { statIdentity } from '../lib/nsfs/file-identity';
import { fdCountsShown } from '../lib/proc/fd-holders';
import { distEntry, killAndReap, onCleanup, run, startNetnsProcess, tryRun } from './helpers';

const mountPoints = (): string[] =>
  fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' ')[4]);

/** A run dir of our own, unmounted and removed after the test. */
function tempRunDir(): string {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'nn-rundir-'));
  const runDir = path.join(parent, 'netns');
  onCleanup(() => {
    for (const point of mountPoints().reverse()) {
      if (point === runDir || point.startsWith(`${runDir}/`)) tryRun('umount', ['-l', point]);
    }
    fs.rmSync(parent, { recursive: true, force: true });
  });
  return runDir;
}

/** Waits until `pid` runs sleep: spawn() returns before the child has changed into its cwd and exec'd. */
async function runsSleep(pid: number): Promise<void> {
  const comm = () => {
    try {
      return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  for (let i = 0; i < 200 && comm() !== 'sleep'; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(comm(), `process ${pid} never ran sleep`).toBe('sleep');
}

describe('run dir', () => {
  it('eight processes creating names at once leave one run-dir mount plus one per name', async () => {
    const runDir = tempRunDir();
    const start = `${path.dirname(runDir)}/go`;
    // All eight say they are ready, then spin until the start file exists, so
    // that their first-time setup of the run dir overlaps (without the flock,
    // several of them bind it). Each reports when its createNamed ran.
    const script = `const lib = require(${JSON.stringify(distEntry)}); const fs = require('node:fs');
      console.log('ready'); while (!fs.existsSync(process.argv[3])) {}
      const start = Date.now();
      lib.NetNamespace.createNamed(process.argv[1], { runDir: process.argv[2] }).close();
      console.log(JSON.stringify({ start, end: Date.now() }));`;
    const children = Array.from({ length: 8 }, (_, i) =>
      spawn(process.execPath, ['-e', script, '--', `n${i}`, runDir, start], { stdio: ['ignore', 'pipe', 'inherit'] }),
    );
    for (const child of children) onCleanup(() => killAndReap(child));
    const outputs = children.map((child) => {
      let out = '';
      child.stdout!.on('data', (chunk) => {
        out += chunk;
      });
      return {
        ready: new Promise<void>((resolve) =>
          child.stdout!.on('data', () => {
            if (out.startsWith('ready')) resolve();
          }),
        ),
        closed: new Promise<{ code: number | null; out: () => string }>((resolve) =>
          child.once('close', (code) => resolve({ code, out: () => out })),
        ),
      };
    });
    await Promise.all(outputs.map((o) => o.ready));
    fs.writeFileSync(start, '');
    const reports = await Promise.all(outputs.map((o) => o.closed));
    expect(reports.map((r) => r.code)).toEqual(Array(8).fill(0));
    const times = reports.map((r) => JSON.parse(r.out().split('\n')[1]) as { start: number; end: number });
    // The premise: several creators were inside createNamed at the same time.
    const mostAtOnce = Math.max(
      ...times.map((t) => times.filter((other) => other.start <= t.start && t.start <= other.end).length),
    );
    if (mostAtOnce < 3) throw new Error(`at most ${mostAtOnce} creators ran at once: ${JSON.stringify(times)}`);
    const points = mountPoints();
    expect(points.filter((p) => p === runDir)).toHaveLength(1);
    for (let i = 0; i < 8; i++) expect(points.filter((p) => p === `${runDir}/n${i}`)).toHaveLength(1);
    expect(fs.readdirSync(runDir).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `n${i}`));
  });

  /**
   * Waits until /proc/locks shows `pid` blocked on a flock of inode `ino`: a
   * waiter is listed as "N: -> FLOCK ADVISORY WRITE PID MAJ:MIN:INO 0 EOF".
   */
  async function untilBlockedOnFlock(pid: number, ino: number, ms = 20_000): Promise<void> {
    const blocked = () =>
      fs
        .readFileSync('/proc/locks', 'utf8')
        .split('\n')
        .some((line) => {
          const fields = line.trim().split(/\s+/);
          if (fields[1] !== '->' || fields[2] !== 'FLOCK') return false;
          return Number(fields[5]) === pid && Number(fields[6]?.split(':')[2]) === ino;
        });
    for (const deadline = Date.now() + ms; !blocked();) {
      if (Date.now() > deadline) throw new Error(`process ${pid} never blocked on the run dir's flock`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  it("first-time setup waits for the run dir's flock, as iproute2's does", async () => {
    const runDir = tempRunDir();
    fs.mkdirSync(runDir, { recursive: true });
    const dir = fs.openSync(runDir, 'r');
    onCleanup(() => fs.closeSync(dir));
    sys.flock(dir, sys.constants.LOCK_EX);
    const creator = spawn(
      process.execPath,
      [
        '-e',
        `require(${JSON.stringify(distEntry)})
      .NetNamespace.createNamed('held', { runDir: ${JSON.stringify(runDir)} }).close();`,
      ],
      { stdio: 'inherit' },
    );
    onCleanup(() => killAndReap(creator));
    const exited = new Promise((resolve) => creator.once('exit', resolve));
    // The premise: the creator is blocked on our flock, as the kernel lists it in /proc/locks.
    await untilBlockedOnFlock(creator.pid!, fs.fstatSync(dir).ino);
    // While we hold the lock, the creator waits: nothing is mounted yet.
    expect(creator.exitCode).toBeNull();
    expect(mountPoints()).not.toContain(runDir);
    sys.flock(dir, sys.constants.LOCK_UN);
    expect(await exited).toBe(0);
    expect(mountPoints().filter((p) => p === runDir)).toHaveLength(1);
  });

  it('is a shared mount: a name made later shows in a mount namespace made earlier', async () => {
    const runDir = tempRunDir();
    NetNamespace.createNamed('first', { runDir }).close();
    const other = spawn('unshare', ['--mount', '--propagation', 'unchanged', 'sleep', '60'], { stdio: 'ignore' });
    onCleanup(() => killAndReap(other));
    const ownMnt = fs.readlinkSync('/proc/self/ns/mnt');
    for (let i = 0; fs.readlinkSync(`/proc/${other.pid}/ns/mnt`) === ownMnt; i++) {
      if (i === 500) throw new Error('unshare --mount never left our mount namespace');
      await new Promise((r) => setTimeout(r, 10));
    }
    const ns = NetNamespace.createNamed('later', { runDir });
    onCleanup(() => ns.close());
    const seen = run('nsenter', ['-t', String(other.pid), '-m', 'readlink', '-f', `${runDir}/later`]);
    expect(seen).toBe(`${runDir}/later`);
    const inode = run('nsenter', ['-t', String(other.pid), '-m', 'stat', '-L', '-c', '%i', `${runDir}/later`]);
    expect(Number(inode)).toBe(ns.ino);
  });

  it('honours NETNS_RUN_DIR', () => {
    const runDir = tempRunDir();
    const result = spawnSync(
      process.execPath,
      [
        '-e',
        `const lib = require(${JSON.stringify(distEntry)});
      const ns = lib.NetNamespace.createNamed('envname'); console.log(ns.path); ns.close();`,
      ],
      { env: { ...process.env, NETNS_RUN_DIR: runDir }, encoding: 'utf8' },
    );
    expect(result.stdout.trim()).toBe(`${runDir}/envname`);
    expect(mountPoints()).toContain(`${runDir}/envname`);
  });
});

describe('bindMount / unmount', () => {
  function scratch(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nn-bind-'));
    onCleanup(() => {
      for (const point of mountPoints().reverse()) if (point.startsWith(`${dir}/`)) tryRun('umount', ['-l', point]);
      fs.rmSync(dir, { recursive: true, force: true });
    });
    return dir;
  }

  it('binds a namespace file and proves it by inode; unmount undoes it', () => {
    const dir = scratch();
    const container = startNetnsProcess();
    const target = path.join(dir, 'held');
    bindMount(`/proc/${container.pid}/ns/net`, target);
    expect(run('stat', ['-L', '-c', '%i', target])).toBe(String(fs.statSync(`/proc/${container.pid}/ns/net`).ino));
    expect(run('findmnt', ['-n', '-o', 'TARGET', target])).toBe(target);
    unmount(target);
    expect(mountPoints()).not.toContain(target);
  });

  it('a missing source fails before creating the target', () => {
    const dir = scratch();
    expect(() => bindMount(path.join(dir, 'missing'), path.join(dir, 'target'))).toThrow(
      expect.objectContaining({ code: 'ENOENT' }),
    );
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('a mount the kernel refuses leaves no target file behind', () => {
    const dir = scratch();
    // A directory cannot be bound onto a file: mount fails after the target was created.
    fs.mkdirSync(path.join(dir, 'srcdir'));
    expect(() => bindMount(path.join(dir, 'srcdir'), path.join(dir, 'target'))).toThrow(
      expect.objectContaining({ code: 'ENOTDIR', syscall: 'mount', path: path.join(dir, 'target') }),
    );
    expect(fs.readdirSync(dir)).toEqual(['srcdir']);
    expect(mountPoints().filter((p) => p.startsWith(dir))).toEqual([]);
  });

  it('an existing target is EEXIST and untouched', () => {
    const dir = scratch();
    fs.writeFileSync(path.join(dir, 'target'), 'mine');
    expect(() => bindMount('/proc/self/ns/net', path.join(dir, 'target'))).toThrow(
      expect.objectContaining({ code: 'EEXIST' }),
    );
    expect(fs.readFileSync(path.join(dir, 'target'), 'utf8')).toBe('mine');
  });

  it('relative paths are TypeErrors; unmount of a non-mount is EINVAL', () => {
    const dir = scratch();
    expect(() => bindMount('relative', '/tmp/x')).toThrow(TypeError);
    expect(() => unmount(dir)).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'umount2' }));
  });
});

describe('listNamespaces', () => {
  interface LsnsRow {
    ns: number;
    nprocs: number;
    nsfs: string | null;
    pid: number;
    user: string | null;
    netnsid: number | string | null;
  }

  const lsns = (): LsnsRow[] =>
    JSON.parse(run('lsns', ['-J', '-l', '-t', 'net', '-o', 'NS,TYPE,NPROCS,PID,USER,NETNSID,NSFS,COMMAND'])).namespaces;

  it('agrees with lsns -J on namespaces, process counts, lowest pids and nsfs paths', async () => {
    const container = startNetnsProcess();
    const name = `nn3-lsns-${process.pid}`;
    const named = NetNamespace.createNamed(name);
    onCleanup(() => {
      named.close();
      tryRun('ip', ['netns', 'del', name]);
    });
    const inside = spawn('ip', ['netns', 'exec', name, 'sleep', '60'], { stdio: 'ignore' });
    onCleanup(() => killAndReap(inside));
    for (let i = 0; fs.readlinkSync(`/proc/${inside.pid}/ns/net`) !== named.id; i++) {
      if (i === 500) throw new Error('ip netns exec never entered the namespace');
      await new Promise((r) => setTimeout(r, 10));
    }
    // Other processes come and go: compare two snapshots taken back to back,
    // retrying until the host is quiet for the span of one comparison.
    let attempt = 0;
    for (;;) {
      const before = lsns();
      const ours = listNamespaces();
      const after = lsns();
      const stable = JSON.stringify(before) === JSON.stringify(after);
      if (!stable) {
        if (++attempt === 10) throw new Error('the host never stayed quiet for one comparison with lsns');
        continue;
      }
      const ownIno = fs.statSync('/proc/self/ns/net').ino;
      for (const row of before) {
        const mine = ours.find((info) => info.ino === row.ns);
        expect(mine, `namespace ${row.ns}`).toBeDefined();
        // lsns counts itself, running in our namespace.
        expect(mine!.nprocs).toBe(row.ns === ownIno ? row.nprocs - 1 : row.nprocs);
        expect(mine!.pid).toBe(row.pid);
        expect(mine!.nsfs).toEqual(row.nsfs ? row.nsfs.split('\n') : []);
        if (row.pid !== null) expect(mine!.user, `owner in ${row.ns}`).toBe(row.user);
        if (row.netnsid !== null) {
          expect(String(mine!.nsid ?? 'unassigned'), `nsid of ${row.ns}`).toBe(String(row.netnsid));
        }
      }
      break;
    }
    const mine = listNamespaces();
    const containerInfo = mine.find((info) => info.pids.includes(container.pid));
    expect(containerInfo?.command).toBe('sleep 600');
    const namedInfo = mine.find((info) => info.ino === named.ino);
    expect(namedInfo).toMatchObject({ names: [name], nsfs: [`/run/netns/${name}`], pids: [inside.pid] });
  });

  it('includes namespaces held only by a bind mount, and on request only by an open fd', () => {
    const name = `nn3-only-${process.pid}`;
    const named = NetNamespace.createNamed(name);
    const mountOnly = named.ino;
    named.close();
    onCleanup(() => tryRun('ip', ['netns', 'del', name]));
    const fdOnly = NetNamespace.create();
    onCleanup(() => fdOnly.close());
    expect(listNamespaces().find((info) => info.ino === fdOnly.ino)).toBeUndefined();
    const all = listNamespaces({ fdHolders: true });
    expect(all.find((info) => info.ino === mountOnly)).toMatchObject({
      nprocs: 0,
      pids: [],
      names: [name],
      nsfs: [`/run/netns/${name}`],
    });
    expect(all.find((info) => info.ino === fdOnly.ino)).toMatchObject({
      nprocs: 0,
      heldBy: [{ pid: process.pid, fd: fdOnly.fd }],
    });
    expect(run('ip', ['netns', 'ls'])).toMatch(new RegExp(`^${name}$`, 'm'));
  });

  it('passes over processes without fds by their fd count, and finds the same holders on kernels without it', async () => {
    // The premises: this kernel (6.2+) counts a process's fds in stat of
    // /proc/PID/fd, and there are processes without any (kthreadd, pid 2, on the host).
    expect(fdCountsShown(), 'stat of /proc/self/fd gives no fd count: a kernel before 6.2').toBe(true);
    expect(fs.existsSync('/proc/2'), 'no pid 2 (kthreadd): not the host pid namespace').toBe(true);
    expect(fs.readdirSync('/proc/2/fd')).toEqual([]);
    expect(statIdentity('/proc/2/fd').size).toBe(0);
    const fdOnly = NetNamespace.create();
    onCleanup(() => fdOnly.close());
    // Another process holds it too, as its fd 3 (once it runs sleep: spawn()
    // returns earlier, while the child still has the fds it was forked with).
    const holder = spawn('sleep', ['60'], { stdio: ['ignore', 'ignore', 'ignore', fdOnly.fd] });
    onCleanup(() => killAndReap(holder));
    await runsSleep(holder.pid!);
    expect(fs.readlinkSync(`/proc/${holder.pid}/fd/3`)).toBe(fdOnly.id); // seen from outside the library
    const holdersOf = () =>
      listNamespaces({ fdHolders: true })
        .find((info) => info.ino === fdOnly.ino)
        ?.heldBy.filter((held) => [process.pid, holder.pid].includes(held.pid))
        .sort((a, b) => a.pid - b.pid);
    const expected = [
      { pid: process.pid, fd: fdOnly.fd, via: 'nsfs' },
      { pid: holder.pid as number, fd: 3, via: 'nsfs' },
    ].sort((a, b) => a.pid - b.pid);
    expect(holdersOf()).toEqual(expected);
    const before = process.env.NETNS_NATIVE_TEST_WITHOUT;
    process.env.NETNS_NATIVE_TEST_WITHOUT = 'fd-count';
    try {
      expect(fdCountsShown()).toBe(false);
      expect(holdersOf()).toEqual(expected);
    } finally {
      if (before === undefined) delete process.env.NETNS_NATIVE_TEST_WITHOUT;
      else process.env.NETNS_NATIVE_TEST_WITHOUT = before;
    }
  });

  it('reads the fds of a process with many, whose cwd is gone: its links are probed, not refused', async () => {
    // A process with more fds than the scan probes above, its cwd deleted:
    // the probe (readlink of its cwd) answers "/… (deleted)", not a refusal.
    const fdOnly = NetNamespace.create();
    onCleanup(() => fdOnly.close());
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'nn-gone-'));
    onCleanup(() => fs.rmSync(cwd, { recursive: true, force: true }));
    const many = Array.from({ length: 20 }, () => fdOnly.fd);
    const holder = spawn('sleep', ['60'], { cwd, stdio: ['ignore', 'ignore', 'ignore', ...many] });
    onCleanup(() => killAndReap(holder));
    await runsSleep(holder.pid!); // in its cwd, with only the fds given
    fs.rmdirSync(cwd);
    expect(fs.readlinkSync(`/proc/${holder.pid}/cwd`)).toBe(`${cwd} (deleted)`); // the premises, from outside
    expect(statIdentity(`/proc/${holder.pid}/fd`).size).toBeGreaterThanOrEqual(23); // more than the probe's 16
    expect(fs.readlinkSync(`/proc/${holder.pid}/fd/22`)).toBe(fdOnly.id);
    const held = listNamespaces({ fdHolders: true })
      .find((info) => info.ino === fdOnly.ino)
      ?.heldBy.filter((entry) => entry.pid === holder.pid)
      .map((entry) => entry.fd)
      .sort((a, b) => a - b);
    expect(held).toEqual(Array.from({ length: 20 }, (_, i) => i + 3));
  });

  it('finds a namespace held by an fd opened through a bind-mount path, also after the name is gone', () => {
    const name = `nn3-path-${process.pid}`;
    NetNamespace.createNamed(name).close();
    onCleanup(() => tryRun('ip', ['netns', 'del', name]));
    // As ip, pyroute2 and CNI open them: by the run-dir path, not /proc.
    const fd = fs.openSync(`/run/netns/${name}`, 'r');
    onCleanup(() => fs.closeSync(fd));
    const ino = fs.fstatSync(fd).ino;
    expect(fs.readlinkSync(`/proc/self/fd/${fd}`)).toBe(`/run/netns/${name}`); // the premise: no net:[…] link
    run('ip', ['netns', 'del', name]);
    expect(fs.readlinkSync(`/proc/self/fd/${fd}`)).toBe('/'); // and no name any more
    expect(listNamespaces().find((info) => info.ino === ino)).toBeUndefined();
    expect(listNamespaces({ fdHolders: true }).find((info) => info.ino === ino)).toMatchObject({
      nprocs: 0,
      names: [],
      heldBy: [{ pid: process.pid, fd, via: 'nsfs' }],
      uid: 0,
      user: 'root',
    });
  });

  it('finds a namespace kept alive only by a socket made in it (socketHolders)', () => {
    const ns = NetNamespace.create();
    const socket = ns.socket(sys.constants.AF_INET, sys.constants.SOCK_DGRAM);
    onCleanup(() => sys.close(socket));
    const { ino } = ns;
    ns.close(); // now only the socket holds it
    expect(listNamespaces({ fdHolders: true }).find((info) => info.ino === ino)).toBeUndefined();
    expect(listNamespaces({ socketHolders: true }).find((info) => info.ino === ino)).toMatchObject({
      nprocs: 0,
      heldBy: [{ pid: process.pid, fd: socket, via: 'socket' }],
      uid: 0,
      user: 'root',
    });
  });

  it('names the owner of a namespace no process is in: the owner of its user namespace', async () => {
    // nobody makes a user namespace and a network namespace in it; the
    // network namespace outlives the process through a bind mount.
    const holder = spawn(
      'su',
      ['nobody', '-s', '/bin/sh', '-c', 'exec unshare --user --map-root-user --net sleep 600'],
      { stdio: 'ignore' },
    );
    onCleanup(() => killAndReap(holder));
    const own = fs.readlinkSync('/proc/self/ns/net');
    let sleeper = 0;
    for (let i = 0; !sleeper; i++) {
      if (i === 500) throw new Error('unshare --user --net never ran');
      await new Promise((resolve) => setTimeout(resolve, 10));
      const found = spawnSync('pgrep', ['-u', 'nobody', '-x', 'sleep'], { encoding: 'utf8' })
        .stdout.trim()
        .split('\n')
        .map(Number)
        .find((pid) => pid > 0 && fs.readlinkSync(`/proc/${pid}/ns/net`) !== own);
      if (found) sleeper = found;
    }
    const name = `nn3-owner-${process.pid}`;
    NetNamespace.attach(name, sleeper).close();
    onCleanup(() => tryRun('ip', ['netns', 'del', name]));
    const ino = fs.statSync(`/run/netns/${name}`).ino;
    process.kill(sleeper, 'SIGKILL');
    for (let i = 0; fs.existsSync(`/proc/${sleeper}`); i++) {
      if (i === 500) throw new Error('the holder never ended');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(listNamespaces().find((info) => info.ino === ino)).toMatchObject({
      nprocs: 0,
      names: [name],
      uid: 65534,
      user: 'nobody',
    });
  });
});
