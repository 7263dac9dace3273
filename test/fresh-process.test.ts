// Behaviour that only shows in a fresh process: the libuv threadpool's
// namespace, module loading, fatal switch-back failures, privileges, GC.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { type Address, type Link, sys } from '../lib/index';
import { distEntry, finished, onCleanup, readlinkNetns, runNode, startNetnsProcess, unprivilegedCopy } from './helpers';

const hostId = readlinkNetns(process.pid);
const load = `const lib = require(${JSON.stringify(distEntry)}); const fs = require('node:fs');`;

function lastJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

describe('in a fresh process', () => {
  it('async fs issued while switched still runs in the host namespace (threadpool warmed at load)', () => {
    const container = startNetnsProcess();
    const result = runNode(
      `${load}
      const seen = {};
      lib.enterNetns(process.argv[1], () => {
        seen.sync = fs.readlinkSync('/proc/thread-self/ns/net');
        fs.readlink('/proc/thread-self/ns/net', (error, link) => {
          seen.async = error ? error.code : link;
          console.log(JSON.stringify(seen));
        });
      });`,
      { args: [`/proc/${container.pid}/ns/net`] },
    );
    expect(result.stderr).toBe('');
    const seen = lastJson(result.stdout);
    expect(seen.sync).toBe(readlinkNetns(container.pid));
    expect(seen.async).toBe(hostId);
  });

  it('imports from ESM and requires from CommonJS with the same exports', () => {
    const esm = runNode(
      `import * as ns from 'netns-native';
      import def from 'netns-native';
      const names = Object.keys(ns).filter((k) => k !== 'default').sort();
      console.log(JSON.stringify({ names, sameAsDefault: names.every((k) => ns[k] === def[k]),
        works: ns.enterNetns('/proc/self/ns/net', () => 1) }));`,
      { nodeArgs: ['--input-type=module'] },
    );
    const cjs = runNode(`const ns = require('netns-native');
      console.log(JSON.stringify({ names: Object.keys(ns).sort() }));`);
    expect(esm.stderr).toBe('');
    const fromEsm = lastJson(esm.stdout);
    const fromCjs = lastJson(cjs.stdout);
    expect(fromEsm.names).toEqual(fromCjs.names);
    expect(fromEsm.names).toEqual(expect.arrayContaining(['NetNamespace', 'enterNetns', 'NetnsError', 'sys']));
    expect(fromEsm.sameAsDefault).toBe(true);
    expect(fromEsm.works).toBe(1);
  });

  it('parses the same where code may not be made from strings (--disallow-code-generation-from-strings)', () => {
    // A namespace of its own with a veth and addresses, so that links, nests and addresses are all parsed.
    const script = `${load}
      const ns = lib.NetNamespace.create();
      lib.createVeth({ name: 'a0', ns, up: true }, { name: 'b0', ns });
      ns.addAddress('a0', '10.9.8.1/24');
      ns.addAddress('b0', 'fd00:98::1/64');
      const read = () => JSON.stringify({ links: ns.links(), addresses: ns.addresses() });
      let compiled = true;
      try { new Function('return 1'); } catch (error) { compiled = !(error instanceof EvalError); }
      console.log(JSON.stringify({ compiled, map: read() }));
      ns.close();`;
    const refused = runNode(script, { nodeArgs: ['--disallow-code-generation-from-strings'] });
    const allowed = runNode(script);
    expect(refused.stderr).toBe('');
    expect(allowed.stderr).toBe('');
    const [withoutCode, withCode] = [lastJson(refused.stdout), lastJson(allowed.stdout)];
    expect(withoutCode.compiled).toBe(false); // the premise: the flag did refuse new Function
    expect(withCode.compiled).toBe(true);
    // What differs between two namespaces made alike: random MACs, and the link-local addresses made of them.
    const alike = (map: unknown) => {
      const { links, addresses } = JSON.parse(String(map)) as { links: Link[]; addresses: Address[] };
      return {
        links: links.map(({ mac: _mac, ...link }) => link),
        addresses: addresses.filter((address) => address.scope !== 'link'),
      };
    };
    expect(alike(withoutCode.map)).toEqual(alike(withCode.map));
    expect(alike(withoutCode.map).links.map((link) => link.name)).toEqual(['lo', 'b0', 'a0']);
    expect(alike(withoutCode.map).addresses.map((address) => address.address)).toEqual(
      expect.arrayContaining(['10.9.8.1', 'fd00:98::1']),
    );
  });

  it('aborts the process when the main thread cannot switch back', () => {
    const result = runNode(`${load}
      const ns = lib.NetNamespace.create();
      const home = fs.readlinkSync('/proc/thread-self/ns/net');
      lib.enterNetns(ns, () => {
        // Injected failure: close every fd on the home namespace, the way back.
        for (const fd of fs.readdirSync('/proc/self/fd')) {
          try { if (fs.readlinkSync('/proc/self/fd/' + fd) === home) fs.closeSync(Number(fd)); } catch {}
        }
      });
      console.log('still running after a failed switch back');`);
    expect(result.signal).toBe('SIGABRT');
    expect(result.stdout).not.toMatch(/still running/);
    expect(result.stderr).toMatch(
      /netns-native: fatal: thread \d+ could not switch back .*EBADF.*aborting the process/,
    );
  });

  it('ends only the worker thread when a worker cannot switch back', () => {
    const result = runNode(`${load}
      const { Worker } = require('node:worker_threads');
      const worker = new Worker(\`
        const lib = require(${JSON.stringify(distEntry)}); const fs = require('node:fs');
        process.on('exit', () => fs.writeSync(1, 'exit handler ran on the stuck thread'));
        const ns = lib.NetNamespace.create();
        const home = fs.readlinkSync('/proc/thread-self/ns/net');
        lib.enterNetns(ns, () => {
          for (const fd of fs.readdirSync('/proc/self/fd')) {
            try { if (fs.readlinkSync('/proc/self/fd/' + fd) === home) fs.closeSync(Number(fd)); } catch {}
          }
        });
        require('node:worker_threads').parentPort.postMessage('still running');\`, { eval: true });
      const messages = [];
      worker.on('message', (m) => messages.push(m));
      worker.on('exit', (code) => console.log(JSON.stringify({ code, messages,
        main: fs.readlinkSync('/proc/thread-self/ns/net') })));`);
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/could not switch back .*ending this worker thread/);
    expect(result.stdout).not.toMatch(/exit handler ran/);
    const seen = lastJson(result.stdout);
    expect(seen).toEqual({ code: 70, messages: [], main: hostId });
  });

  // trackUnmanagedFds: false, so that Node does not close the fds for us.
  it('gives back the fds of worker threads that used enterNetns, however they end, without warnings', () => {
    const result = runNode(`${load}
      const { Worker } = require('node:worker_threads');
      const held = () => fs.readdirSync('/proc/self/fd').filter((fd) => {
        try { return fs.readlinkSync('/proc/self/fd/' + fd).startsWith('net:'); } catch { return false; }
      }).length;
      const body = \`const lib = require(${JSON.stringify(distEntry)});
        const ns = lib.NetNamespace.create(); lib.enterNetns(ns, () => 1); ns.close();
        lib.NetNamespace.fromPid(process.pid).close();
        require('node:worker_threads').parentPort.postMessage('entered');\`;
      (async () => {
        for (let i = 0; i < 6; i++) {
          const worker = new Worker(body + (i % 2 ? 'setInterval(() => {}, 1000);' : ''),
            { eval: true, trackUnmanagedFds: i < 3 });
          // Listened for at once: a worker that ends by itself may be gone as its message arrives.
          const exited = new Promise((resolve) => worker.once('exit', resolve));
          await new Promise((resolve) => worker.once('message', resolve));
          if (i % 2) await worker.terminate();
          else await exited;
        }
        console.log(JSON.stringify({ held: held() }));
      })();`);
    expect(result.stderr).toBe('');
    expect(lastJson(result.stdout)).toEqual({ held: 0 });
  });

  it('closes the fd and the kept socket of a handle dropped without close(), with a warning', () => {
    const result = runNode(
      `${load}
      let warned = 0;
      process.on('warning', (w) => { if (w.code === 'NETNS_HANDLE_LEAK') warned++; });
      const links = () => new Set(fs.readdirSync('/proc/self/fd').map((fd) => {
        try { return fs.readlinkSync('/proc/self/fd/' + fd); } catch { return ''; }
      }));
      const before = links();
      let id;
      (() => { const ns = lib.NetNamespace.create(); id = ns.id; ns.links(); })(); // links(): a socket kept with it
      // What the handle holds, by what /proc shows (a number may be reused by another
      // file); not the thread's own fd on its home namespace, opened for the switch.
      const held = [...links()].filter((link) => !before.has(link) && (link === id || link.startsWith('socket:')));
      const open = () => held.filter((link) => links().has(link));
      (async () => {
        const whileHeld = open();
        // The premise: the handle was collected, which the library reports with its
        // warning. When V8 collects, and when the finalizers run after, is up to V8:
        // collect and give the finalizers a turn until they have (a bounded number of times).
        let rounds = 0;
        while ((warned === 0 || open().length > 0) && rounds < 100) {
          global.gc();
          rounds++;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        console.log(JSON.stringify({ id, whileHeld, warned, open: open() }));
      })();`,
      { nodeArgs: ['--expose-gc'] },
    );
    // Open while held (the namespace and one socket), one warning once collected, and then both closed.
    const seen = lastJson(result.stdout) as { id: string; whileHeld: string[]; warned: number; open: string[] };
    expect(seen.whileHeld).toHaveLength(2);
    expect(seen.whileHeld).toContain(seen.id);
    expect(seen.whileHeld.filter((link) => link.startsWith('socket:['))).toHaveLength(1);
    expect(seen.warned).toBe(1);
    expect(seen.open).toEqual([]);
  });
});

describe('without privileges', () => {
  it('says EPERM with a hint that root is needed, and changes nothing', () => {
    const dir = unprivilegedCopy();
    const result = runNode(
      `const lib = require('./dist/index.js');
      const tries = {
        create: () => lib.NetNamespace.create(),
        enter: () => lib.enterNetns('/proc/self/ns/net', () => 1),
        pid1: () => lib.NetNamespace.fromPid(1),
      };
      const out = {};
      for (const [name, action] of Object.entries(tries)) {
        try { action(); out[name] = 'no error'; }
        catch (e) { out[name] = { name: e.name, code: e.code, hint: e.hint, message: e.message }; }
      }
      out.after = require('node:fs').readlinkSync('/proc/thread-self/ns/net');
      console.log(JSON.stringify(out));`,
      { uid: 65534, cwd: dir },
    );
    expect(result.stderr).toBe('');
    const out = lastJson(result.stdout) as Record<
      string,
      { name: string; code: string; hint: string; message: string }
    >;
    expect(out.create).toMatchObject({ name: 'NetnsError', code: 'EPERM', hint: 'needs CAP_SYS_ADMIN: run as root' });
    expect(out.create.message).toBe('EPERM: operation not permitted, unshare (needs CAP_SYS_ADMIN: run as root)');
    expect(out.enter).toMatchObject({ code: 'EPERM', hint: 'needs CAP_SYS_ADMIN: run as root' });
    expect(['EPERM', 'EACCES']).toContain(out.pid1.code);
    expect(out.pid1.hint).toBe('needs CAP_SYS_ADMIN: run as root');
    expect(out.after).toBe(hostId);
  });
});

describe('isolated spawn: ref() and unref() of the exit watch', () => {
  // A fresh node process starts an isolated `sleep 30` in a namespace of its
  // own, prints its pid, and (per case) calls unref(), or unref() and then
  // ref(), at once or once 'spawn' has fired. Nothing else is left on its
  // event loop: the namespace handle is closed and the sleep's stdio ignored.
  const script = `const lib = require(${JSON.stringify(distEntry)});
    const [how, when] = process.argv.slice(1);
    const ns = lib.NetNamespace.create();
    const child = ns.spawn('sleep', ['30'], { mountNamespace: 'isolated', stdio: 'ignore' });
    ns.close();
    const apply = () => { if (how !== 'ref') child.unref(); if (how === 'unref-ref') child.ref(); };
    if (when === 'at once') apply();
    child.on('spawn', () => {
      if (when === 'on spawn') apply();
      console.log(JSON.stringify({ pid: child.pid }));
    });
    child.on('exit', (code, signal) => console.log(JSON.stringify({ exit: [code, signal] })));`;

  const { SIGKILL } = constants.signals;
  const state = (pid: number) => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      return {
        comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
        state: stat.slice(stat.lastIndexOf(') ') + 2)[0],
      };
    } catch {
      return undefined; // gone: exited and reaped
    }
  };

  /** Starts the script; resolves with the node process, the sleep's pid and its exit, and kills both afterwards. */
  async function start(how: string, when: string) {
    const node = spawn(process.execPath, ['-e', script, '--', how, when], { stdio: ['ignore', 'pipe', 'pipe'] });
    const started = Date.now();
    let exitedAt: number | undefined;
    node.once('exit', () => {
      exitedAt = Date.now();
    });
    const done = finished(node);
    onCleanup(() => {
      if (node.exitCode === null && node.signalCode === null) node.kill('SIGKILL');
    });
    let stdout = '';
    node.stdout!.on('data', (chunk) => {
      stdout += chunk;
    });
    for (const deadline = Date.now() + 10_000; !/"pid":\d+/.test(stdout);) {
      if (Date.now() > deadline || exitedAt !== undefined)
        throw new Error(`no pid printed: ${stdout} ${(await done).stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const { pid } = JSON.parse(stdout.split('\n')[0]) as { pid: number };
    // Signalled through a pidfd, which stays on this sleep: its pid, once
    // reaped, may be anyone's. Killed in every case, pass or fail (reaped by
    // node's watch if it still runs, by init once node is gone).
    const pidfd = sys.pidfdOpen(pid);
    const kill = () => {
      try {
        sys.pidfdSendSignal(pidfd, SIGKILL);
      } catch {
        /* gone already */
      }
    };
    onCleanup(() => {
      kill();
      sys.close(pidfd);
    });
    return { node, pid, kill, done, started, exitedAt: () => exitedAt };
  }

  /** Until process `pid`'s main thread blocks in epoll_wait (/proc/PID/wchan); fails if it exits first. */
  async function untilIdle(pid: number, exitedAt: () => number | undefined, ms = 10_000) {
    const wchan = () => {
      try {
        return fs.readFileSync(`/proc/${pid}/wchan`, 'utf8');
      } catch {
        return 'gone';
      }
    };
    for (const deadline = Date.now() + ms; wchan() !== 'do_epoll_wait';) {
      if (exitedAt() !== undefined) throw new Error('node exited instead of waiting for its child');
      if (Date.now() > deadline) throw new Error(`node ${pid} not idle within ${ms} ms (wchan ${wchan()})`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** The sleep is gone: killed, then reaped by whoever is its parent now. */
  async function killAndAwaitReaped(pid: number, kill: () => void) {
    kill();
    for (const deadline = Date.now() + 5000; state(pid) !== undefined;) {
      if (Date.now() > deadline) throw new Error(`sleep ${pid} not reaped: ${JSON.stringify(state(pid))}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  it.each(['at once', 'on spawn'])(
    'unref() %s: node exits promptly while the sleep runs on in its namespace',
    async (when) => {
      const { pid, kill, done, started, exitedAt } = await start('unref', when);
      for (const deadline = started + 5000; exitedAt() === undefined;) {
        if (Date.now() > deadline) throw new Error('node still runs 5 s after unref(): the watch holds its event loop');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const took = exitedAt()! - started;
      const { code, stdout, stderr } = await done;
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(took, 'node exited promptly, not after the 30 s sleep').toBeLessThan(5000);
      expect(stdout).not.toMatch(/"exit"/);
      // The premise: the sleep was not why node could exit; it still runs, in another namespace.
      expect(state(pid)).toMatchObject({ comm: 'sleep' });
      expect(state(pid)!.state).not.toBe('Z');
      expect(readlinkNetns(pid)).not.toBe(hostId);
      await killAndAwaitReaped(pid, kill);
    },
  );

  it.each([
    ['without unref()', 'ref', 'at once'],
    ['after unref() then ref()', 'unref-ref', 'at once'],
    ['after unref() then ref() on spawn', 'unref-ref', 'on spawn'],
  ])('%s: node waits for the sleep, and exits once it is killed', async (_what, how, when) => {
    const { node, pid, kill, done, exitedAt } = await start(how, when);
    // The premise, seen from outside: node is done with its script and sleeps in
    // epoll_wait with the sleep still running: only the referenced watch keeps
    // its event loop alive (a loop with nothing referenced would have ended).
    await untilIdle(node.pid!, exitedAt);
    expect(exitedAt(), 'node exited while its referenced child still ran').toBeUndefined();
    expect(node.exitCode).toBeNull();
    expect(state(pid)).toMatchObject({ comm: 'sleep' });
    const killedAt = Date.now();
    await killAndAwaitReaped(pid, kill); // reaped by node's own watch
    const { code, stdout, stderr } = await done;
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(exitedAt()! - killedAt, 'node exited once the sleep died').toBeLessThan(5000);
    expect(
      stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([{ pid }, { exit: [null, 'SIGKILL'] }]);
  });
});
