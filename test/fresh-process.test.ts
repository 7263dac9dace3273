// Behaviour that only shows in a fresh process: the libuv threadpool's
// namespace, module loading, fatal switch-back failures, privileges, GC.
import { describe, expect, it } from 'vitest';
import { distEntry, readlinkNetns, runNode, startNetnsProcess, unprivilegedCopy } from './helpers';

const hostId = readlinkNetns(process.pid);
const load = `const lib = require(${JSON.stringify(distEntry)}); const fs = require('node:fs');`;

function lastJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

describe('in a fresh process', () => {
  it('async fs issued while switched still runs in the host namespace (threadpool warmed at load)', () => {
    const container = startNetnsProcess();
    const result = runNode(`${load}
      const seen = {};
      lib.enterNetns(process.argv[1], () => {
        seen.sync = fs.readlinkSync('/proc/thread-self/ns/net');
        fs.readlink('/proc/thread-self/ns/net', (error, link) => {
          seen.async = error ? error.code : link;
          console.log(JSON.stringify(seen));
        });
      });`, { args: [`/proc/${container.pid}/ns/net`] });
    expect(result.stderr).toBe('');
    const seen = lastJson(result.stdout);
    expect(seen.sync).toBe(readlinkNetns(container.pid));
    expect(seen.async).toBe(hostId);
  });

  it('imports from ESM and requires from CommonJS with the same exports', () => {
    const esm = runNode(`import * as ns from 'netns-native';
      import def from 'netns-native';
      const names = Object.keys(ns).filter((k) => k !== 'default').sort();
      console.log(JSON.stringify({ names, sameAsDefault: names.every((k) => ns[k] === def[k]),
        works: ns.enterNetns('/proc/self/ns/net', () => 1) }));`, { nodeArgs: ['--input-type=module'] });
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
    expect(result.stderr).toMatch(/netns-native: fatal: thread \d+ could not switch back .*EBADF.*aborting the process/);
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
          await new Promise((resolve) => worker.once('message', resolve));
          if (i % 2) await worker.terminate();
          else await new Promise((resolve) => worker.once('exit', resolve));
        }
        console.log(JSON.stringify({ held: held() }));
      })();`);
    expect(result.stderr).toBe('');
    expect(lastJson(result.stdout)).toEqual({ held: 0 });
  });

  it('closes the fd of a handle dropped without close(), with a warning', () => {
    const result = runNode(`${load}
      process.on('warning', (w) => console.log(JSON.stringify({ code: w.code })));
      let fd, id;
      (() => { const ns = lib.NetNamespace.create(); fd = ns.fd; id = ns.id; })();
      const check = () => {
        let open = true;
        // The number may be reused by another file: the namespace must be gone from it.
        try { open = fs.readlinkSync('/proc/self/fd/' + fd) === id; } catch { open = false; }
        console.log(JSON.stringify({ open }));
      };
      global.gc();
      setTimeout(() => { global.gc(); setTimeout(check, 100); }, 100);`, { nodeArgs: ['--expose-gc'] });
    expect(result.stdout).toContain('"code":"NETNS_HANDLE_LEAK"');
    expect(lastJson(result.stdout)).toEqual({ open: false });
  });
});

describe('without privileges', () => {
  it('says EPERM with a hint that root is needed, and changes nothing', () => {
    const dir = unprivilegedCopy();
    const result = runNode(`const lib = require('./dist/index.js');
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
      console.log(JSON.stringify(out));`, { uid: 65534, cwd: dir });
    expect(result.stderr).toBe('');
    const out = lastJson(result.stdout) as Record<string, { name: string; code: string; hint: string; message: string }>;
    expect(out.create).toMatchObject({ name: 'NetnsError', code: 'EPERM', hint: 'needs CAP_SYS_ADMIN: run as root' });
    expect(out.create.message).toBe('EPERM: operation not permitted, unshare (needs CAP_SYS_ADMIN: run as root)');
    expect(out.enter).toMatchObject({ code: 'EPERM', hint: 'needs CAP_SYS_ADMIN: run as root' });
    expect(['EPERM', 'EACCES']).toContain(out.pid1.code);
    expect(out.pid1.hint).toBe('needs CAP_SYS_ADMIN: run as root');
    expect(out.after).toBe(hostId);
  });
});
