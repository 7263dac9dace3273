// The examples, run as a user runs them (`node examples/X.mjs`, the package
// resolved by its own name from the built dist/): they exit 0, say that every
// address answered their TCP round trips (no `ping` needed), and leave nothing
// behind: no name in /run/netns, no link in the host namespace, no nsfs
// mount, no process. The --keep modes stay up until Ctrl-C (SIGINT to the
// process group) or SIGTERM, then tear down, exiting 128 + the signal's number
// as a shell would report it. The demo ends within its deadline, or says where
// it was stuck and exits 1.
//
// The examples use fixed names (demo-*, lab-*): a run fails loudly, before
// starting anything, if one of them exists already.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NetNamespace, listNamespaces } from '../lib/index';
import { finished, onCleanup, repoRoot, run, tryRun } from './helpers';
import { type IpLink, expectTcpAcross, ipJson } from './net-helpers';

const DEMO_NAMES = ['demo-left', 'demo-right'];
const LAB_NAMES = ['lab-router', 'lab-red', 'lab-green', 'lab-blue'];

interface HostState {
  /** Entries of /run/netns. */
  names: string[];
  /** `ifindex:ifname` of every link of the host namespace, as `ip -j link` lists them. */
  links: string[];
  /** Mount points of nsfs mounts, as this (the host's) mount namespace sees them. */
  nsfsMounts: string[];
}

function hostState(): HostState {
  const names = fs.existsSync('/run/netns') ? fs.readdirSync('/run/netns').sort() : [];
  const links = ipJson<IpLink[]>(undefined, ['link'])
    .map((link) => `${link.ifindex}:${link.ifname}`)
    .sort();
  // mountinfo: "... mount-point options [optional...] - fstype source super-options"
  const nsfsMounts = fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .filter((line) => line.split(' - ')[1]?.split(' ')[0] === 'nsfs')
    .map((line) => line.split(' ')[4])
    .sort();
  return { names, links, nsfsMounts };
}

/** Every live process whose process group is `pgid`, as `pid command`. */
function processGroup(pgid: number): string[] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        const [state, , pgrp] = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
        if (Number(pgrp) !== pgid || state === 'Z' || state === 'X') return [];
        return [`${pid} ${stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))}`];
      } catch {
        return []; // exited meanwhile
      }
    });
}

/** Every live process whose network namespace is one of `inodes`, as `pid command`. */
function processesIn(inodes: readonly number[]): string[] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        const inode = fs.statSync(`/proc/${pid}/ns/net`).ino;
        if (!inodes.includes(inode)) return [];
        return [`${pid} ${fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim()}`];
      } catch {
        return [];
      }
    });
}

interface Started {
  child: ChildProcess & { pid: number };
  /** Resolves when it has exited and its output is closed. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  /** Its stdout so far. */
  output(): string;
}

/**
 * Starts `node examples/SCRIPT ...args` in a process group of its own (so
 * that, as a terminal's Ctrl-C, a signal can reach it and its children),
 * after checking that none of the names it makes is taken. On the way out,
 * whatever happened: the group is killed and any of `names` that this run
 * left behind is deleted.
 */
function startExample(
  script: string,
  args: string[],
  names: readonly string[],
  before: HostState,
  env: NodeJS.ProcessEnv = {},
): Started {
  if (!fs.existsSync(path.join(repoRoot, 'dist', 'index.mjs'))) {
    throw new Error('the examples import the built package: run `npm run build:ts` first');
  }
  const taken = names.filter((name) => before.names.includes(name));
  if (taken.length > 0)
    throw new Error(`${names.join(', ')} must be free to run ${script}; taken: ${taken.join(', ')}`);
  const child = spawn(process.execPath, [path.join('examples', script), ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${script}`);
  const pgid = child.pid;
  onCleanup(() => {
    for (const name of names) if (fs.existsSync(`/run/netns/${name}`)) tryRun('ip', ['netns', 'delete', name]);
  });
  onCleanup(() => {
    // Only a group that still has members: an empty one's id may be anyone's by now.
    if (processGroup(pgid).length > 0) process.kill(-pgid, 'SIGKILL');
  });
  let stdout = '';
  child.stdout!.on('data', (chunk) => {
    stdout += chunk;
  });
  const closed = finished(child);
  const done = closed.then((result) => ({ ...result, signal: child.signalCode }));
  return { child: child as ChildProcess & { pid: number }, done, output: () => stdout };
}

/** Rejects (with what it said) if the example has not finished within `ms`. */
async function within<T>(promise: Promise<T>, ms: number, started: Started): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no exit within ${ms} ms; stdout so far:\n${started.output()}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until the example's stdout matches `ready` (on its output, not by polling); fails if it exits first. */
async function untilSays(started: Started, ready: RegExp, ms = 20_000): Promise<void> {
  const stdout = started.child.stdout!;
  let onData = () => {};
  let onClose = () => {};
  const said = new Promise<void>((resolve, reject) => {
    onData = () => {
      if (ready.test(started.output())) resolve();
    };
    onClose = () => reject(new Error(`exited before saying ${ready}:\n${started.output()}`));
    stdout.on('data', onData);
    started.child.once('close', onClose);
    onData(); // said already
  });
  try {
    await within(said, ms, started);
  } finally {
    stdout.off('data', onData);
    started.child.off('close', onClose);
  }
}

/**
 * Waits until the example's main thread sleeps in epoll_wait with nothing
 * left to do but wait for a signal: what keeps a --keep mode up, seen from
 * outside (/proc/PID/wchan), instead of a guess that some time is enough.
 */
async function untilIdle(started: Started, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  const wchan = () => {
    try {
      return fs.readFileSync(`/proc/${started.child.pid}/wchan`, 'utf8');
    } catch {
      return 'gone';
    }
  };
  while (wchan() !== 'do_epoll_wait') {
    if (started.child.exitCode !== null) throw new Error(`exited (${started.child.exitCode}) instead of waiting`);
    if (Date.now() > deadline) throw new Error(`not idle within ${ms} ms (wchan ${wchan()})`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The names an example makes: its namespaces, and the links it wires (none of them in the host namespace). */
interface Own {
  names: readonly string[];
  links: readonly string[];
}
const DEMO_OWN: Own = { names: DEMO_NAMES, links: ['veth-left', 'veth-right'] };
const LAB_OWN: Own = { names: LAB_NAMES, links: ['eth0', 'port-red', 'port-green', 'port-blue', 'br0'] };

/**
 * Nothing of the run is left: its process group is empty, and none of its
 * names is in /run/netns or mounted there, and no link of its names is in the
 * host namespace that was not there before. Asked of the example's own names
 * only: other tests on this host make and delete their own meanwhile.
 */
async function expectNothingLeft(before: HostState, pgid: number, own: Own): Promise<void> {
  expect(processGroup(pgid), "processes left in the example's process group").toEqual([]);
  const now = hostState();
  expect(
    now.names.filter((name) => own.names.includes(name)),
    'names left in /run/netns',
  ).toEqual([]);
  expect(
    now.nsfsMounts.filter((point) => own.names.some((name) => point.endsWith(`/${name}`))),
    'nsfs mounts left',
  ).toEqual([]);
  expect(
    now.links.filter((link) => !before.links.includes(link) && own.links.includes(link.split(':')[1])),
    'links left in the host namespace',
  ).toEqual([]);
}

/**
 * The demo's two namespaces (ids from its step 2) are gone: its process
 * group is empty, and nothing holds them any more: no process is in them or
 * has an fd or a socket of theirs (listNamespaces scans every one), and no
 * nsfs mount is of them. Asked of exactly those namespaces, so other tests
 * making and deleting their own meanwhile cannot disturb it.
 */
function expectDemoGone(stdout: string, pgid: number): void {
  const step2 = /^2\. two new namespaces, held only by their handles: red net:\[(\d+)\], blue net:\[(\d+)\]$/m.exec(
    stdout,
  );
  expect(step2, `step 2 names the namespaces:\n${stdout}`).not.toBeNull();
  const inodes = [Number(step2![1]), Number(step2![2])];
  expect(processGroup(pgid), "processes left in the demo's process group").toEqual([]);
  const held = listNamespaces({ fdHolders: true, socketHolders: true }).filter((info) => inodes.includes(info.ino));
  expect(held, "the demo's namespaces still held").toEqual([]);
  const mounts = fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((line) => inodes.some((ino) => line.split(' ')[3] === `net:[${ino}]`));
  expect(mounts, "nsfs mounts of the demo's namespaces").toEqual([]);
}

/** Opens two of the example's named namespaces for a check of our own; closed again before the example ends. */
function openNamed(name: string): { ns: NetNamespace; name: string } {
  const ns = NetNamespace.fromName(name);
  onCleanup(() => ns.close());
  return { ns, name };
}

describe('examples, run as a user runs them', () => {
  it('demo.mjs: every step, a TCP answer from blue, and nothing left', async () => {
    const before = hostState();
    const started = startExample('demo.mjs', [], [], before);
    const { code, signal, stdout, stderr } = await within(started.done, 60_000, started);
    expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: '' });
    const blue = /^2\. two new namespaces, held only by their handles: red net:\[\d+\], blue (net:\[\d+\])$/m.exec(
      stdout,
    );
    expect(blue, stdout).not.toBeNull();
    expect(stdout).toMatch(/^ {3}and back in net:\[\d+\] \(where it started\)$/m);
    expect(stdout).toContain(`5. red connected to 10.99.0.2 across the veth; blue ${blue![1]} answered in `);
    expect(stdout).toMatch(/^7\. closed the handles/m);
    expectDemoGone(stdout, started.child.pid);
  });

  it('demo.mjs: past its deadline it says where it was stuck and exits 1, leaving nothing', async () => {
    const before = hostState();
    // 1 ms: the deadline passes at the first wait on the event loop, whatever the machine's speed.
    const started = startExample('demo.mjs', [], [], before, { DEMO_DEADLINE_MS: '1' });
    const { code, signal, stdout, stderr } = await within(started.done, 30_000, started);
    expect({ code, signal }).toEqual({ code: 1, signal: null });
    expect(stderr).toMatch(/^demo: not done within 1 ms, stuck at: [^\n]+$/); // one line
    expect(stdout).not.toMatch(/^7\./m);
    expectDemoGone(stdout, started.child.pid);
  });

  it('two-namespaces.mjs: TCP across the veth pair over IPv4 and IPv6 is answered, and nothing is left', async () => {
    const before = hostState();
    const started = startExample('two-namespaces.mjs', [], DEMO_NAMES, before);
    const { code, signal, stdout, stderr } = await within(started.done, 20_000, started);
    expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: '' });
    expect(stdout).toMatch(
      /^veth pair: veth-left \(ifindex \d+\) in net:\[\d+\] <-> veth-right \(ifindex \d+\) in net:\[\d+\]$/m,
    );
    expect(stdout).toMatch(/^demo-left veth-left: 10\.200\.0\.1\/24 \(global\)$/m);
    expect(stdout).toMatch(/^demo-left veth-left: fd00:200::1\/64 \(global\)$/m);
    expect(stdout).toMatch(/^TCP from demo-left to demo-right at 10\.200\.0\.2: answered in [\d.]+ ms$/m);
    expect(stdout).toMatch(/^TCP from demo-left to demo-right at fd00:200::2: answered in [\d.]+ ms$/m);
    expect(stdout).toMatch(/^demo-right answered over IPv4 and IPv6$/m);
    expect(stdout).not.toMatch(/are up/); // without --keep it ends by itself
    await expectNothingLeft(before, started.child.pid, DEMO_OWN);
  });

  it("bridge-lab.mjs: every host reaches the others, the bridge and the router's lo, and nothing is left", async () => {
    const before = hostState();
    const started = startExample('bridge-lab.mjs', [], LAB_NAMES, before);
    const { code, signal, stdout, stderr } = await within(started.done, 30_000, started);
    expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: '' });
    expect(stdout).toMatch(
      /^lab-router: br0 10\.10\.0\.1\/24 with ports port-(red|green|blue), port-(red|green|blue), port-(red|green|blue)$/m,
    );
    expect(stdout).toMatch(/^lab-red: eth0 10\.10\.0\.11\/24, default via 10\.10\.0\.1 dev eth0$/m);
    // Each of 3 hosts reaches the 2 others, the bridge and the router's lo.
    expect(stdout.match(/^ {2}lab-\w+ -> [\d.]+ \(.*\): ok, [\d.]+ ms$/gm)).toHaveLength(12);
    expect(stdout).not.toMatch(/FAILED/);
    expect(stdout).toMatch(/^every address answered$/m);
    expect(stdout).not.toMatch(/the lab is up/); // without --keep it ends by itself
    await expectNothingLeft(before, started.child.pid, LAB_OWN);
  });

  const KEEP = [
    {
      script: 'two-namespaces.mjs',
      names: DEMO_NAMES,
      own: DEMO_OWN,
      up: /^the namespaces are up/m,
      // From outside the example: our own round trip across its veth pair.
      across: [['demo-left', 'demo-right', '10.200.0.2']],
      shown: ['demo-left', 'veth-left'],
    },
    {
      script: 'bridge-lab.mjs',
      names: LAB_NAMES,
      own: LAB_OWN,
      up: /^the lab is up/m,
      across: [
        ['lab-red', 'lab-blue', '10.10.0.13'],
        ['lab-green', 'lab-router', '192.0.2.1'],
      ],
      shown: ['lab-router', 'br0'],
    },
  ] as const;
  const SIGNALS = [
    ['Ctrl-C (SIGINT to its process group)', 'SIGINT', true],
    ['SIGTERM to the process', 'SIGTERM', false],
  ] as const;

  it.each(KEEP.flatMap((example) => SIGNALS.map((how) => [example.script, ...how, example] as const)))(
    '%s --keep: stays up, reachable from outside, until %s; then torn down, exiting 128 + the signal number',
    async (script, _how, signal, toGroup, example) => {
      const before = hostState();
      const started = startExample(script, ['--keep'], example.names, before);
      await untilSays(started, example.up);
      // The premise: it is up, seen from outside, and it waits for nothing but a signal.
      await untilIdle(started);
      expect(started.child.exitCode, 'it ended by itself in --keep mode').toBeNull();
      const listed = run('ip', ['netns', 'ls'])
        .split('\n')
        .map((line) => line.split(' ')[0]);
      expect(listed, 'its namespaces in `ip netns ls`').toEqual(expect.arrayContaining([...example.names]));
      const inodes = example.names.map((name) => fs.statSync(`/run/netns/${name}`).ino);
      const [where, link] = example.shown;
      expect(run('ip', ['-n', where, '-j', 'link', 'show', link])).toContain(`"ifname":"${link}"`);
      for (const [from, to, address] of example.across) {
        const ends = [openNamed(from), openNamed(to)];
        try {
          await expectTcpAcross(ends[0], ends[1], address);
        } finally {
          for (const end of ends) end.ns.close(); // ours must not keep its namespaces alive
        }
      }

      process.kill(toGroup ? -started.child.pid : started.child.pid, signal);
      const { code, signal: killedBy, stderr } = await within(started.done, 10_000, started);
      expect({ code, killedBy, stderr }).toEqual({
        code: 128 + os.constants.signals[signal],
        killedBy: null,
        stderr: '',
      });
      await expectNothingLeft(before, started.child.pid, example.own);
      expect(processesIn(inodes), 'processes still in its namespaces').toEqual([]);
    },
  );
});
