// Nothing a caller does may take the whole process down or leave a thread in
// a foreign namespace: teardown races, closed fds, throwing getters, foreign
// clone flags, --abort-on-uncaught-exception and an exhausted stack. Each
// case runs in a fresh node process, whose exit status is the verdict.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { childrenOfSource, distEntry, onCleanup, runNode, tryRun } from './helpers';

// bindMount is internal (named/bind-mount), not exported: loaded from its own module.
const load = `const lib = require(${JSON.stringify(distEntry)}); const fs = require('node:fs');
  const { bindMount } = require(${JSON.stringify(path.join(path.dirname(distEntry), 'named', 'bind-mount.js'))});
  const { spawnSync } = require('node:child_process'); ${childrenOfSource}`;

function lastJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

describe('teardown and fd reuse', () => {
  it('worker.terminate() while its isolated child runs: the child exits later, the process lives on', () => {
    const result = runNode(`${load}
      const { Worker } = require('node:worker_threads');
      const worker = new Worker(\`
        const lib = require(${JSON.stringify(distEntry)});
        const ns = lib.NetNamespace.create();
        const child = ns.spawn('sleep', ['0.4'], { mountNamespace: 'isolated', stdio: 'ignore' });
        child.on('spawn', () => require('node:worker_threads').parentPort.postMessage(child.pid));\`, { eval: true });
      worker.once('message', async (pid) => {
        const aliveAtTerminate = fs.existsSync('/proc/' + pid);
        await worker.terminate();
        const aliveAfterTerminate = fs.readFileSync('/proc/' + pid + '/stat', 'utf8').split(') ')[1][0] !== 'Z';
        // Let the child exit while nobody watches it any more.
        setTimeout(() => {
          const state = fs.existsSync('/proc/' + pid) ? fs.readFileSync('/proc/' + pid + '/stat', 'utf8').split(') ')[1][0] : 'gone';
          console.log(JSON.stringify({ aliveAtTerminate, aliveAfterTerminate, state }));
        }, 1000);
      });`);
    expect(result.signal).toBeNull();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    // The premise: the child outlived the worker, then exited unwatched.
    expect(lastJson(result.stdout)).toEqual({ aliveAtTerminate: true, aliveAfterTerminate: true, state: 'Z' });
  });

  it('sys.waitPidfd watches its own copy: closing the fd and reusing its number reaps nobody else', () => {
    const result = runNode(`${load}
      const { sys } = lib;
      const exits = {};
      const a = sys.clone({ file: '/bin/sh', argv: ['sh', '-c', 'sleep 0.3; exit 3'], envp: [] });
      const b = sys.clone({ file: '/bin/sh', argv: ['sh', '-c', 'exit 5'], envp: [] });
      sys.waitPidfd(a.pidfd, (errno, code) => { exits.a = [errno, code]; });
      sys.close(a.pidfd);
      // Fill any lower free numbers, so that B's new pidfd takes exactly the one just closed.
      const fillers = [];
      for (let fd = fs.openSync('/dev/null', 'r'); fd < a.pidfd; fd = fs.openSync('/dev/null', 'r')) fillers.push(fd);
      fs.closeSync(a.pidfd);
      const bAgain = sys.pidfdOpen(b.pid);
      for (const fd of fillers) fs.closeSync(fd);
      sys.close(b.pidfd);
      const reused = bAgain === a.pidfd;
      sys.waitPidfd(bAgain, (errno, code) => { exits.b = [errno, code]; sys.close(bAgain); });
      setTimeout(() => {
        const zombies = childrenOf(process.pid).filter((child) => child.state === 'Z').length;
        console.log(JSON.stringify({ reused, exits, zombies }));
      }, 800);`);
    expect(result.stderr).toBe('');
    expect(lastJson(result.stdout)).toEqual({ reused: true, exits: { a: [null, 3], b: [null, 5] }, zombies: 0 });
  });
});

describe('under --abort-on-uncaught-exception', () => {
  // Every failure the library reports must be catchable: a native throw
  // would abort here even inside try/catch (nodejs/node#28409).
  it('every failure case is caught, none aborts', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nn-abort-'));
    onCleanup(() => {
      tryRun('umount', ['-l', `${dir}/netns`]);
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const result = runNode(
      `${load}
      const dir = process.argv[1];
      const dead = spawnSync('true').pid;
      const getterThrows = { get file() { throw new Error('getter'); }, argv: ['x'], envp: [] };
      const cases = {
        fromPidOfDeadPid: () => lib.NetNamespace.fromPid(dead),
        enterRegularFile: () => lib.enterNetns('/etc/passwd', () => 1),
        createNamedInFreshRunDir: () => lib.NetNamespace.createNamed('x/y', { runDir: dir + '/netns' }),
        deleteUnknown: () => lib.NetNamespace.delete('nn-no-such', { runDir: dir + '/netns' }),
        setnsBadFd: () => lib.sys.setns(-1, lib.sys.constants.CLONE_NEWNET),
        setnsNotANumber: () => lib.sys.setns('x', 0),
        setnsFraction: () => lib.sys.setns(0.5, 0),
        bindDataView: () => lib.sys.bind(0, new DataView(new ArrayBuffer(16))),
        cloneProxy: () => lib.sys.clone(new Proxy({}, { get() { throw new Error('trap'); } })),
        cloneGetter: () => lib.sys.clone(getterThrows),
        cloneArgvGetter: () => lib.sys.clone({ file: '/bin/true', envp: [], get argv() { return [{ toString() { throw new Error('x'); } }]; } }),
        cloneStepOpGetter: () => lib.sys.clone({ file: '/bin/true', argv: ['true'], envp: [],
          steps: [{ get op() { throw new Error('op getter'); } }] }),
        cloneExecMissing: () => lib.sys.clone({ file: '/nonexistent', argv: ['x'], envp: [] }),
        mountMissing: () => lib.sys.mount('/nonexistent', '/nonexistent2', null, lib.sys.constants.MS_BIND),
        bindMountMissing: () => bindMount('/nonexistent', dir + '/target'),
        pidfdOpenDead: () => lib.sys.pidfdOpen(dead),
        listenBadPort: () => lib.NetNamespace.current().listen({ port: -1 }),
        waitPidfdBadFd: () => lib.sys.waitPidfd(-1, () => {}),
      };
      const caught = {};
      for (const [name, action] of Object.entries(cases)) {
        try { action(); caught[name] = 'no error'; } catch (e) { caught[name] = e.code ?? e.name; }
      }
      // createNamed succeeds once the name is valid: the first one makes the run dir shared.
      const ns = lib.NetNamespace.createNamed('first', { runDir: dir + '/netns' });
      ns.close(); lib.NetNamespace.delete('first', { runDir: dir + '/netns' });
      console.log(JSON.stringify(caught));`,
      { nodeArgs: ['--abort-on-uncaught-exception'], args: [dir] },
    );
    expect(result.signal).toBeNull();
    expect(result.stderr).toBe('');
    expect(lastJson(result.stdout)).toEqual({
      fromPidOfDeadPid: 'ESRCH',
      enterRegularFile: 'EINVAL',
      createNamedInFreshRunDir: 'TypeError',
      deleteUnknown: 'ENOENT',
      setnsBadFd: 'EBADF',
      setnsNotANumber: 'TypeError',
      setnsFraction: 'RangeError',
      bindDataView: 'TypeError',
      cloneProxy: 'Error',
      cloneGetter: 'Error',
      cloneArgvGetter: 'TypeError',
      cloneStepOpGetter: 'Error',
      cloneExecMissing: 'ENOENT',
      mountMissing: 'ENOENT',
      bindMountMissing: 'ENOENT',
      pidfdOpenDead: 'ESRCH',
      listenBadPort: 'RangeError',
      waitPidfdBadFd: 'RangeError',
    });
  });
});

describe('sys.clone accepts namespace flags only', () => {
  // Values from <linux/sched.h>: each shares or corrupts this process's state.
  const foreign = {
    CLONE_VM: 0x100,
    CLONE_FS: 0x200,
    CLONE_FILES: 0x400,
    CLONE_SIGHAND: 0x800,
    'CLONE_VM|CLONE_VFORK': 0x4100,
    CLONE_PARENT: 0x8000,
    CLONE_THREAD: 0x10000,
    CLONE_SETTLS: 0x80000,
    CLONE_PTRACE: 0x2000,
    CLONE_IO: 0x80000000,
  };

  it.each(Object.entries(foreign))('refuses %s before cloning, and the process is unharmed', (_name, flag) => {
    const result = runNode(`${load}
      const cwd = process.cwd();
      let error;
      try { lib.sys.clone({ file: '/bin/true', argv: ['true'], envp: [], cloneFlags: ${flag} }); }
      catch (e) { error = e.name; }
      const children = childrenOf(process.pid).length;
      console.log(JSON.stringify({ error, sameCwd: process.cwd() === cwd, stdout: fs.fstatSync(1).ino === fs.statSync('/proc/self/fd/1').ino, children }));`);
    expect(result.signal).toBeNull();
    expect(result.status).toBe(0);
    expect(lastJson(result.stdout)).toEqual({ error: 'RangeError', sameCwd: true, stdout: true, children: 0 });
  });
});

describe('an exhausted stack inside enterNetns', () => {
  // The stack runs out at every point of enterNetns in turn: a recursion of
  // `dive` frames to just above the limit, then a shim frame of 0..11 extra
  // arguments (8 bytes each) before the call. --jitless keeps frame sizes
  // fixed, so a binary search finds each shim's limit and the 40 depths
  // above it are tried one by one.
  it('never leaves the thread in the foreign namespace, as another process sees it', () => {
    const result = runNode(
      `${load}
      const ns = lib.NetNamespace.create();
      const home = fs.readlinkSync('/proc/thread-self/ns/net');
      const tid = lib.sys.gettid();
      const outside = () => spawnSync('readlink', ['/proc/' + process.pid + '/task/' + tid + '/ns/net'],
        { encoding: 'utf8' }).stdout.trim();
      const noop = () => 0;
      function dive(n, atBottom) { return n > 0 ? dive(n - 1, atBottom) + 0 : atBottom(); }
      const shims = Array.from({ length: 12 }, (_, k) =>
        new Function('f', ...Array.from({ length: k }, (_, i) => 'a' + i), 'return f();'));
      function tryAt(depth, k) {
        let outcome = 'stack ran out before enterNetns';
        const attempt = () => {
          try { lib.enterNetns(ns, noop); outcome = 'ok'; }
          catch (e) { outcome = e instanceof RangeError ? 'overflow inside' : 'other: ' + e.message; }
        };
        try { dive(depth, () => shims[k](attempt, ...new Array(k).fill(0))); } catch {}
        return outcome;
      }
      const counts = {}; let wrong = 0; let checks = 0; let shimsWithOverflow = 0;
      for (let k = 0; k < shims.length; k++) {
        let lo = 10, hi = 200000; // lo reaches enterNetns, hi does not
        while (hi - lo > 1) {
          const mid = (lo + hi) >> 1;
          if (tryAt(mid, k) === 'stack ran out before enterNetns') hi = mid; else lo = mid;
        }
        let overflowed = false;
        for (let depth = lo - 40; depth <= hi; depth++) {
          const outcome = tryAt(depth, k);
          counts[outcome] = (counts[outcome] ?? 0) + 1;
          overflowed ||= outcome === 'overflow inside';
          // The kernel's answer for this thread, and every fourth time another process's too.
          const here = fs.readlinkSync('/proc/thread-self/ns/net');
          if (here !== home || (++checks % 4 === 0 && outside() !== home)) { wrong++; lib.enterNetns(ns, noop); }
        }
        if (overflowed) shimsWithOverflow++;
      }
      console.log(JSON.stringify({ shimsWithOverflow, wrong, kinds: Object.keys(counts).sort() }));`,
      { nodeArgs: ['--jitless', '--stack-size=300'] },
    );
    expect(result.stderr.replace(/^Warning: disabling flag --expose_wasm.*\n/m, '')).toBe('');
    // The premise: for every shim, the stack ran out inside enterNetns.
    expect(lastJson(result.stdout)).toEqual({
      shimsWithOverflow: 12,
      wrong: 0,
      kinds: ['ok', 'overflow inside', 'stack ran out before enterNetns'],
    });
  });
});
