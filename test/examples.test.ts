// The wiring examples, run as a user runs them (`node examples/X.mjs`, the
// package resolved by its own name from the built dist/): they exit 0, say
// their pings were answered, and leave nothing behind: no name in /run/netns,
// no link in the host namespace, no nsfs mount, no process. bridge-lab's
// --keep mode is torn down by Ctrl-C (SIGINT to its process group) and by
// SIGTERM, exiting 128 + the signal's number as a shell would report it.
//
// The examples use fixed names (demo-*, lab-*): a run fails loudly, before
// starting anything, if one of them exists already.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { finished, onCleanup, repoRoot, run, tryRun } from './helpers';
import { type IpLink, ipJson } from './net-helpers';

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
function startExample(script: string, args: string[], names: readonly string[], before: HostState): Started {
  if (!fs.existsSync(path.join(repoRoot, 'dist', 'index.mjs'))) {
    throw new Error('the examples import the built package: run `npm run build:ts` first');
  }
  const taken = names.filter((name) => before.names.includes(name));
  if (taken.length > 0)
    throw new Error(`${names.join(', ')} must be free to run ${script}; taken: ${taken.join(', ')}`);
  const child = spawn(process.execPath, [path.join('examples', script), ...args], {
    cwd: repoRoot,
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

/** Waits until the example's stdout matches `ready`; fails if it exits first or takes too long. */
async function untilSays(started: Started, ready: RegExp, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready.test(started.output())) {
    if (started.child.exitCode !== null || started.child.signalCode !== null) {
      throw new Error(
        `exited (${started.child.exitCode ?? started.child.signalCode}) before saying ${ready}:\n${started.output()}`,
      );
    }
    if (Date.now() > deadline) throw new Error(`did not say ${ready} within ${ms} ms:\n${started.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const KINDS = ['names', 'links', 'nsfsMounts'] as const;

/**
 * What is on the host now and was not `before`, by kind. Other sessions may
 * be testing on this host meanwhile, making and deleting namespaces and
 * links of their own: what the example left is there for good (nothing else
 * would delete it), so only what stays for 2 s of samples is counted.
 */
async function newSince(before: HostState): Promise<HostState> {
  const fresh = (): HostState => {
    const now = hostState();
    return Object.fromEntries(
      KINDS.map((kind) => [kind, now[kind].filter((entry) => !before[kind].includes(entry))]),
    ) as unknown as HostState;
  };
  const persisting = fresh();
  for (
    const deadline = Date.now() + 2000;
    KINDS.some((kind) => persisting[kind].length > 0) && Date.now() < deadline;
  ) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = fresh();
    for (const kind of KINDS) persisting[kind] = persisting[kind].filter((entry) => now[kind].includes(entry));
  }
  return persisting;
}

/** No name, link or nsfs mount of the run is left on the host. */
async function expectHostAsBefore(before: HostState): Promise<void> {
  const left = await newSince(before);
  expect(left.names, 'names left in /run/netns').toEqual([]);
  expect(left.links, 'links left in the host namespace').toEqual([]);
  expect(left.nsfsMounts, 'nsfs mounts left').toEqual([]);
}

/** Nothing of the run is left: the host looks as it did before, and its process group is empty. */
async function expectNothingLeft(before: HostState, pgid: number): Promise<void> {
  expect(processGroup(pgid), "processes left in the example's process group").toEqual([]);
  await expectHostAsBefore(before);
}

describe('examples, run as a user runs them', () => {
  it('two-namespaces.mjs: a ping across the veth pair is answered, and nothing is left', async () => {
    const before = hostState();
    const started = startExample('two-namespaces.mjs', [], DEMO_NAMES, before);
    const { code, signal, stdout, stderr } = await within(started.done, 20_000, started);
    expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: '' });
    expect(stdout).toMatch(
      /^veth pair: veth-left \(ifindex \d+\) in net:\[\d+\] <-> veth-right \(ifindex \d+\) in net:\[\d+\]$/m,
    );
    expect(stdout).toMatch(/^demo-left veth-left: 10\.200\.0\.1\/24 \(global\)$/m);
    expect(stdout).toMatch(/^3 packets transmitted, 3 received, 0% packet loss/m);
    expect(stdout).toMatch(/^ping from demo-left to demo-right: ok$/m);
    await expectNothingLeft(before, started.child.pid);
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
    // Each of 3 hosts pings the 2 others, the bridge and the router's lo.
    expect(stdout.match(/^ {2}lab-\w+ -> [\d.]+ \(.*\): ok, [\d.]+ ms$/gm)).toHaveLength(12);
    expect(stdout).not.toMatch(/FAILED/);
    expect(stdout).toMatch(/^every ping answered$/m);
    expect(stdout).not.toMatch(/the lab is up/); // without --keep it ends by itself
    await expectNothingLeft(before, started.child.pid);
  });

  it.each([
    ['Ctrl-C (SIGINT to its process group)', 'SIGINT', true],
    ['SIGTERM to the process', 'SIGTERM', false],
  ] as const)(
    'bridge-lab.mjs --keep: torn down by %s, exiting 128 + the signal number',
    async (_how, signal, toGroup) => {
      const before = hostState();
      const started = startExample('bridge-lab.mjs', ['--keep'], LAB_NAMES, before);
      await untilSays(started, /^the lab is up/m);
      // The premise: the lab really is up, seen from outside, and it stays up while nobody signals it.
      const listed = run('ip', ['netns', 'ls'])
        .split('\n')
        .map((line) => line.split(' ')[0]);
      expect(listed, "the lab's namespaces in `ip netns ls`").toEqual(expect.arrayContaining(LAB_NAMES));
      const inodes = LAB_NAMES.map((name) => fs.statSync(`/run/netns/${name}`).ino);
      expect(run('ip', ['-n', 'lab-router', '-j', 'link', 'show', 'br0'])).toMatch(/"ifname":"br0"/);
      expect(started.output()).toMatch(/^every ping answered$/m);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(started.child.exitCode, 'the lab ended by itself in --keep mode').toBeNull();
      expect(hostState().names).toEqual(expect.arrayContaining(LAB_NAMES));

      process.kill(toGroup ? -started.child.pid : started.child.pid, signal);
      const { code, signal: killedBy, stderr } = await within(started.done, 10_000, started);
      expect({ code, killedBy, stderr }).toEqual({
        code: 128 + os.constants.signals[signal],
        killedBy: null,
        stderr: '',
      });
      await expectNothingLeft(before, started.child.pid);
      expect(processesIn(inodes), "processes still in the lab's namespaces").toEqual([]);
    },
  );

  it('two-namespaces.mjs: Ctrl-C during the ping (SIGINT to its process group) tears it down', async () => {
    const before = hostState();
    const started = startExample('two-namespaces.mjs', [], DEMO_NAMES, before);
    // The script runs without a break from here to starting the ping: the signal is handled while ping runs.
    await untilSays(started, /^demo-left veth-left: 10\.200\.0\.1\/24/m);
    expect(hostState().names, "the demo's namespaces before the signal").toEqual(expect.arrayContaining(DEMO_NAMES));
    process.kill(-started.child.pid, 'SIGINT');
    const { code, signal, stdout, stderr } = await within(started.done, 10_000, started);
    // The premise: the signal came before the ping had sent its 3 packets.
    expect(stdout, 'the signal came before the ping ended').not.toMatch(/^3 packets transmitted/m);
    // The ping gets the SIGINT too, and stops with its statistics (exit 0 once it had an
    // answer). Which node sees first, that exit or its own SIGINT, is the kernel's choice:
    // either the handler ends the script (130), or the script reports the ping and ends (0).
    if (code === 0) expect(stdout).toMatch(/^ping from demo-left to demo-right: ok$/m);
    else expect(code).toBe(130);
    expect({ signal, stderr }).toEqual({ signal: null, stderr: '' });
    // Either way, its exit handler took everything down.
    await expectNothingLeft(before, started.child.pid);
  });

  it('two-namespaces.mjs: SIGTERM during the ping tears the namespaces down, exiting 143', async () => {
    const before = hostState();
    const started = startExample('two-namespaces.mjs', [], DEMO_NAMES, before);
    await untilSays(started, /^demo-left veth-left: 10\.200\.0\.1\/24/m);
    expect(hostState().names, "the demo's namespaces before the signal").toEqual(expect.arrayContaining(DEMO_NAMES));
    process.kill(started.child.pid, 'SIGTERM');
    const { code, signal, stdout, stderr } = await within(started.done, 10_000, started);
    expect({ code, signal, stderr }).toEqual({ code: 143, signal: null, stderr: '' });
    expect(stdout, 'the signal came before the ping ended').not.toMatch(/^3 packets transmitted/m);
    // A SIGTERM reaches the script only, not the ping it started (Ctrl-C reaches both): the
    // example ends the ping itself before it deletes the namespaces.
    await expectNothingLeft(before, started.child.pid);
  });
});
