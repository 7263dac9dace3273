// Waits (lib/watch/waits.ts, namespace-wait.ts): each is started before the
// change it waits for (premise checked with ip), the change is made with ip,
// and a timeout's error is shown to carry the last state seen.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WaitTimeoutError, waitForAddress, waitForLink, waitForNamespace } from '../lib/index';
import { onCleanup, run, tryRun } from './helpers';
import { addNamedNetns, ipBatch, ipJson, runTag } from './net-helpers';

const name = (suffix: string) => `live-${runTag}-${suffix}`;

interface IpAddr {
  ifname: string;
  addr_info: Array<{ local: string; tentative?: boolean; dadfailed?: boolean }>;
}
const ipAddressOf = (ns: string, ifname: string, address: string) =>
  ipJson<IpAddr[]>(ns, ['addr', 'show', 'dev', ifname])[0]?.addr_info.find((info) => info.local === address);

/** va in `a`, vb in `b`: a veth pair made with ip, both down. */
function vethBetween(a: string, b: string): void {
  run('ip', ['-n', a, 'link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb', 'netns', b]);
}

describe('waitForLink', () => {
  it('resolves when a link that did not exist yet comes up', async () => {
    const ns = addNamedNetns(name('wl'));
    expect(tryRun('ip', ['-n', ns, 'link', 'show', 'wl0']).status).not.toBe(0); // premise: not there
    const waiting = waitForLink(ns, 'wl0', { state: 'up', timeout: 10_000 });
    ipBatch(ns, ['link add wl0 type bridge', 'link set wl0 up']);
    const link = await waiting;
    expect(link).toMatchObject({ name: 'wl0', up: true });
    expect(link?.ifindex).toBe(ipJson<Array<{ ifindex: number }>>(ns, ['link', 'show', 'wl0'])[0]!.ifindex);
  });

  it('waits for absence, and for carrier across a veth', async () => {
    const a = addNamedNetns(name('wca'));
    const b = addNamedNetns(name('wcb'));
    vethBetween(a, b);
    run('ip', ['-n', a, 'link', 'set', 'va', 'up']);
    const carrier = waitForLink(a, 'va', { state: 'carrier', timeout: 10_000 });
    run('ip', ['-n', b, 'link', 'set', 'vb', 'up']);
    expect((await carrier)?.flags).toContain('LOWER_UP');
    const gone = waitForLink(b, 'vb', { state: 'absent', timeout: 10_000 });
    run('ip', ['-n', a, 'link', 'del', 'va']);
    expect(await gone).toBeUndefined();
  });

  it('times out with the last state seen', async () => {
    const ns = addNamedNetns(name('wt'));
    const failure = await waitForLink(ns, 'lo', { state: 'carrier', timeout: 200 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WaitTimeoutError);
    expect((failure as WaitTimeoutError).lastState).toBe('lo exists, down, no carrier');
    expect((failure as Error).message).toMatch(/timed out after 200 ms waiting for lo to be carrier: lo exists, down/);
  });

  it('rejects on abort and refuses bad input', async () => {
    const ns = addNamedNetns(name('wa'));
    const controller = new AbortController();
    const waiting = waitForLink(ns, 'nothere', { signal: controller.signal });
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    await expect(waitForLink(ns, 'a/b')).rejects.toThrow(TypeError);
    await expect(waitForLink(ns, 'lo', { state: 'sideways' as never })).rejects.toThrow(TypeError);
    await expect(waitForLink(ns, 'lo', { timeout: -1 })).rejects.toThrow(RangeError);
  });
});

describe('waitForAddress', () => {
  it('an IPv6 address without carrier stays tentative and the wait says so; with carrier it settles', async () => {
    const a = addNamedNetns(name('da'));
    const b = addNamedNetns(name('db'));
    vethBetween(a, b);
    ipBatch(a, ['link set va up', 'addr add 2001:db8:17::1/64 dev va']);
    // Premise: no carrier (vb is down), so DAD has not ended.
    expect(ipAddressOf(a, 'va', '2001:db8:17::1')?.tentative).toBe(true);
    const failure = await waitForAddress(a, {
      ifname: 'va',
      address: '2001:db8:17::1',
      settled: true,
      timeout: 300,
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WaitTimeoutError);
    expect((failure as WaitTimeoutError).lastState).toBe(
      '2001:db8:17::1 on va is tentative (va exists, up, no carrier: DAD waits for carrier)',
    );
    const settling = waitForAddress(a, { ifname: 'va', address: '2001:db8:17::1/64', settled: true, timeout: 15_000 });
    run('ip', ['-n', b, 'link', 'set', 'vb', 'up']);
    const address = await settling;
    expect(address.flags).not.toContain('tentative');
    expect(ipAddressOf(a, 'va', '2001:db8:17::1')?.tentative).toBeUndefined();
  });

  it('a failed DAD rejects at once', async () => {
    const a = addNamedNetns(name('fa'));
    const b = addNamedNetns(name('fb'));
    vethBetween(a, b);
    ipBatch(b, ['link set vb up', 'addr add 2001:db8:18::1/64 dev vb']);
    run('ip', ['-n', a, 'link', 'set', 'va', 'up']);
    await waitForAddress(b, { ifname: 'vb', address: '2001:db8:18::1', settled: true, timeout: 15_000 });
    const waiting = waitForAddress(a, { ifname: 'va', address: '2001:db8:18::1', settled: true, timeout: 15_000 });
    run('ip', ['-n', a, 'addr', 'add', '2001:db8:18::1/64', 'dev', 'va']);
    await expect(waiting).rejects.toThrow(/duplicate address detection failed for 2001:db8:18::1 on va/);
    expect(ipAddressOf(a, 'va', '2001:db8:18::1')?.dadfailed).toBe(true);
  });

  it('resolves for any IPv4 address at once and refuses a bad address', async () => {
    const ns = addNamedNetns(name('v4'));
    ipBatch(ns, ['link add b4 type bridge']);
    const waiting = waitForAddress(ns, { ifname: 'b4', timeout: 10_000 });
    run('ip', ['-n', ns, 'addr', 'add', '10.79.0.1/24', 'dev', 'b4']);
    expect(await waiting).toMatchObject({ address: '10.79.0.1', prefixLength: 24, name: 'b4' });
    await expect(waitForAddress(ns, { ifname: 'b4', address: '10.79.0' })).rejects.toThrow(TypeError);
  });
});

describe('waitForNamespace', () => {
  it('resolves when the name appears (mounted), and when it goes', async () => {
    const ns = name('wn');
    onCleanup(() => void tryRun('ip', ['netns', 'delete', ns]));
    expect(tryRun('ip', ['netns', 'pids', ns]).status).not.toBe(0); // premise: no such namespace
    const appearing = waitForNamespace(ns, { timeout: 10_000 });
    run('ip', ['netns', 'add', ns]);
    await appearing;
    const going = waitForNamespace(ns, { present: false, timeout: 10_000 });
    run('ip', ['netns', 'delete', ns]);
    await going;
  });

  it('resolves when the run dir itself is made only after the wait started', async () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'live-run-'));
    const runDir = path.join(parent, 'netns');
    const file = path.join(runDir, 'wn');
    onCleanup(() => {
      tryRun('umount', [file]);
      fs.rmSync(parent, { recursive: true, force: true });
    });
    const appearing = waitForNamespace('wn', { runDir, timeout: 10_000 });
    await new Promise((resolve) => setImmediate(resolve)); // the wait has looked: nothing there
    fs.mkdirSync(runDir);
    fs.writeFileSync(file, '');
    run('unshare', [`--net=${file}`, 'true']); // a namespace, bound onto the file
    expect(fs.statfsSync(file).type).toBe(0x6e736673); // premise: nsfs there
    await appearing;
  });

  it('times out saying it does not exist', async () => {
    const failure = await waitForNamespace(name('never'), { timeout: 100 }).catch((error: unknown) => error);
    expect((failure as WaitTimeoutError).lastState).toBe('it does not exist');
  });
});
