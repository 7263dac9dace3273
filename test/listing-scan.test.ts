// How listNamespaces() reads the host (lib/proc/proc-dir.ts, open-namespace.ts,
// nsid-batch.ts): pids from getdents64, each process's namespace by readlink,
// processes that exit or hide while the host is read, an unprivileged caller,
// and nsids asked of every namespace in one send, or of none when the
// observer has numbered none.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NetNamespace, listNamespaces, setNsid } from '../lib/index';
import type { NamespaceInfo } from '../lib/proc/namespace-info';
import { listingSteps } from '../lib/proc/list-namespaces';
import { openFdOn } from '../lib/proc/open-namespace';
import { NetnsLinks } from '../lib/proc/proc-dir';
import { listPids, netnsMounts } from '../lib/proc/proc-scan';
import { traceExchanges } from '../lib/rtnl/transport';
import { closeFd } from '../lib/nsfs/nsfs-file';
import { deadPid, killAndReap, onCleanup, run, runNode, startNetnsProcess, unprivilegedCopy } from './helpers';
import { runTag } from './net-helpers';

const numericEntries = (): number[] =>
  fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number);

const statIno = (pid: number): number | undefined => {
  try {
    return fs.statSync(`/proc/${pid}/ns/net`).ino;
  } catch {
    return undefined;
  }
};

const fdCount = (): number => fs.readdirSync('/proc/self/fd').length;

async function untilGone(pid: number): Promise<void> {
  for (let i = 0; fs.existsSync(`/proc/${pid}`); i++) {
    if (i === 500) throw new Error(`process ${pid} never went away`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('reading /proc', () => {
  it('lists the pids readdir lists (getdents64, parsed here)', () => {
    // Processes come and go: ours must hold every pid both readdirs saw, and
    // nothing neither saw.
    const before = new Set(numericEntries());
    const ours = listPids();
    const after = new Set(numericEntries());
    expect(ours.length).toBeGreaterThan(10);
    for (const pid of before) if (after.has(pid)) expect(ours).toContain(pid);
    for (const pid of ours) expect(before.has(pid) || after.has(pid)).toBe(true);
    expect(new Set(ours).size).toBe(ours.length);
  });

  it("reads each process's namespace as stat sees it, and nothing for a process that is gone", async () => {
    const links = new NetnsLinks();
    const elsewhere = startNetnsProcess();
    for (const pid of [process.pid, elsewhere.pid]) expect(links.inoOf(pid)).toBe(statIno(pid));
    expect(links.inoOf(elsewhere.pid)).not.toBe(links.inoOf(process.pid)); // premise: two namespaces
    killAndReap(elsewhere);
    await untilGone(elsewhere.pid);
    expect(links.inoOf(elsewhere.pid)).toBeUndefined();
    expect(links.inoOf(deadPid())).toBeUndefined();
    // An fd of ours on a namespace names it; an fd on anything else names none.
    using handle = NetNamespace.create();
    expect(links.inoOfFd(handle.fd)).toBe(handle.ino);
    const other = fs.openSync('/proc/self/stat', 'r');
    onCleanup(() => fs.closeSync(other));
    expect(links.inoOfFd(other)).toBeUndefined();
  });

  it('leaves out a process that exits while the host is being read, and finishes', async () => {
    const leaving = startNetnsProcess();
    const staying = startNetnsProcess();
    const ino = statIno(leaving.pid);
    const steps = listingSteps({ nsid: false });
    steps.next(); // the pids are read, and the first of them looked at
    killAndReap(leaving);
    await untilGone(leaving.pid);
    let next = steps.next();
    while (!next.done) next = steps.next();
    const listed = next.value;
    // It was alive when the scan read /proc, so it was on the scan's list.
    expect(listed.some((info) => info.pids.includes(leaving.pid))).toBe(false);
    expect(listed.find((info) => info.ino === ino)).toBeUndefined(); // nothing else held it
    expect(listed.find((info) => info.pids.includes(staying.pid))?.nprocs).toBe(1);
  });
});

describe('nsfs mounts (mountinfo)', () => {
  it('finds a namespace mounted where mountinfo escapes the path (space, tab, backslash), as findmnt shows it', () => {
    const ns = NetNamespace.create();
    onCleanup(() => ns.close());
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nn-mountinfo-'));
    onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
    const target = path.join(dir, 'a b\tc\\d');
    fs.writeFileSync(target, '');
    run('mount', ['--bind', `/proc/${process.pid}/fd/${ns.fd}`, target]);
    onCleanup(() => run('umount', [target]));
    // The premise: the kernel escaped the mount point in mountinfo.
    expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).toContain('a\\040b\\011c\\134d');
    expect(netnsMounts().filter((mount) => mount.mountPoint.startsWith(dir))).toEqual([
      { ino: ns.ino, mountPoint: target },
    ]);
    const shown = JSON.parse(run('findmnt', ['-J', '-o', 'FSROOT,TARGET', '--mountpoint', target])) as {
      filesystems: Array<{ fsroot: string; target: string }>;
    };
    expect(shown.filesystems).toEqual([{ fsroot: `net:[${ns.ino}]`, target }]);
    expect(listNamespaces({ nsid: false }).find((info) => info.ino === ns.ino)?.nsfs).toContain(target);
  });
});

describe('opening a listed namespace to ask about it (openFdOn)', () => {
  const infoOf = (ino: number, pids: number[], nsfs: string[] = []): NamespaceInfo => ({
    ino,
    id: `net:[${ino}]`,
    nprocs: pids.length,
    pids,
    pid: pids[0],
    nsfs,
    names: [],
    heldBy: [],
  });

  it('goes through the next holder when the lowest pid has exited, and never takes another namespace for it', async () => {
    const links = new NetnsLinks();
    const first = startNetnsProcess();
    const target = statIno(first.pid)!;
    const name = `lsn-${runTag}-open`;
    const named = NetNamespace.attach(name, first.pid);
    onCleanup(() => {
      named.close();
      if (fs.existsSync(`/run/netns/${name}`)) NetNamespace.delete(name);
    });
    killAndReap(first);
    await untilGone(first.pid);
    const fds = fdCount();
    // The pid is gone: the name still holds the namespace.
    const held = openFdOn(infoOf(target, [first.pid], [`/run/netns/${name}`]), links);
    expect(held).toBeDefined();
    // (An fd opened through a bind mount links to the mount's path, not to
    // net:[INO]: fstat says which namespace it is.)
    expect(fs.fstatSync(held!).ino).toBe(target);
    closeFd(held!);
    // A pid that leads to another namespace now, and nothing else: no fd at all.
    const other = startNetnsProcess();
    expect(statIno(other.pid)).not.toBe(target);
    expect(openFdOn(infoOf(target, [other.pid]), links)).toBeUndefined();
    expect(fdCount()).toBe(fds); // every fd tried and refused was closed
  });
});

describe('listNamespaces() as an unprivileged user', () => {
  it('lists what lsns lists for that user: processes it may not look into are left out, not failed', () => {
    const dir = unprivilegedCopy();
    const script = `
      const { execFileSync } = require('node:child_process');
      const { listNamespaces } = require('./dist/index.js');
      const lsns = () => JSON.parse(execFileSync('lsns', ['-J', '-t', 'net', '-o', 'NS,NPROCS,PID'], { encoding: 'utf8' })).namespaces;
      for (let attempt = 0; attempt < 10; attempt++) {
        const before = lsns(); const ours = listNamespaces(); const after = lsns();
        if (JSON.stringify(before) !== JSON.stringify(after)) continue;
        console.log(JSON.stringify({ lsns: before, ours, own: require('node:fs').statSync('/proc/self/ns/net').ino }));
        process.exit(0);
      }
      console.error('the host never stayed quiet for one comparison'); process.exit(1);`;
    const result = runNode(script, { uid: 65534, cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const { lsns, ours, own } = JSON.parse(result.stdout) as {
      lsns: Array<{ ns: number; nprocs: number; pid: number }>;
      ours: NamespaceInfo[];
      own: number;
    };
    // The premise: nobody cannot see every process (pid 1 is root's).
    expect(fs.existsSync('/proc/1')).toBe(true);
    expect(ours.flatMap((info) => info.pids)).not.toContain(1);
    for (const row of lsns) {
      const mine = ours.find((info) => info.ino === row.ns);
      expect(mine, `namespace ${row.ns}`).toBeDefined();
      // lsns counts itself, in nobody's (our) namespace.
      expect(mine!.nprocs).toBe(row.ns === own ? row.nprocs - 1 : row.nprocs);
      if (row.pid !== null) expect(mine!.pid).toBe(row.pid);
    }
    for (const info of ours) if (info.nprocs > 0) expect(lsns.map((row) => row.ns)).toContain(info.ino);
  });
});

describe('nsids in a listing', () => {
  /** What the listing sent and read: sends, requests sent in all, the most in one send, datagrams read. */
  function traced<T>(action: () => T): { result: T; sends: number; requests: number; most: number; reads: number } {
    const seen = { sends: 0, requests: 0, most: 0, reads: 0 };
    traceExchanges((event, requests) => {
      if (event === 'recv') {
        seen.reads++;
        return;
      }
      seen.sends++;
      seen.requests += requests;
      seen.most = Math.max(seen.most, requests);
    });
    try {
      return { result: action(), ...seen };
    } finally {
      traceExchanges(undefined);
    }
  }

  it('asks no namespace when the observer numbered none, and all in one send with one read each when it has', () => {
    // The observer is the namespace the listing runs in: one of ours, fresh,
    // where no other test or watcher has numbered anything.
    const observerName = `lsn-${runTag}-obs`;
    const observer = NetNamespace.createNamed(observerName);
    onCleanup(() => {
      observer.close();
      if (fs.existsSync(`/run/netns/${observerName}`)) NetNamespace.delete(observerName);
    });
    const held = [startNetnsProcess(), startNetnsProcess(), startNetnsProcess()];

    const unnumbered = traced(() => observer.enter(() => listNamespaces()));
    expect(unnumbered.sends).toBe(1); // the one RTM_GETNSID dump
    expect(unnumbered.requests).toBe(1);
    expect(unnumbered.result.filter((info) => info.nsid !== undefined)).toEqual([]);
    expect(unnumbered.result.length).toBeGreaterThanOrEqual(4);

    const ids = held.map((child) => setNsid({ pid: child.pid }, 'auto', { observer }));
    const numbered = traced(() => observer.enter(() => listNamespaces()));
    const asked = numbered.requests - 1; // after the dump
    expect(asked).toBeGreaterThanOrEqual(held.length);
    // Pipelined: the questions go out many to a datagram (a receive buffer's
    // worth at a time), and each is answered by one datagram (no ack).
    expect(numbered.most).toBeGreaterThanOrEqual(Math.min(asked, 4));
    expect(numbered.sends).toBeLessThanOrEqual(1 + Math.ceil(asked / 4));
    expect(numbered.reads - asked).toBeGreaterThanOrEqual(1); // the dump's answer
    expect(numbered.reads - asked).toBeLessThanOrEqual(2);
    held.forEach((child, i) => {
      expect(numbered.result.find((info) => info.pids.includes(child.pid))?.nsid).toBe(ids[i]);
    });

    // lsns run inside the observer reads the same numbers.
    const rows = JSON.parse(run('ip', ['netns', 'exec', observerName, 'lsns', '-J', '-t', 'net', '-o', 'NS,NETNSID']))
      .namespaces as Array<{ ns: number; netnsid: number | string }>;
    let compared = 0;
    for (const row of rows) {
      const mine = numbered.result.find((info) => info.ino === row.ns);
      if (mine === undefined) continue; // came or went between the two
      expect(String(mine.nsid ?? 'unassigned'), `namespace ${row.ns}`).toBe(String(row.netnsid));
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(held.length);
  });
});
