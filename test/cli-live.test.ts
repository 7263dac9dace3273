// The live subcommands (monitor, wait, nsid) run as a user runs them
// (node dist/cli/main.js), against namespaces and links made with ip and
// checked with ip.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { finished, killAndReap, onCleanup, repoRoot, run, tryRun } from './helpers';
import { addNamedNetns, ipJson, runTag } from './net-helpers';

const main = path.join(repoRoot, 'dist', 'cli', 'main.js');
const name = (suffix: string) => `live-${runTag}-${suffix}`;
const cli = (...args: string[]) => tryRun('node', [main, ...args]);

/** Waits until process `pid` holds a netlink socket bound to multicast groups: it has subscribed. */
async function untilSubscribed(pid: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const inodes = new Set<string>();
    for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (match) inodes.add(match[1]!);
      } catch {
        // closed meanwhile
      }
    }
    // /proc/PID/net/netlink: sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode
    const subscribed = fs
      .readFileSync(`/proc/${pid}/net/netlink`, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .some((fields) => fields[3] !== undefined && fields[3] !== '00000000' && inodes.has(fields[9] ?? ''));
    if (subscribed) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the process never subscribed');
}

describe('netns-native nsid', () => {
  it('set prints the id ip then lists; list -J agrees with ip -j netns list-id', () => {
    const observer = addNamedNetns(name('co'));
    const target = addNamedNetns(name('ct'));
    // Through nsenter, so that the id lands in the observer's table.
    const set = tryRun('nsenter', [`--net=/run/netns/${observer}`, 'node', main, 'nsid', 'set', target, 'auto']);
    expect(set).toMatchObject({ status: 0, stdout: '0' });
    expect(ipJson(observer, ['netns', 'list-id'])).toEqual([{ nsid: 0, name: target }]);
    const listed = cli('nsid', 'list', '-J', observer);
    expect(listed.status).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      { nsid: 0, ino: fs.statSync(`/run/netns/${target}`).ino, names: [target] },
    ]);
    const again = tryRun('nsenter', [`--net=/run/netns/${observer}`, 'node', main, 'nsid', 'set', target, '5']);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already has nsid 0/);
    expect(cli('nsid', 'set', target, 'x').status).toBe(2);
  });
});

describe('netns-native nsid list --target', () => {
  it("prints the target's table as ip netns list-id target-nsid does, with the observer's ids", () => {
    const [observer, target, x] = ['no', 'nt', 'nx'].map((suffix) => addNamedNetns(`l2-${runTag}-${suffix}`));
    run('ip', ['-n', target!, 'netns', 'set', x!, '4']);
    run('ip', ['-n', observer!, 'netns', 'set', target!, '1']);
    run('ip', ['-n', observer!, 'netns', 'set', x!, '2']);
    expect(ipJson(observer, ['netns', 'list-id', 'target-nsid', '1'])).toEqual([
      { nsid: 4, 'current-nsid': 2, name: x },
    ]);
    const ino = fs.statSync(`/run/netns/${x}`).ino;
    const listed = cli('nsid', 'list', '-J', observer!, '--target', target!);
    expect(listed.status).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([{ targetNsid: 4, nsid: 2, ino, names: [x] }]);
    const table = cli('nsid', 'list', observer!, '--target', target!);
    expect(table.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^TARGET-NSID +NSID +NS +NAMES$/),
      expect.stringMatching(new RegExp(`^ +4 +2 +net:\\[${ino}\\] +${x}$`)),
    ]);
    // The other way round, the observer has no id for it: refused, nothing assigned.
    const refused = cli('nsid', 'list', target!, '--target', observer!);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/ENOENT: the observer has given the target no nsid/);
    expect(ipJson(target, ['netns', 'list-id'])).toEqual([{ nsid: 4, name: x }]);
    expect(cli('nsid', 'set', x!, 'auto', '--target', target!).status).toBe(2);
  });
});

describe('netns-native wait', () => {
  it('exits 1 with the last state on timeout, 0 once the link is up', async () => {
    const ns = addNamedNetns(name('cw'));
    const timedOut = cli('wait', 'link', ns, 'lo', '--up', '--timeout', '0.2');
    expect(timedOut.status).toBe(1);
    expect(timedOut.stderr).toMatch(/lo exists, down, no carrier/);
    const child = spawn('node', [main, 'wait', 'link', ns, 'cw0', '--up', '--timeout', '20'], { stdio: 'pipe' });
    onCleanup(() => killAndReap(child));
    const done = finished(child);
    await untilSubscribed(child.pid!);
    run('ip', ['-n', ns, 'link', 'add', 'cw0', 'type', 'bridge']);
    run('ip', ['-n', ns, 'link', 'set', 'cw0', 'up']);
    expect((await done).code).toBe(0);
    expect(cli('wait', 'netns', ns).status).toBe(0);
    expect(cli('wait', 'sideways').status).toBe(2);
  });
});

describe('netns-native wait veth', () => {
  it('exits 1 with the last state on timeout, 0 with the peer once the pair is made', async () => {
    const a = addNamedNetns(`l2-${runTag}-cva`);
    const b = addNamedNetns(`l2-${runTag}-cvb`);
    const timedOut = cli('wait', 'veth', a, 'l2-va', '--timeout', '0.2');
    expect(timedOut.status).toBe(1);
    expect(timedOut.stderr).toMatch(new RegExp(`l2-va does not exist in ${a}`));
    const child = spawn('node', [main, 'wait', 'veth', a, 'l2-va', '--timeout', '20'], { stdio: 'pipe' });
    onCleanup(() => killAndReap(child));
    const done = finished(child);
    await untilSubscribed(child.pid!);
    run('ip', ['-n', a, 'link', 'add', 'l2-va', 'type', 'veth', 'peer', 'name', 'l2-vb', 'netns', b]);
    const { code, stdout } = await done;
    expect(code).toBe(0);
    const inB = ipJson<Array<{ ifindex: number }>>(b, ['link', 'show', 'l2-vb'])[0]!;
    expect(stdout.trim()).toBe(`peer l2-vb ifindex ${inB.ifindex} in net:[${fs.statSync(`/run/netns/${b}`).ino}] ${b}`);
  });
});

describe('netns-native monitor', () => {
  it('prints a JSON line per event, labelled with the namespace, until interrupted', async () => {
    const ns = addNamedNetns(name('cm'));
    const child = spawn('node', [main, 'monitor', '-J', ns, 'link'], { stdio: 'pipe' });
    onCleanup(() => killAndReap(child));
    const done = finished(child);
    await untilSubscribed(child.pid!);
    const lines: string[] = [];
    child.stdout.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
    // Subscribed is not ready: the watcher still gives the namespace an nsid and
    // reads what exists, silently (a link made meanwhile is part of that). So
    // a bridge is added every half second until one of them is printed.
    const printed = (name: string) => lines.join('').includes(`"${name}"`);
    let made = '';
    for (let i = 0; i < 100 && !(made !== '' && printed(made)); i++) {
      if (i % 5 === 0) {
        made = `cm${i / 5}`;
        run('ip', ['-n', ns, 'link', 'add', made, 'type', 'bridge']);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(printed(made), `no event printed for ${made}`).toBe(true);
    child.kill('SIGINT');
    expect((await done).code).toBe(0);
    const events = lines
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    const event = events.find((e) => e.link?.name === made);
    expect(event).toMatchObject({
      kind: 'link',
      action: 'add',
      netns: { ino: fs.statSync(`/run/netns/${ns}`).ino, name: ns },
      link: { ifindex: ipJson<Array<{ ifindex: number }>>(ns, ['link', 'show', made])[0]!.ifindex, kind: 'bridge' },
    });
  });
});
