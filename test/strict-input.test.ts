// Wrong input gets a TypeError or RangeError before anything happens, never
// a silently different action: strings cut at NUL, fds truncated to 0,
// ignored options, swapped stdio, leaked sockets, misleading errno.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CloneSpec, NetNamespace, NetnsError, sys } from '../lib/index';
import { native } from '../lib/binding';
import { childrenOf, distEntry, onCleanup, run, runNode, tryRun } from './helpers';

function ownNamespace(): NetNamespace {
  const ns = NetNamespace.create();
  onCleanup(() => ns.close());
  return ns;
}

const childrenOfThisProcess = () => childrenOf(process.pid);

const base: CloneSpec = { file: '/bin/true', argv: ['true'], envp: [] };

describe('NUL bytes are refused, not cut', () => {
  it.each([
    ['file', { ...base, file: '/bin/true\0-extra' }],
    ['argv', { ...base, argv: ['true', 'a\0b'] }],
    ['envp', { ...base, envp: ['A=1\0B=2'] }],
    ['cwd', { ...base, cwd: '/\0tmp' }],
    ['a step target', { ...base, steps: [{ op: 'umount2', target: '/sys\0x', flags: 0 }] }],
  ] as Array<[string, CloneSpec]>)('sys.clone with a NUL in %s', (_what, spec) => {
    const before = childrenOfThisProcess().length;
    expect(() => sys.clone(spec)).toThrow(/NUL/);
    expect(childrenOfThisProcess()).toHaveLength(before);
  });

  it.each([
    ['an argument', ['a\0b'], {}],
    ['an env key', [], { env: { 'A\0B': '1' } }],
    ['an env value', [], { env: { A: '1\0B=2' } }],
    ['cwd', [], { cwd: '/\0tmp' }],
  ] as const)('isolated and shared spawn with a NUL in %s', (_what, args, options) => {
    const ns = ownNamespace();
    expect(() => ns.spawn('true', [...args], { ...options, mountNamespace: 'isolated' })).toThrow(TypeError);
    expect(() => ns.spawn('true', [...args], options)).toThrow(TypeError);
    expect(() => ns.spawn('tr\0ue', [])).toThrow(TypeError);
  });
});

describe('numbers must be what they say', () => {
  it.each([Number.NaN, 0.5, Infinity, -Infinity, 2 ** 32 + 1, -2])('a step fd of %s is a RangeError', (fd) => {
    expect(() => sys.clone({ ...base, steps: [{ op: 'setns', fd, flags: 0 }] })).toThrow(RangeError);
  });

  it.each([Number.NaN, 0.5, 2 ** 32 + 1, -2])('a stdio fd of %s is a RangeError', (fd) => {
    expect(() => sys.clone({ ...base, stdio: [fd, -1, -1] })).toThrow(RangeError);
  });

  it("the addon's statx writes only into a Float64Array with room for its five numbers", () => {
    const { AT_FDCWD } = native.constants;
    expect(native.statx(AT_FDCWD, '/proc/self/ns/net', 0, new Float64Array(4))).toBeInstanceOf(RangeError);
    expect(native.statx(AT_FDCWD, '/proc/self/ns/net', 0, new Uint8Array(40) as never)).toBeInstanceOf(TypeError);
    expect((native.statx as (...args: unknown[]) => unknown)(AT_FDCWD, '/proc/self/ns/net', 0)).toBeInstanceOf(
      TypeError,
    );
    // A view into a larger buffer: written at the view, not at the start of the buffer.
    const backing = new Float64Array(8).fill(7);
    expect(native.statx(AT_FDCWD, '/proc/self/ns/net', 0, new Float64Array(backing.buffer, 8, 5))).toBeUndefined();
    expect(backing[0]).toBe(7);
    expect(backing[6]).toBe(7);
    expect(backing[2]).toBe(fs.statSync('/proc/self/ns/net').ino);
    const out = new Float64Array(6).fill(7);
    expect(native.statx(AT_FDCWD, '/proc/self/ns/net', 0, out)).toBeUndefined();
    const stat = fs.statSync('/proc/self/ns/net');
    expect([...out]).toEqual([stat.dev, stat.ino, stat.mode, stat.uid, stat.size, 7]);
  });

  it('ignored options are refused instead', () => {
    const ns = ownNamespace();
    const refused: Array<[unknown, RegExp]> = [
      [{ ...base, stdio: 'x' }, /stdio must be an array/],
      [{ ...base, stdio: [0, 1] }, /exactly 3/],
      [{ ...base, steps: 'x' }, /steps must be an array/],
      [{ ...base, steps: [{ op: 'chroot', target: '/' }] }, /op must be/],
      [{ ...base, steps: [{ op: 'setns', fd: 3 }] }, /flags is required/],
      [
        { ...base, steps: [{ op: 'mount', target: '/x', mountFlags: 0, optional: 'yes' }] },
        /optional must be a boolean/,
      ],
      [{ ...base, cloneFlags: Number.NaN }, /cloneFlags/],
      [{ ...base, argv: [] }, /argv\[0\]/],
      [{ ...base, envp: 'A=1' }, /envp must be an array/],
    ];
    for (const [spec, message] of refused) expect(() => sys.clone(spec as CloneSpec)).toThrow(message);
    expect(() =>
      ns.spawn('true', [], { mountNamespace: 'isolated', env: 'A=1' as unknown as NodeJS.ProcessEnv }),
    ).toThrow(/env must be an object/);
    expect(() => ns.spawn('true', [], { mountNamespace: 'isolated', stdio: 'x' as 'pipe' })).toThrow(/'x'/);
    expect(() => ns.spawn('true', [], { mountNamespace: 'isolated', cwd: 7 as unknown as string })).toThrow(TypeError);
  });
});

describe('sys.clone stdio', () => {
  it('a permutation of 0-2 gives each fd the stream asked for', () => {
    // In the node child, fd 1 is the stdout pipe and fd 2 the stderr pipe:
    // stdio [0, 2, 1] swaps them for the cloned child.
    const result = runNode(`const { sys } = require(${JSON.stringify(distEntry)});
      const { pidfd } = sys.clone({ file: '/bin/sh', argv: ['sh', '-c', 'echo to-stdout; echo to-stderr >&2'],
        envp: [], stdio: [0, 2, 1] });
      sys.waitPidfd(pidfd, (errno, code) => { sys.close(pidfd); process.exitCode = code; });`);
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe('to-stderr');
    expect(result.stderr.trim()).toBe('to-stdout');
  });

  // The node child's fds 0-2 are three different sockets (libuv's stdio pipes). The
  // cloned shell writes to a file, through fd 9, what each of its fds 0-2 is
  // (inode and file flags, read from /proc/$$ in a command substitution:
  // dash applies a command's redirections to itself while it runs one),
  // then writes a line to its fds 0 and 2.
  const report = `exec 9>"$1"
    for fd in 0 1 2; do
      id=$(readlink /proc/$$/fd/$fd); flags=$(grep '^flags:' /proc/$$/fdinfo/$fd)
      echo "$id" >&9; echo "$flags" >&9
    done
    echo via-child-fd0 >&0; echo via-child-fd2 >&2`;

  it.each([
    ['[1, 0, 2]', [1, 0, 2]],
    ['the 3-cycle [2, 0, 1]', [2, 0, 1]],
  ])('a permutation %s: each child fd is the stream asked for', (_what, stdio) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nn-stdio-'));
    onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
    const result = runNode(
      `const { sys } = require(${JSON.stringify(distEntry)}); const fs = require('node:fs');
      const [file, stdio, script] = [process.argv[1], JSON.parse(process.argv[2]), process.argv[3]];
      // The file status flags and access mode (octal in fdinfo), without O_CLOEXEC, which is the fd's own.
      const statusFlags = (line) => (parseInt(/^flags:\\s*([0-7]+)/.exec(line)[1], 8) & ~0o2000000).toString(8);
      const fd = (n) => [fs.readlinkSync('/proc/self/fd/' + n),
        statusFlags(fs.readFileSync('/proc/self/fdinfo/' + n, 'utf8').split('\\n').find((l) => l.startsWith('flags:')))];
      const ours = [0, 1, 2].map(fd);
      const { pidfd } = sys.clone({ file: '/bin/sh', argv: ['sh', '-c', script, 'sh', file],
        envp: ['PATH=/usr/bin:/bin'], stdio });
      sys.waitPidfd(pidfd, (errno, code) => {
        sys.close(pidfd);
        const lines = fs.readFileSync(file, 'utf8').trim().split('\\n');
        const child = [0, 1, 2].map((n) => [lines[2 * n], statusFlags(lines[2 * n + 1])]);
        console.log(JSON.stringify({ errno, code, ours, child }));
      });`,
      { args: [path.join(dir, 'report'), JSON.stringify(stdio), report] },
    );
    expect(result.signal).toBeNull();
    expect(result.status, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    const { errno, code, ours, child } = JSON.parse(lines.pop()!) as {
      errno: number | null;
      code: number;
      ours: string[][];
      child: string[][];
    };
    expect({ errno, code }).toEqual({ errno: null, code: 0 });
    // The premise: the three fds are told apart by the kernel's own names for them.
    expect(new Set(ours.map(([id]) => id)).size, `our fds 0-2: ${JSON.stringify(ours)}`).toBe(3);
    for (const [id] of ours) expect(id).toMatch(/^(socket|pipe):\[\d+\]$/);
    // Child fd n is our fd stdio[n]: the same socket, with the same access mode and status flags.
    expect(child).toEqual(stdio.map((from) => ours[from]));
    // And what the child writes to them arrives there: child fd 0 and fd 2 are our stdio[0] and stdio[2].
    const arrived = { 1: lines.join('\n').trim(), 2: result.stderr.trim() } as Record<number, string>;
    expect(arrived[stdio[0]]).toBe('via-child-fd0');
    expect(arrived[stdio[2]]).toBe('via-child-fd2');
  });
});

describe('no leak on refusal', () => {
  it('ns.listen with a connection listener that is not a function makes no socket', () => {
    const ns = ownNamespace();
    const sockets = () =>
      fs.readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return fs.readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:');
        } catch {
          return false;
        }
      }).length;
    const before = sockets();
    for (let i = 0; i < 5; i++) {
      expect(() => ns.listen({}, 'not a function' as unknown as () => void)).toThrow(TypeError);
    }
    expect(sockets()).toBe(before);
  });
});

describe('errors say what happened', () => {
  it('a run dir that would be made inside a read-only mount is EROFS, not ENOENT', () => {
    const top = fs.mkdtempSync(path.join(os.tmpdir(), 'nn-ro-'));
    onCleanup(() => {
      tryRun('umount', ['-l', top]);
      fs.rmSync(top, { recursive: true, force: true });
    });
    expect(tryRun('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'nn-ro', top]).status).toBe(0);
    for (const runDir of [path.join(top, 'netns'), path.join(top, 'a', 'b', 'netns')]) {
      let error: NetnsError | undefined;
      try {
        NetNamespace.createNamed('x', { runDir });
      } catch (e) {
        error = e as NetnsError;
      }
      expect(error).toBeInstanceOf(NetnsError);
      expect(error).toMatchObject({ code: 'EROFS' });
    }
    expect(fs.readdirSync(top)).toEqual([]);
  });

  it("kill() of an isolated child that exited but whose exit is not delivered yet: no error, as Node's own", async () => {
    const ns = ownNamespace();
    const child = ns.spawn('true', [], { mountNamespace: 'isolated', stdio: 'ignore' });
    await new Promise((resolve) => child.once('spawn', resolve));
    const errors: Error[] = [];
    child.on('error', (error) => errors.push(error));
    const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    // Hold the event loop until the child is a zombie: exited, its exit not yet seen here.
    const state = () => fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1][0];
    const deadline = Date.now() + 5000;
    while (state() !== 'Z') if (Date.now() > deadline) throw new Error('the child never exited');
    expect(child.exitCode).toBeNull();
    expect(() => child.kill('SIGTERM')).not.toThrow();
    expect(await exited).toBe(0);
    expect(child.kill('SIGTERM')).toBe(false); // after 'exit', as Node answers
    expect(errors).toEqual([]);
  });
});

describe("as Node's own would", () => {
  it('a promise refused by enter() does not end the process when it rejects', () => {
    const result = runNode(`const lib = require(${JSON.stringify(distEntry)});
      const ns = lib.NetNamespace.create();
      try { ns.enter(() => Promise.reject(new Error('nobody awaits this'))); } catch (e) { console.log(e.name); }
      setTimeout(() => { ns.close(); console.log('still running'); }, 100);`);
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual(['TypeError', 'still running']);
  });

  it('isolated spawn: a relative command is found from options.cwd, as in shared mode', async () => {
    const ns = ownNamespace();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nn-cwd-'));
    onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
    fs.writeFileSync(path.join(dir, 'hello.sh'), '#!/bin/sh\necho "hello from $(pwd)"\n', { mode: 0o755 });
    for (const mountNamespace of ['shared', 'isolated'] as const) {
      const child = ns.spawn('./hello.sh', [], { cwd: dir, mountNamespace });
      let out = '';
      child.stdout!.on('data', (chunk) => {
        out += chunk;
      });
      const code = await new Promise((resolve, reject) => {
        child.once('error', reject);
        child.once('close', resolve);
      });
      expect([mountNamespace, code, out.trim()]).toEqual([mountNamespace, 0, `hello from ${dir}`]);
    }
  });

  it("isolated spawn of an unknown command: error, then close with -2, as Node's ChildProcess", async () => {
    const ns = ownNamespace();
    for (const mountNamespace of ['shared', 'isolated'] as const) {
      const child = ns.spawn('nn-no-such-command', [], { mountNamespace });
      const events: unknown[] = [];
      child.on('error', (error: NodeJS.ErrnoException) => events.push(['error', error.code]));
      child.on('exit', (...args) => events.push(['exit', ...args]));
      await new Promise((resolve) =>
        child.on('close', (...args) => {
          events.push(['close', ...args]);
          resolve(undefined);
        }),
      );
      expect([mountNamespace, events, child.exitCode]).toEqual([
        mountNamespace,
        [
          ['error', 'ENOENT'],
          ['close', -2, null],
        ],
        -2,
      ]);
    }
  });

  it("ns.listen honours backlog (ss shows it as the listening socket's Send-Q)", async () => {
    const ns = NetNamespace.createNamed(`nn-backlog-${process.pid}`);
    onCleanup(() => {
      ns.close();
      NetNamespace.delete(ns.name!);
    });
    const server = await ns.listen({ backlog: 3 });
    onCleanup(() => server.close());
    const { port } = server.address() as { port: number };
    const line = run('ip', ['netns', 'exec', ns.name!, 'ss', '-ltnH', `sport = :${port}`]);
    expect(line.trim().split(/\s+/).slice(0, 3)).toEqual(['LISTEN', '0', '3']);
    expect(() => ns.listen({ backlog: -1 })).toThrow(RangeError);
  });
});
