// Wiring the network (lib/configure): every change is made by the library
// and read back from outside with `ip -n NAME -j ...`; every refused change
// is shown to have changed nothing, with the premise of each failure proven.
import { describe, expect, it } from 'vitest';
import { NetNamespace, NetnsError, createVeth, sys } from '../lib/index';
import { IFLA_IFNAME, IFLA_NET_NS_FD, RTM_NEWLINK } from '../lib/rtnl/constants';
import { IFINFOMSG } from '../lib/rtnl/headers';
import { messageAttributes, parseMessages } from '../lib/rtnl/wire';
import { caught, deadPid, readlinkNetns, run, runNode, startNetnsProcess, tryRun, unprivilegedCopy } from './helpers';
import { type IpRoute, expectTcpAcross, ipBatch } from './net-helpers';
import {
  addressesOf,
  betweenSteps,
  hostLinkName,
  ipLink,
  ipLinks,
  ipRoutes,
  lab,
  recordRequestBytes,
  recordRequests,
  snapshot,
  waitUntilDead,
} from './wire-helpers';

/** This thread's namespace, read by another process. */
const threadNetns = () => readlinkNetns(process.pid, sys.gettid());

/** Two named namespaces joined by va (in the first) and vb (in the second), made with ip, down. */
function pairMadeByIp() {
  const a = lab();
  const b = lab();
  run('ip', ['-n', a.name, 'link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb', 'netns', b.name]);
  return { a, b };
}

describe('createVeth', () => {
  it('makes each end straight in its namespace, and returns what ip sees', () => {
    const a = lab();
    const b = lab();
    const before = threadNetns();
    const pair = createVeth({ name: 'va', ns: a.ns }, { name: 'vb', ns: b.name });
    expect(threadNetns()).toBe(before);

    const va = ipLink(a.name, 'va');
    const vb = ipLink(b.name, 'vb');
    expect(va?.linkinfo?.info_kind).toBe('veth');
    expect(vb?.linkinfo?.info_kind).toBe('veth');
    expect(pair).toEqual({
      a: { ns: a.ns.id, ifindex: va?.ifindex, name: 'va' },
      b: { ns: b.ns.id, ifindex: vb?.ifindex, name: 'vb' },
    });
    // Each end points at the other across namespaces. In two fresh namespaces
    // both ends get ifindex 2 (older kernels then leave IFLA_LINK out).
    expect(va?.link_netnsid).toBeDefined();
    expect(va?.link_index ?? va?.ifindex).toBe(vb?.ifindex);
    expect(vb?.link_index ?? vb?.ifindex).toBe(va?.ifindex);
    expect(ipLink(undefined, 'va')).toBeUndefined();
  });

  it("defaults to the calling thread's namespace, and takes { pid } and paths", () => {
    const b = lab();
    const host = hostLinkName('h');
    const pair = createVeth({ name: host }, { name: 'vb', ns: `/run/netns/${b.name}` });
    using current = NetNamespace.current();
    expect(pair.a).toEqual({ ns: current.id, ifindex: ipLink(undefined, host)?.ifindex, name: host });
    expect(ipLink(b.name, 'vb')?.ifindex).toBe(pair.b.ifindex);

    const container = startNetnsProcess();
    const second = createVeth({ name: 'vc', ns: b.ns }, { name: 'eth0', ns: { pid: container.pid } });
    const inContainer = JSON.parse(
      run('nsenter', ['-t', String(container.pid), '-n', 'ip', '-j', 'link', 'show', 'eth0']),
    );
    expect(inContainer[0].ifindex).toBe(second.b.ifindex);
    expect(second.b.ns).toBe(readlinkNetns(container.pid));
  });

  it("makes an end named like a link of the caller's namespace straight in another one", () => {
    // `createVeth({ name: 'eth0', ns: red }, { name: 'veth-red' })` on a host
    // that has an eth0. Kernels before 6.14 look the request's outer name up
    // in the socket's namespace, so the end in the caller's namespace must be
    // the outer one: this kernel would accept either order, the bytes show which.
    const b = lab();
    const taken = hostLinkName('t');
    const hostEnd = hostLinkName('u');
    run('ip', ['link', 'add', taken, 'type', 'bridge']);
    const existing = ipLink(undefined, taken);
    const sent = recordRequestBytes();
    const pair = createVeth({ name: taken, ns: b.ns }, { name: hostEnd });

    expect(ipLink(b.name, taken)?.ifindex).toBe(pair.a.ifindex);
    expect(ipLink(undefined, hostEnd)?.ifindex).toBe(pair.b.ifindex);
    expect(ipLink(undefined, taken)).toEqual(existing);
    const newLink = sent.map((bytes) => parseMessages(bytes)[0]).find((message) => message.type === RTM_NEWLINK);
    if (!newLink) throw new Error('no RTM_NEWLINK was sent');
    const outer = messageAttributes(newLink, IFINFOMSG, 'request');
    expect(outer.has(IFLA_NET_NS_FD)).toBe(false);
    expect(outer.string(IFLA_IFNAME)).toBe(hostEnd);
  });

  it('puts both ends in one namespace when asked', () => {
    const a = lab();
    const pair = createVeth({ name: 'v0', ns: a.ns }, { name: 'v1', ns: a.ns });
    expect(ipLink(a.name, 'v0')?.link).toBe('v1');
    expect(pair.b.ifindex).toBe(ipLink(a.name, 'v1')?.ifindex);
  });

  it('refuses a peer name that exists in the target: EEXIST, no first end anywhere, the existing link untouched', () => {
    const a = lab();
    const b = lab();
    run('ip', ['-n', b.name, 'link', 'add', 'vb', 'type', 'bridge']);
    const existing = ipLink(b.name, 'vb');
    const before = snapshot([a.name, b.name]);
    const error = caught(() => createVeth({ name: 'va', ns: a.ns }, { name: 'vb', ns: b.ns }));
    expect(error.code).toBe('EEXIST');
    expect(error.step).toMatch(/creating veth pair 'va' in net:\[\d+\] and 'vb'/);
    expect(ipLink(a.name, 'va')).toBeUndefined();
    expect(ipLink(b.name, 'vb')).toEqual(existing);
    expect(snapshot([a.name, b.name])).toBe(before);
  });

  it("undoes the pair when the { pid } target's process dies between the creation and the end", () => {
    const a = lab();
    const container = startNetnsProcess();
    const containerNs = readlinkNetns(container.pid);
    let arrived = '';
    betweenSteps(
      (operation) => operation.what === 'RTM_NEWLINK',
      () => {
        // The premise: the peer is in the container, and then its only process is gone.
        arrived = run('nsenter', ['-t', String(container.pid), '-n', 'ip', '-o', 'link', 'show', 'eth0']);
        container.kill('SIGKILL');
        waitUntilDead(container);
      },
    );
    const error = caught(() => createVeth({ name: 'va', ns: a.ns }, { name: 'eth0', ns: { pid: container.pid } }));
    expect(arrived).toMatch(/eth0@/);
    expect(error.code).toBe('ESRCH');
    expect(error.step).toBe(`confirming that process ${container.pid} is still in ${containerNs}`);
    expect(ipLink(a.name, 'va')).toBeUndefined();
  });
});

describe('moveLink', () => {
  it('moves a link into a handle, a name or a { pid }, down and without addresses', () => {
    const { a, b } = pairMadeByIp();
    run('ip', ['-n', a.name, 'link', 'add', 'vx', 'type', 'veth', 'peer', 'name', 'vy']);
    run('ip', ['-n', a.name, 'addr', 'add', '10.1.0.1/24', 'dev', 'vx']);
    run('ip', ['-n', a.name, 'link', 'set', 'vx', 'up']);
    const before = threadNetns();

    const moved = a.ns.moveLink('vx', b.ns);
    expect(ipLink(a.name, 'vx')).toBeUndefined();
    const there = ipLink(b.name, 'vx');
    expect(moved).toEqual({ ns: b.ns.id, ifindex: there?.ifindex, name: 'vx' });
    expect(there?.flags).not.toContain('UP');
    expect(addressesOf(b.name, 'vx')).toEqual([]);

    b.ns.moveLink('vb', a.name, { name: 'vb2' });
    expect(ipLink(b.name, 'vb')).toBeUndefined();
    expect(ipLink(a.name, 'vb2')?.link).toBe('va');

    const container = startNetnsProcess();
    const third = a.ns.moveLink('va', { pid: container.pid });
    expect(third.ns).toBe(readlinkNetns(container.pid));
    expect(run('nsenter', ['-t', String(container.pid), '-n', 'ip', '-o', 'link', 'show', 'va'])).toMatch(/va@/);
    expect(threadNetns()).toBe(before);
  });

  it('refuses to move onto a name that exists in the target: EEXIST, the link stays where it was', () => {
    const { a, b } = pairMadeByIp();
    run('ip', ['-n', b.name, 'link', 'add', 'va', 'type', 'bridge']);
    const before = snapshot([a.name, b.name]);
    const error = caught(() => a.ns.moveLink('va', b.ns));
    expect(error.code).toBe('EEXIST');
    expect(error.kernelMessage).toMatch(/same name exists in the target netns/);
    expect(error.step).toBe(`moving it from ${a.ns.id} into ${b.ns.id}`);
    expect(snapshot([a.name, b.name])).toBe(before);
  });

  it('moves and renames, or neither: a new name taken in the target leaves the link where it was', () => {
    const { a, b } = pairMadeByIp();
    run('ip', ['-n', a.name, 'link', 'add', 'vq', 'type', 'veth', 'peer', 'name', 'vr']);
    run('ip', ['-n', b.name, 'link', 'add', 'taken', 'type', 'bridge']);
    // The premise: ip sends move and rename in one request; the kernel moves, then refuses the rename.
    expect(tryRun('ip', ['-n', a.name, 'link', 'set', 'vq', 'netns', b.name, 'name', 'taken']).status).not.toBe(0);
    expect(ipLink(b.name, 'vq')).toBeDefined();
    run('ip', ['-n', b.name, 'link', 'del', 'vq']);

    const before = snapshot([a.name, b.name]);
    const error = caught(() => a.ns.moveLink('va', b.ns, { name: 'taken' }));
    expect(error.code).toBe('EEXIST');
    expect(error.step).toBe(`checking that 'taken' is free in ${b.ns.id}`);
    expect(snapshot([a.name, b.name])).toBe(before);

    // The name taken by someone else between the move and the rename: the move is undone.
    const sent = betweenSteps(
      (operation) => operation.step?.startsWith('moving it from') ?? false,
      () => {
        expect(ipLink(b.name, 'va')).toBeDefined();
        run('ip', ['-n', b.name, 'link', 'add', 'late', 'type', 'bridge']);
      },
    );
    const raced = caught(() => a.ns.moveLink('va', b.ns, { name: 'late' }));
    expect(raced.code).toBe('EEXIST');
    expect(raced.step).toBe(`renaming 'va' to 'late' in ${b.ns.id}`);
    expect(sent.map((operation) => operation.step)).toContain(`moving it back into ${a.ns.id}`);
    run('ip', ['-n', b.name, 'link', 'del', 'late']);
    expect(snapshot([a.name, b.name])).toBe(before);

    // Its own name taken there, the new one free: one request, done whole.
    run('ip', ['-n', b.name, 'link', 'add', 'va', 'type', 'bridge']);
    const moved = a.ns.moveLink('va', b.ns, { name: 'eth0' });
    expect(moved).toEqual({ ns: b.ns.id, ifindex: ipLink(b.name, 'eth0')?.ifindex, name: 'eth0' });
    expect(ipLink(b.name, 'eth0')?.link).toBe('vb'); // both ends in b now
    expect(ipLink(b.name, 'va')?.linkinfo?.info_kind).toBe('bridge');
    expect(ipLink(a.name, 'va')).toBeUndefined();
  });

  it("moves it back, as it was, when the { pid } target's last process dies midway", () => {
    const { a } = pairMadeByIp();
    run('ip', ['-n', a.name, 'link', 'add', 'br0', 'type', 'bridge']);
    run('ip', ['-n', a.name, 'link', 'set', 'va', 'master', 'br0', 'up']);
    run('ip', ['-n', a.name, 'addr', 'add', '10.5.0.1/24', 'dev', 'va']);
    // Past duplicate address detection (va has no carrier: it would stay tentative).
    run('ip', ['-n', a.name, 'addr', 'add', 'fd00:5::1/64', 'dev', 'va', 'nodad']);
    // Routes out of it, of every kind a move takes: through a gateway, straight out with a
    // source (which a tentative address would refuse), in another table.
    ipBatch(a.name, [
      'route add 10.77.0.0/16 via 10.5.0.254 dev va',
      'route add 10.78.0.0/16 dev va src 10.5.0.1 metric 5',
      'route add default via 10.5.0.254 dev va table 100 proto static',
      'route add fd00:77::/48 via fd00:5::fe dev va metric 7',
      'route add fd00:78::/48 dev va src fd00:5::1',
    ]);
    // The routes not made by the kernel, of every table: the kernel makes its own anew (or not:
    // a port without carrier gets no ff00::/8 back, as after the same two moves made with ip).
    const allRoutes = () =>
      JSON.stringify(
        [4, 6]
          .flatMap(
            (family) =>
              JSON.parse(
                run('ip', ['-n', a.name, `-${family}`, '-d', '-j', 'route', 'show', 'table', 'all']),
              ) as IpRoute[],
          )
          .filter((route) => route.protocol !== 'kernel'),
      );
    const routesBefore = allRoutes();
    expect(routesBefore).toContain('"dst":"10.77.0.0/16"');
    expect(routesBefore).toContain('"table":"100"');
    const container = startNetnsProcess();
    const was = ipLink(a.name, 'va');
    let arrived = '';
    let routesAway = '';
    const sent = betweenSteps(
      (operation) => operation.what === 'RTM_NEWLINK',
      () => {
        arrived = run('nsenter', ['-t', String(container.pid), '-n', 'ip', '-o', 'link', 'show', 'va']);
        routesAway = allRoutes();
        container.kill('SIGKILL');
        waitUntilDead(container);
      },
    );
    const error = caught(() => a.ns.moveLink('va', { pid: container.pid }));
    // The premise: the move had happened (and taken the link's addresses and master), then
    // the process that held the target died: our fd was all that kept the link alive.
    expect(arrived).toMatch(/va@/);
    expect(() => readlinkNetns(container.pid)).toThrow();
    expect(error.code).toBe('ESRCH');
    expect(error.step).toMatch(/^confirming that process \d+ is still in net:\[\d+\]$/);
    expect(sent.map((operation) => operation.step)).toContain(`moving it back into ${a.ns.id}`);
    // Back where it was: same name and ifindex, still vb's peer, up, on br0, with its addresses.
    const back = ipLink(a.name, 'va');
    expect(back).toMatchObject({ ifindex: was?.ifindex, master: 'br0', link_netnsid: was?.link_netnsid });
    expect(back?.flags).toContain('UP');
    expect(addressesOf(a.name, 'va')).toEqual(expect.arrayContaining(['10.5.0.1/24', 'fd00:5::1/64']));
    // The move had taken the routes with it; every one is back, as it was, in every table.
    expect(routesAway).not.toContain('10.77.0.0/16');
    expect(routesAway).not.toContain('fd00:77::/48');
    expect(allRoutes()).toBe(routesBefore);
  });

  it('moves it back when the run-dir name of the target is deleted midway', () => {
    const { a } = pairMadeByIp();
    const target = lab();
    betweenSteps(
      (operation) => operation.what === 'RTM_NEWLINK',
      () => {
        expect(ipLink(target.name, 'va')).toBeDefined();
        NetNamespace.delete(target.name);
        target.ns.close();
      },
    );
    const error = caught(() => a.ns.moveLink('va', target.name));
    expect(error.code).toBe('ENOENT');
    expect(error.step).toBe(`confirming that /run/netns/${target.name} still names ${target.ns.id}`);
    expect(ipLink(a.name, 'va')).toBeDefined();
  });

  it('moves it back when the run-dir name of the target names another namespace by the end', () => {
    const { a } = pairMadeByIp();
    const target = lab();
    let other = '';
    betweenSteps(
      (operation) => operation.what === 'RTM_NEWLINK',
      () => {
        expect(ipLink(target.name, 'va')).toBeDefined();
        NetNamespace.delete(target.name);
        const again = NetNamespace.createNamed(target.name); // the same name, another namespace
        other = again.id;
        again.close();
      },
    );
    const error = caught(() => a.ns.moveLink('va', target.name));
    expect(other).not.toBe(target.ns.id); // the premise: the name was re-pointed midway
    expect(error).toBeInstanceOf(NetnsError);
    expect(error.code).toBe('EIO');
    expect(error.message).toMatch(/names another namespace now/);
    expect(ipLink(a.name, 'va')).toBeDefined();
    target.ns.close();
  });
});

describe('setLink', () => {
  it('sets up, mtu and name (one link, same ifindex) and attaches to and detaches from a bridge', () => {
    const { a } = pairMadeByIp();
    const ifindex = ipLink(a.name, 'va')?.ifindex;
    a.ns.setLink('va', { up: true, mtu: 1280, name: 'eth1' });
    const renamed = ipLink(a.name, 'eth1');
    expect(renamed).toMatchObject({ ifindex, mtu: 1280 });
    expect(renamed?.flags).toContain('UP');
    expect(ipLink(a.name, 'va')).toBeUndefined();

    const bridge = a.ns.createBridge('br0');
    expect(ipLink(a.name, 'br0')).toMatchObject({ ifindex: bridge.ifindex, linkinfo: { info_kind: 'bridge' } });
    a.ns.setLink('eth1', { master: 'br0' });
    expect(ipLink(a.name, 'eth1')?.master).toBe('br0');
    a.ns.setLink('eth1', { master: null, up: false });
    expect(ipLink(a.name, 'eth1')?.master).toBeUndefined();
    expect(ipLink(a.name, 'eth1')?.flags).not.toContain('UP');
  });

  it('is all or nothing where the kernel is not: a refused rename leaves the mtu as it was', () => {
    const { a } = pairMadeByIp();
    run('ip', ['-n', a.name, 'link', 'add', 'taken', 'type', 'bridge']);
    run('ip', ['-n', a.name, 'link', 'add', 'vx', 'type', 'veth', 'peer', 'name', 'vy']);
    // The premise: ip sends both in one request, and the kernel keeps the mtu it set before refusing the name.
    expect(tryRun('ip', ['-n', a.name, 'link', 'set', 'vx', 'mtu', '1300', 'name', 'taken']).status).not.toBe(0);
    expect(ipLink(a.name, 'vx')?.mtu).toBe(1300);

    const before = snapshot([a.name]);
    const error = caught(() => a.ns.setLink('va', { mtu: 1300, name: 'taken' }));
    expect(error.code).toBe('EEXIST');
    expect(error.step).toBe(`renaming 'va' to 'taken' in ${a.ns.id}`);
    expect(snapshot([a.name])).toBe(before);
  });

  it('undoes the steps done when a later one fails: the rename, when the mtu is refused', () => {
    const { a } = pairMadeByIp();
    const before = snapshot([a.name]);
    const sent = recordRequests();
    const error = caught(() => a.ns.setLink('va', { name: 'vnew', mtu: 70000 }));
    expect(error.code).toBe('EINVAL');
    expect(error.kernelMessage).toMatch(/mtu greater than device maximum/i);
    expect(error.step).toBe(`setting the mtu of 'va' to 70000 in ${a.ns.id}`);
    // The premise: the rename was made (and acked) before the mtu was refused, then undone.
    expect(sent.map((operation) => operation.step)).toEqual([
      `looking up 'va' in ${a.ns.id}`,
      `renaming 'va' to 'vnew' in ${a.ns.id}`,
      `setting the mtu of 'va' to 70000 in ${a.ns.id}`,
      "undoing setting the mtu of 'va' to 70000 (from 1500)",
      "undoing renaming 'va' to 'vnew'",
    ]);
    expect(snapshot([a.name])).toBe(before);
  });

  it('keeps a port on its bridge when a new master is refused (the kernel alone would detach it)', () => {
    const a = lab();
    for (const port of ['p1', 'p2'])
      run('ip', ['-n', a.name, 'link', 'add', port, 'type', 'veth', 'peer', 'name', `${port}x`]);
    run('ip', ['-n', a.name, 'link', 'add', 'br0', 'type', 'bridge']);
    run('ip', ['-n', a.name, 'link', 'set', 'p1', 'master', 'br0']);
    run('ip', ['-n', a.name, 'link', 'set', 'p2', 'master', 'br0']);
    // The premise: with ip, p2 loses br0 although its new master is refused.
    expect(tryRun('ip', ['-n', a.name, 'link', 'set', 'p2', 'master', 'p2x']).status).not.toBe(0);
    expect(ipLink(a.name, 'p2')?.master).toBeUndefined();

    const before = snapshot([a.name]);
    const error = caught(() => a.ns.setLink('p1', { master: 'p1x' }));
    expect(error.code).toBe('ENOTSUP'); // EOPNOTSUPP: the same errno, 95
    expect(error.step).toBe(`making 'p1x' the master of 'p1' in ${a.ns.id}`);
    expect(ipLink(a.name, 'p1')?.master).toBe('br0');
    expect(snapshot([a.name])).toBe(before);
  });

  it('names an unknown link or master: ENODEV', () => {
    const { a } = pairMadeByIp();
    const missing = caught(() => a.ns.setLink('nope0', { up: true }));
    expect(missing.code).toBe('ENODEV');
    expect(missing.message).toMatch(/'nope0'/);
    const master = caught(() => a.ns.setLink('va', { master: 'nobr' }));
    expect(master.code).toBe('ENODEV');
    expect(master.step).toBe(`looking up the master 'nobr' in ${a.ns.id}`);
    expect(caught(() => a.ns.deleteLink('nope0')).code).toBe('ENODEV');
    expect(caught(() => a.ns.addAddress('nope0', '10.0.0.1/24')).code).toBe('ENODEV');
    expect(caught(() => a.ns.moveLink('nope0', lab().ns)).code).toBe('ENODEV');
  });
});

describe('deleteLink, createBridge', () => {
  it('deleting one veth end removes both, in both namespaces', () => {
    const { a, b } = pairMadeByIp();
    a.ns.deleteLink('va');
    expect(ipLink(a.name, 'va')).toBeUndefined();
    expect(ipLink(b.name, 'vb')).toBeUndefined();
    expect(ipLinks(b.name).map((link) => link.ifname)).toEqual(['lo']);
  });

  it('a bridge name in use is EEXIST, and the existing link stays', () => {
    const { a } = pairMadeByIp();
    const before = snapshot([a.name]);
    expect(caught(() => a.ns.createBridge('va')).code).toBe('EEXIST');
    expect(snapshot([a.name])).toBe(before);
  });
});

describe('addresses and routes', () => {
  it('adds and deletes IPv4 and IPv6 addresses, and routes with a default', () => {
    const { a } = pairMadeByIp();
    a.ns.setLink('va', { up: true });
    a.ns.addAddress('va', '10.2.0.1/24');
    a.ns.addAddress('va', 'fd00:2::1/64');
    expect(addressesOf(a.name, 'va')).toEqual(expect.arrayContaining(['10.2.0.1/24', 'fd00:2::1/64']));

    a.ns.addRoute({ to: 'default', via: '10.2.0.254' });
    a.ns.addRoute({ to: '10.3.0.0/16', dev: 'va' });
    a.ns.addRoute({ to: '10.4.0.0/16', via: '10.2.0.9', dev: 'va', metric: 7 });
    a.ns.addRoute({ to: 'default', via: 'fd00:2::fe' });
    a.ns.addRoute({ to: 'fd00:3::/48', dev: 'va' });
    expect(ipRoutes(a.name, 4)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ dst: 'default', gateway: '10.2.0.254', dev: 'va' }),
        expect.objectContaining({ dst: '10.3.0.0/16', dev: 'va' }),
        expect.objectContaining({ dst: '10.4.0.0/16', gateway: '10.2.0.9', dev: 'va', metric: 7 }),
      ]),
    );
    expect(ipRoutes(a.name, 6)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ dst: 'default', gateway: 'fd00:2::fe', dev: 'va' }),
        expect.objectContaining({ dst: 'fd00:3::/48', dev: 'va' }),
      ]),
    );

    const twice = caught(() => a.ns.addAddress('va', '10.2.0.1/24'));
    expect(twice.code).toBe('EEXIST');
    expect(twice.kernelMessage).toMatch(/Address already assigned/);
    expect(caught(() => a.ns.addRoute({ to: 'default', via: '10.2.0.254' })).code).toBe('EEXIST');
    expect(caught(() => a.ns.addRoute({ to: '10.5.0.0/16', via: '10.9.9.9' })).code).toBe('ENETUNREACH');

    a.ns.deleteAddress('va', '10.2.0.1/24');
    a.ns.deleteAddress('va', 'fd00:2::1/64');
    expect(addressesOf(a.name, 'va').filter((address) => !address.startsWith('fe80:'))).toEqual([]);
    expect(caught(() => a.ns.deleteAddress('va', '10.2.0.1/24')).code).toBe('EADDRNOTAVAIL');
  });
});

/** Until the kernel reports the carrier of `ifname` (operstate UP, from ip), so a first SYN is not lost. */
async function untilCarrier(where: { name: string }, ifname: string): Promise<void> {
  for (const deadline = Date.now() + 5000; ipLink(where.name, ifname)?.operstate !== 'UP';) {
    if (Date.now() > deadline) throw new Error(`${ifname} in ${where.name} has no carrier after 5 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('traffic', () => {
  it('crosses a veth pair: a TCP connection made inside each namespace, both ends seen by ss inside', async () => {
    const a = lab();
    const b = lab();
    createVeth({ name: 'va', ns: a.ns }, { name: 'vb', ns: b.ns });
    a.ns.addAddress('va', '10.7.0.1/30');
    b.ns.addAddress('vb', '10.7.0.2/30');
    a.ns.setLink('va', { up: true });
    b.ns.setLink('vb', { up: true });

    await untilCarrier(a, 'va');
    await untilCarrier(b, 'vb');
    // From a to b's address, and back: each end seen by ss inside its own namespace.
    expect(await expectTcpAcross(a, b, '10.7.0.2')).toMatch(/^10\.7\.0\.1:\d+$/);
    expect(await expectTcpAcross(b, a, '10.7.0.1')).toMatch(/^10\.7\.0\.2:\d+$/);
  });

  it('crosses a bridge: three namespaces on a bridge in a fourth, with a default route via the bridge', async () => {
    const router = lab();
    router.ns.createBridge('br0');
    router.ns.addAddress('br0', '10.8.0.254/24');
    router.ns.setLink('br0', { up: true });
    const hosts = [1, 2, 3].map((i) => {
      const host = lab();
      createVeth({ name: 'eth0', ns: host.ns }, { name: `port${i}`, ns: router.ns });
      router.ns.setLink(`port${i}`, { master: 'br0', up: true });
      host.ns.addAddress('eth0', `10.8.0.${i}/24`);
      host.ns.setLink('eth0', { up: true });
      host.ns.addRoute({ to: 'default', via: '10.8.0.254' });
      return host;
    });
    expect(
      ipLinks(router.name)
        .filter((link) => link.master === 'br0')
        .map((link) => link.ifname)
        .sort(),
    ).toEqual(['port1', 'port2', 'port3']);
    expect(ipRoutes(hosts[0].name)).toEqual(
      expect.arrayContaining([expect.objectContaining({ dst: 'default', gateway: '10.8.0.254', dev: 'eth0' })]),
    );
    for (const [i, host] of hosts.entries()) {
      await untilCarrier(host, 'eth0');
      await untilCarrier(router, `port${i + 1}`);
    }
    // Host to host across the bridge, and to the bridge's own address.
    expect(await expectTcpAcross(hosts[0], hosts[2], '10.8.0.3')).toMatch(/^10\.8\.0\.1:/);
    expect(await expectTcpAcross(hosts[2], hosts[1], '10.8.0.2')).toMatch(/^10\.8\.0\.3:/);
    expect(await expectTcpAcross(hosts[1], router, '10.8.0.254')).toMatch(/^10\.8\.0\.2:/);
  });
});

describe('refusals that change nothing', () => {
  const badNames: unknown[] = [
    '',
    'x'.repeat(16),
    'é'.repeat(8),
    'a/b',
    'a b',
    'tab\t',
    '.',
    '..',
    'a:1',
    42,
    undefined,
  ];
  const badCidrs: unknown[] = [
    '10.0.0.1',
    '10.0.0.1/33',
    '10.0.0.01/24',
    '10.0.0.1/024',
    ' 10.0.0.1/24',
    '10.0.0.1/255.255.255.0',
    'fd00::1/129',
    '[fd00::1]/64',
    'fe80::1%eth0/64',
    'host/24',
    '10.0.0/24',
    7,
  ];

  it('bad interface names and CIDRs throw before anything happens, anywhere', () => {
    const { a, b } = pairMadeByIp();
    const before = snapshot([a.name, b.name]);
    const thread = threadNetns();
    const sent = recordRequests();
    for (const name of badNames) {
      const bad = name as string;
      expect(() => createVeth({ name: bad, ns: a.ns }, { name: 'ok', ns: b.ns }), String(name)).toThrow(/name/);
      expect(() => createVeth({ name: 'ok', ns: a.ns }, { name: bad, ns: b.ns })).toThrow(/name/);
      expect(() => a.ns.moveLink(bad, b.ns)).toThrow(/name/);
      if (name !== undefined) {
        expect(() => a.ns.moveLink('va', b.ns, { name: bad })).toThrow(/name/);
        expect(() => a.ns.setLink('va', { name: bad })).toThrow(/name/);
        expect(() => a.ns.setLink('va', { master: bad })).toThrow(/master/);
      }
      expect(() => a.ns.setLink(bad, { up: true })).toThrow(/name/);
      expect(() => a.ns.deleteLink(bad)).toThrow(/name/);
      expect(() => a.ns.createBridge(bad)).toThrow(/name/);
      expect(() => a.ns.addAddress(bad, '10.0.0.1/24')).toThrow(/name/);
      expect(() => a.ns.addRoute({ to: 'default', dev: bad })).toThrow(/dev/);
    }
    for (const cidr of badCidrs) {
      expect(() => a.ns.addAddress('va', cidr as string), String(cidr)).toThrow(/address|CIDR|prefix/);
      expect(() => a.ns.deleteAddress('va', cidr as string)).toThrow();
    }
    // Routes: destinations, gateways and families are checked as strictly.
    for (const route of [
      { to: '10.0.0.1/24', dev: 'va' },
      { to: 'default' },
      { to: 'default', via: 'fd00::1', family: 4 as const },
      { to: '10.0.0.0/8', via: 'fd00::1' },
      { to: '10.0.0.0/8', via: '10.0.0.1', table: 5 },
    ]) {
      expect(() => a.ns.addRoute(route), JSON.stringify(route)).toThrow();
    }
    for (const settings of [{}, { mtu: 0 }, { mtu: 1.5 }, { up: 'yes' }, { mut: 1400 }]) {
      expect(() => a.ns.setLink('va', settings as never), JSON.stringify(settings)).toThrow();
    }
    // The names are checked before a target is opened: a dead pid is not even looked at.
    expect(() => createVeth({ name: 'ok', ns: { pid: deadPid() } }, { name: 'x'.repeat(16) })).toThrow(RangeError);
    expect(sent).toEqual([]);
    expect(threadNetns()).toBe(thread);
    expect(snapshot([a.name, b.name])).toBe(before);
  });

  it('an unprivileged caller gets EPERM from every change, and nothing changes', () => {
    const { a, b } = pairMadeByIp();
    const before = snapshot([a.name, b.name]);
    const dir = unprivilegedCopy(); // nobody may not be able to enter the clone's directory
    const script = `
      const { NetNamespace, createVeth } = require('./dist/index.js');
      const codes = {};
      const attempt = (what, action) => { try { action(); codes[what] = 'done'; } catch (e) { codes[what] = e.code + ' ' + e.syscall; } };
      const a = NetNamespace.fromName(${JSON.stringify(a.name)});
      const here = NetNamespace.current();
      attempt('createVeth here', () => createVeth({ name: 'cfu0' }, { name: 'cfu1' }));
      attempt('createVeth into b', () => createVeth({ name: 'cfu0' }, { name: 'vu', ns: ${JSON.stringify(b.name)} }));
      attempt('moveLink', () => a.moveLink('va', ${JSON.stringify(b.name)}));
      attempt('setLink', () => a.setLink('va', { up: true, mtu: 1400 }));
      attempt('setLink here', () => here.setLink('lo', { mtu: 1400 }));
      attempt('deleteLink', () => a.deleteLink('va'));
      attempt('createBridge', () => a.createBridge('br9'));
      attempt('addAddress', () => a.addAddress('va', '10.0.0.1/24'));
      attempt('deleteAddress', () => a.deleteAddress('va', '10.0.0.1/24'));
      attempt('addRoute', () => a.addRoute({ to: '10.0.0.0/8', dev: 'va' }));
      console.log(JSON.stringify({ uid: process.getuid(), codes }));`;
    const result = runNode(script, { uid: 65534, cwd: dir });
    expect(result.status, result.stderr).toBe(0);
    const { uid, codes } = JSON.parse(result.stdout) as { uid: number; codes: Record<string, string> };
    expect(uid).toBe(65534);
    expect(Object.keys(codes)).toHaveLength(10);
    // Where the caller's own namespace is enough, the kernel's rtnetlink refuses; elsewhere, entering it does.
    expect(codes['createVeth here']).toBe('EPERM RTM_NEWLINK');
    expect(codes['createVeth into b']).toBe('EPERM RTM_NEWLINK');
    for (const [what, code] of Object.entries(codes)) expect(code, what).toMatch(/^EPERM (RTM_NEWLINK|setns)$/);
    expect(snapshot([a.name, b.name])).toBe(before);
  });
});

describe('the calling thread', () => {
  it('is never moved, by changes that succeed or fail, while the changes land elsewhere', () => {
    const a = lab();
    const b = lab();
    const home = threadNetns();
    const seen: string[] = [];
    const check = () => seen.push(threadNetns());
    createVeth({ name: 'va', ns: a.ns }, { name: 'vb', ns: b.ns });
    check();
    a.ns.setLink('va', { up: true, mtu: 1400, name: 'vc' });
    check();
    a.ns.addAddress('vc', '10.9.0.1/24');
    check();
    a.ns.addRoute({ to: 'default', via: '10.9.0.2' });
    check();
    a.ns.createBridge('br0');
    check();
    b.ns.moveLink('vb', a.ns);
    check();
    tryCatch(() => a.ns.moveLink('vc', b.ns, { name: 'lo' }));
    check();
    tryCatch(() => a.ns.setLink('vc', { name: 'vd', mtu: 99999 }));
    check();
    tryCatch(() => createVeth({ name: 'vc', ns: a.ns }, { name: 'vz', ns: b.ns }));
    check();
    a.ns.deleteLink('vc');
    check();
    expect(seen).toEqual(Array(seen.length).fill(home));
    expect(ipLinks(a.name).map((link) => link.ifname)).toEqual(['lo', 'br0']);
    expect(ipLink(undefined, 'br0')).toBeUndefined();
  });
});

function tryCatch(action: () => unknown): void {
  try {
    action();
  } catch {
    // expected to fail; only where the thread is afterwards matters here
  }
}
