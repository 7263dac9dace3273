// A veth pair made with its ends up (`ip link add A up type veth peer name B
// netns NS`, then `ip -n NS link set B up`), by createVeth and in a batch: every end's state is read back
// with `ip -j link` / `ip -n NS -j link`; bad input is refused before
// anything is made. The kernel refuses to create a veth peer up (ENOTCONN,
// shown here with ip itself), so one end is created up and the other set up.
import { describe, expect, it } from 'vitest';
import { NetNamespace, createVeth } from '../lib/index';
import { createVethRequest } from '../lib/rtnl/link-codec';
import { onCleanup, run, tryRun } from './helpers';
import { ipLink, ipLinks, lab } from './wire-helpers';

let counter = 0;

/** A link name for the host namespace (this helper's prefix), deleted after the test if still there. */
function hostName(): string {
  const name = `vu${process.pid % 100000}h${++counter}`;
  onCleanup(() => {
    if (tryRun('ip', ['link', 'show', name]).status === 0) run('ip', ['link', 'del', name]);
  });
  return name;
}

/** Whether ip shows the link administratively up (`UP` among its flags); throws if it does not exist. */
function isUp(ns: string | undefined, ifname: string): boolean {
  const link = ipLink(ns, ifname);
  if (link === undefined) throw new Error(`ip shows no ${ifname} in ${ns ?? 'the host'}`);
  return link.flags.includes('UP');
}

const names = (ns?: string) => ipLinks(ns).map((link) => link.ifname);

describe('veth ends created up', () => {
  it('the kernel refuses a veth peer created up (why the peer is set up by a second request)', () => {
    const a = lab('vu');
    const made = tryRun('ip', ['-n', a.name, 'link', 'add', 'v0', 'up', 'type', 'veth', 'peer', 'name', 'v1', 'up']);
    expect(made.status).not.toBe(0);
    expect(made.stderr).toMatch(/not connected/);
    expect(names(a.name)).not.toContain('v0');
    expect(() => createVethRequest(1, { name: 'v0' }, { name: 'v1', up: true })).toThrow(/ENOTCONN/);
  });

  it('createVeth: both ends up across namespaces (host and a namespace, and two namespaces)', () => {
    const a = lab('vu');
    const b = lab('vu');
    const host = hostName();
    createVeth({ name: host, up: true }, { name: 'eth0', ns: a.ns, up: true });
    expect(isUp(undefined, host)).toBe(true);
    expect(isUp(a.name, 'eth0')).toBe(true);
    // The namespace end listed first: the host end still goes outermost.
    const host2 = hostName();
    createVeth({ name: 'eth1', ns: a.ns, up: true }, { name: host2, up: true });
    expect(isUp(a.name, 'eth1')).toBe(true);
    expect(isUp(undefined, host2)).toBe(true);
    // Neither end in the caller's namespace, one given by run-dir name.
    createVeth({ name: 'x0', ns: a.ns, up: true }, { name: 'y0', ns: b.name, up: true });
    expect(isUp(a.name, 'x0')).toBe(true);
    expect(isUp(b.name, 'y0')).toBe(true);
  });

  it('createVeth: one end up, whichever it is; the other stays down', () => {
    const a = lab('vu');
    const host = hostName();
    createVeth({ name: host }, { name: 'eth0', ns: a.ns, up: true });
    expect(isUp(undefined, host)).toBe(false);
    expect(isUp(a.name, 'eth0')).toBe(true);
    const host2 = hostName();
    createVeth({ name: host2, up: true }, { name: 'eth1', ns: a.ns, up: false });
    expect(isUp(undefined, host2)).toBe(true);
    expect(isUp(a.name, 'eth1')).toBe(false);
  });

  it('createVeth: both ends up within one namespace; up false or absent leaves them down', () => {
    const a = lab('vu');
    createVeth({ name: 'v0', ns: a.ns, up: true }, { name: 'v1', ns: a.ns, up: true });
    expect(isUp(a.name, 'v0')).toBe(true);
    expect(isUp(a.name, 'v1')).toBe(true);
    createVeth({ name: 'd0', ns: a.ns, up: false }, { name: 'd1', ns: a.ns });
    expect(isUp(a.name, 'd0')).toBe(false);
    expect(isUp(a.name, 'd1')).toBe(false);
  });

  it('createVeth: a bad up is a TypeError before anything is made', () => {
    const a = lab('vu');
    const host = hostName();
    const before = names(a.name);
    for (const [end, peer] of [
      [
        { name: host, up: 'yes' },
        { name: 'eth0', ns: a.ns },
      ],
      [{ name: host }, { name: 'eth0', ns: a.ns, up: 1 }],
      [
        { name: 'v0', ns: a.ns, up: null },
        { name: 'v1', ns: a.ns },
      ],
    ]) {
      expect(() => createVeth(end as never, peer as never)).toThrow(TypeError);
      expect(() => createVeth(end as never, peer as never)).toThrow(/up must be a boolean/);
    }
    expect(names(a.name)).toEqual(before);
    expect(names()).not.toContain(host);
  });

  it('createVeth: a misspelt key is a TypeError before anything is made, as in a batch', () => {
    const a = lab('vu');
    const before = names(a.name);
    // Ignored, `upp` would leave v0 down and `netns` would make v1 in the caller's namespace.
    expect(() => createVeth({ name: 'v0', ns: a.ns, upp: true } as never, { name: 'v1', ns: a.ns })).toThrow(TypeError);
    expect(() => createVeth({ name: 'v0', ns: a.ns, upp: true } as never, { name: 'v1', ns: a.ns })).toThrow(
      /unknown veth end key\(s\): upp \(known: name, ns, up\)/,
    );
    expect(() => createVeth({ name: 'v0', ns: a.ns }, { name: 'v1', netns: a.ns } as never)).toThrow(
      /unknown veth peer key\(s\): netns/,
    );
    // A key set to undefined is as good as absent (an options object built with spreads).
    createVeth({ name: 'v0', ns: a.ns, up: undefined }, { name: 'v1', ns: a.ns });
    expect(names(a.name).sort()).toEqual([...before, 'v0', 'v1'].sort());
  });

  it('batch: both ends up across namespaces and within one, four requests a pair with the addresses', () => {
    const a = lab('vu');
    const here = NetNamespace.current();
    onCleanup(() => here.close());
    const hosts = [hostName(), hostName()];
    const result = here.batch((b) => {
      hosts.forEach((host, i) => b.createVeth(host, { name: `eth${i}`, ns: a.ns, up: true }, { up: true }));
      b.in(a.ns).createVeth('v0', { name: 'v1', up: true }, { up: true });
      b.in(a.ns).createVeth('d0', { name: 'd1', up: false });
      hosts.forEach((host, i) =>
        b.addAddress(host, `10.91.${i}.1/30`).in(a.ns).addAddress(`eth${i}`, `10.91.${i}.2/30`),
      );
    });
    // Three creations with both ends up (2 requests each), one with neither, four addresses.
    expect(result).toEqual({ steps: 8, requests: 11 });
    for (const host of hosts) expect(isUp(undefined, host)).toBe(true);
    for (const name of ['eth0', 'eth1', 'v0', 'v1']) expect(isUp(a.name, name), name).toBe(true);
    expect(isUp(a.name, 'd0')).toBe(false);
    expect(isUp(a.name, 'd1')).toBe(false);
  });

  it('batch: a later step in the peer namespace sees the peer up (a route via a gateway needs it)', () => {
    const a = lab('vu');
    const c = lab('vu');
    a.ns.batch((b) => {
      b.createVeth('p0', { name: 'q0', ns: c.ns, up: true }, { up: true });
      b.addAddress('p0', '10.92.0.1/24');
      // Refused (ENETUNREACH) were q0 still down: its subnet's route comes with the link up.
      b.in(c.ns).addAddress('q0', '10.92.0.2/24').addRoute({ to: '10.93.0.0/16', via: '10.92.0.1' });
    });
    // The premise, with ip: the same route over a link that is down is refused.
    run('ip', ['-n', c.name, 'link', 'add', 'd0', 'type', 'veth', 'peer', 'name', 'd1']);
    run('ip', ['-n', c.name, 'addr', 'add', '10.94.0.2/24', 'dev', 'd0']);
    expect(tryRun('ip', ['-n', c.name, 'route', 'add', '10.95.0.0/16', 'via', '10.94.0.1']).status).not.toBe(0);
    expect(isUp(a.name, 'p0')).toBe(true);
    expect(isUp(c.name, 'q0')).toBe(true);
    const routes = JSON.parse(run('ip', ['-n', c.name, '-j', 'route', 'show'])) as Array<{ dst: string }>;
    expect(routes.map((route) => route.dst)).toContain('10.93.0.0/16');
  });

  it('batch: a bad up is refused before anything is sent', () => {
    const a = lab('vu');
    const before = names(a.name);
    expect(() => a.ns.batch((b) => b.createBridge('br0').createVeth('v0', { name: 'v1', up: 'yes' as never }))).toThrow(
      /veth peer up must be a boolean/,
    );
    expect(() => a.ns.batch((b) => b.createBridge('br0').createVeth('v0', { name: 'v1' }, { up: 1 as never }))).toThrow(
      /veth up must be a boolean/,
    );
    expect(() => a.ns.batch((b) => b.createVeth('v0', { name: 'v1' }, null as never))).toThrow(TypeError);
    // A misspelt key would leave an end silently down.
    expect(() => a.ns.batch((b) => b.createVeth('v0', { name: 'v1', upp: true } as never))).toThrow(
      /unknown veth peer key\(s\): upp/,
    );
    expect(() => a.ns.batch((b) => b.createVeth('v0', { name: 'v1' }, { Up: true } as never))).toThrow(
      /unknown veth option key\(s\): Up/,
    );
    expect(names(a.name)).toEqual(before);
  });

  it('batch: a refused creation does not set up the link that already had the peer name', () => {
    const a = lab('vu');
    run('ip', ['-n', a.name, 'link', 'add', 'q0', 'type', 'bridge']);
    run('ip', ['-n', a.name, 'link', 'add', 'q1', 'type', 'bridge']);
    // The premise: both are down, and the names the batches below create are taken.
    expect(isUp(a.name, 'q0')).toBe(false);
    expect(isUp(a.name, 'q1')).toBe(false);
    expect(() => a.ns.batch((b) => b.createVeth('p0', { name: 'q0', up: true }))).toThrow(/EEXIST/);
    expect(() => a.ns.batch((b) => b.createVeth('p1', { name: 'q1' }).setLink('q1', { up: true }))).toThrow(/EEXIST/);
    expect(isUp(a.name, 'q0')).toBe(false);
    expect(isUp(a.name, 'q1')).toBe(false);
    expect(names(a.name)).not.toContain('p0');
    expect(names(a.name)).not.toContain('p1');
  });
});
