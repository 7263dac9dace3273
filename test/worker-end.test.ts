// Handles a worker thread never closed do not outlive it: a worker's heap is
// dropped when it ends without running finalizers, so the fds the addon
// opened for its handles (and the rtnetlink sockets kept with them) are
// closed when the worker's environment is torn down, at a natural end and at
// terminate() alike. Each case runs in a fresh node process, which reads its
// own /proc/self/fd while the worker lives (the premise: the fds are open)
// and after it ended.
import { describe, expect, it } from 'vitest';
import { distEntry, onCleanup, runNode, tryRun } from './helpers';

interface Verdict {
  /** What the worker's handles and kept sockets show in /proc/self/fd (`net:[INO]`, `socket:[INO]`). */
  targets: string[];
  /** Of those, what the process's open fds show while the worker lived, and after it ended (one entry per fd). */
  whileAlive: string[];
  afterEnd: string[];
}

/**
 * Runs a worker that leaves its handles open, ending it as `ending` says; the
 * process's view before and after. `trackUnmanagedFds: false` keeps Node from
 * closing any fd for us: only the library's own bookkeeping closes them then.
 */
function leakInWorker(ending: 'natural' | 'terminate', trackUnmanagedFds = true): Verdict {
  const name = `we-${process.pid}-${ending}-${trackUnmanagedFds}`;
  onCleanup(() => tryRun('ip', ['netns', 'delete', name])); // there only if the worker failed before deleting it
  const worker = `
    const { parentPort, workerData } = require('node:worker_threads');
    const fs = require('node:fs');
    const lib = require(${JSON.stringify(distEntry)});
    const sockets = () => new Set(fs.readdirSync('/proc/self/fd').map((fd) => {
      try { return fs.readlinkSync('/proc/self/fd/' + fd); } catch { return ''; }
    }).filter((link) => link.startsWith('socket:')));
    const before = sockets();
    const made = lib.NetNamespace.create();
    const named = lib.NetNamespace.createNamed(${JSON.stringify(name)});
    lib.NetNamespace.delete(${JSON.stringify(name)}); // the handle alone keeps it now
    const host = lib.NetNamespace.fromPid(process.pid);
    const byPath = lib.NetNamespace.fromPath('/proc/self/fd/' + made.fd); // opened from a path
    made.links(); // a socket kept with the handle
    named.links();
    const kept = [...sockets()].filter((link) => !before.has(link));
    parentPort.postMessage([...new Set([made.id, named.id, host.id, byPath.id]), ...kept]);
    // Wait until the parent has looked, then end without closing anything.
    Atomics.wait(new Int32Array(workerData), 0, 0);
    ${ending === 'terminate' ? 'setInterval(() => {}, 1000);' : ''}
  `;
  const result = runNode(
    `const { Worker } = require('node:worker_threads');
    const fs = require('node:fs');
    const open = (targets) => fs.readdirSync('/proc/self/fd').map((fd) => {
      try { return fs.readlinkSync('/proc/self/fd/' + fd); } catch { return ''; }
    }).filter((link) => targets.includes(link));
    const go = new SharedArrayBuffer(4);
    const worker = new Worker(${JSON.stringify(worker)}, { eval: true, workerData: go, trackUnmanagedFds: ${trackUnmanagedFds} });
    worker.on('error', (error) => { console.error(error); process.exit(2); });
    worker.once('message', async (targets) => {
      const whileAlive = open(targets);
      const ended = new Promise((resolve) => worker.once('exit', resolve));
      Atomics.store(new Int32Array(go), 0, 1);
      Atomics.notify(new Int32Array(go), 0);
      ${ending === 'terminate' ? 'await worker.terminate();' : ''}
      await ended;
      console.log(JSON.stringify({ targets, whileAlive, afterEnd: open(targets) }));
    });`,
  );
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout.trim()) as Verdict;
}

describe('handles a worker leaves open', () => {
  it.each([
    ['natural', true],
    ['terminate', true],
    ['natural', false],
    ['terminate', false],
  ] as const)('are closed when the worker ends (%s end, trackUnmanagedFds: %s)', (ending, trackUnmanagedFds) => {
    const { targets, whileAlive, afterEnd } = leakInWorker(ending, trackUnmanagedFds);
    // The premise: four handles (on two new namespaces, one of them twice, and the
    // host's) and two kept sockets, all open while the worker lived.
    expect(targets.filter((target) => target.startsWith('net:['))).toHaveLength(3);
    expect(targets.filter((target) => target.startsWith('socket:['))).toHaveLength(2);
    // One fd each, and the thread's own fd on its home namespace (kept for switching back, closed at its end too).
    expect(whileAlive).toHaveLength(7);
    expect(new Set(whileAlive)).toEqual(new Set(targets));
    expect(afterEnd).toEqual([]);
  });

  it('a handle the worker closed is not closed again at its end, when its number is in use by then', () => {
    const worker = `
      const { parentPort, workerData } = require('node:worker_threads');
      const lib = require(${JSON.stringify(distEntry)});
      const ns = lib.NetNamespace.create(); // an fd the addon opened, owned by this thread
      const fd = ns.fd;
      ns.close();
      parentPort.postMessage(fd);
      Atomics.wait(new Int32Array(workerData), 0, 0); // until the parent holds the number again
    `;
    const result = runNode(
      `const { Worker } = require('node:worker_threads');
      const fs = require('node:fs');
      const go = new SharedArrayBuffer(4);
      const worker = new Worker(${JSON.stringify(worker)}, { eval: true, workerData: go });
      worker.on('error', (error) => { console.error(error); process.exit(2); });
      worker.once('message', async (number) => {
        // The lowest free number goes to the next open: take numbers until the worker's is ours.
        const taken = [];
        while (taken.length < 64 && !taken.includes(number)) taken.push(fs.openSync('/dev/null', 'r'));
        for (const fd of taken) if (fd !== number) fs.closeSync(fd);
        const ended = new Promise((resolve) => worker.once('exit', resolve));
        Atomics.store(new Int32Array(go), 0, 1);
        Atomics.notify(new Int32Array(go), 0);
        await ended;
        const link = () => { try { return fs.readlinkSync('/proc/self/fd/' + number); } catch { return null; } };
        console.log(JSON.stringify({ reused: taken.includes(number), after: link() }));
      });`,
    );
    expect(result.stderr).toBe('');
    const { reused, after } = JSON.parse(result.stdout.trim()) as { reused: boolean; after: string | null };
    expect(reused).toBe(true); // the premise: the parent holds the number the worker's handle had
    expect(after).toBe('/dev/null');
  });
});
