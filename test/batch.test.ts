// Batches (lib/configure/batch.ts): many changes sent without waiting for
// each answer, all or nothing. Every result is read back from outside with
// `ip -n NAME -j ...`; the pipelining itself is shown from the transport's
// trace of sends and receives (the kernel still answers every request).
import { describe, expect, it } from 'vitest';
import { traceExchanges } from '../lib/rtnl/transport';
import { caught, onCleanup, run } from './helpers';
import { addressesOf, ipLink, lab, snapshot } from './wire-helpers';

/** Records one 'send' per request sent and one 'recv' per read, on every rtnetlink socket, while the test runs. */
function traced(): { events: Array<'send' | 'recv'>; datagramsSent: number } {
  const trace = { events: [] as Array<'send' | 'recv'>, datagramsSent: 0 };
  traceExchanges((event, requests) => {
    if (event === 'recv') trace.events.push('recv');
    else {
      trace.datagramsSent++;
      for (let i = 0; i < requests; i++) trace.events.push('send');
    }
  });
  onCleanup(() => traceExchanges(undefined));
  return trace;
}

function longestRunOfSends(events: ReadonlyArray<'send' | 'recv'>): number {
  let longest = 0;
  let current = 0;
  for (const event of events) {
    current = event === 'send' ? current + 1 : 0;
    longest = Math.max(longest, current);
  }
  return longest;
}

describe('batch', () => {
  it('wires 20 pairs in one namespace, sending the creations (first ends made up) before reading any answer', () => {
    const a = lab('bt');
    const trace = traced();
    const { events } = trace;
    const result = a.ns.batch((b) => {
      for (let i = 0; i < 20; i++) b.createVeth(`p${i}`, { name: `q${i}` });
      for (let i = 0; i < 20; i++) b.setLink(`p${i}`, { up: true }).setLink(`q${i}`, { up: true });
      for (let i = 0; i < 20; i++) {
        b.addAddress(`p${i}`, `10.77.${i}.1/30`).addAddress(`q${i}`, `10.77.${i}.2/30`);
      }
    });
    traceExchanges(undefined);
    // No lookups at all, and each p's `up` done by its creation (created up).
    expect(result).toEqual({ steps: 100, requests: 80 });
    // The premise: the 20 creations went out before the first read. The q
    // ups wait for the creations' answers (a change by name to a link the
    // batch creates does: were a creation refused, the name would be another
    // link's), then go out together with the addresses.
    expect(events.indexOf('recv')).toBe(20);
    expect(longestRunOfSends(events)).toBe(60);
    expect(events.filter((event) => event === 'send')).toHaveLength(80);
    // Several requests to a datagram: the 20 creations, then the 60 others.
    expect(trace.datagramsSent).toBeGreaterThan(0);
    expect(trace.datagramsSent).toBeLessThan(10);
    // One read per answer: 20 echoes and 80 acks.
    expect(events.filter((event) => event === 'recv')).toHaveLength(100);
    for (let i = 0; i < 20; i++) {
      for (const [name, cidr] of [
        [`p${i}`, `10.77.${i}.1/30`],
        [`q${i}`, `10.77.${i}.2/30`],
      ]) {
        expect(ipLink(a.name, name)?.flags, name).toContain('UP');
        expect(addressesOf(a.name, name)).toContain(cidr);
      }
    }
  });

  it('wires across namespaces (in), with a bridge, a master, an mtu and a route', () => {
    const a = lab('bt');
    const c = lab('bt');
    a.ns.batch((b) => {
      b.createBridge('br0').setLink('br0', { up: true });
      b.createVeth('port0', { name: 'eth0', ns: c.ns });
      b.setLink('port0', { master: 'br0', up: true, mtu: 1400 });
      b.in(c.ns).setLink('eth0', { up: true, mtu: 1400 });
      b.addAddress('br0', '10.78.0.1/24');
      b.in(c.ns).addAddress('eth0', '10.78.0.2/24').addRoute({ to: '10.79.0.0/16', via: '10.78.0.1' });
    });
    const port = ipLink(a.name, 'port0');
    expect(port?.master).toBe('br0');
    expect(port?.mtu).toBe(1400);
    expect(ipLink(c.name, 'eth0')?.flags).toContain('UP');
    expect(addressesOf(a.name, 'br0')).toContain('10.78.0.1/24');
    expect(addressesOf(c.name, 'eth0')).toContain('10.78.0.2/24');
    const routes = JSON.parse(run('ip', ['-n', c.name, '-j', 'route', 'show'])) as Array<{ dst: string }>;
    expect(routes.map((route) => route.dst)).toContain('10.79.0.0/16');
  });

  it('a refused 7th step undoes the six before it and the ones sent after it, and names the step', () => {
    const a = lab('bt');
    run('ip', ['-n', a.name, 'link', 'add', 'taken', 'type', 'veth', 'peer', 'name', 'taken1']);
    run('ip', ['-n', a.name, 'link', 'add', 'old0', 'type', 'veth', 'peer', 'name', 'old1']);
    run('ip', ['-n', a.name, 'addr', 'add', '10.80.9.1/24', 'dev', 'old0']);
    // Up before: a first up gives a link a qdisc for good, which no undo takes back.
    run('ip', ['-n', a.name, 'link', 'set', 'old0', 'up']);
    const before = snapshot([a.name]);
    const { events } = traced();
    const error = caught(() =>
      a.ns.batch((b) => {
        b.createVeth('v1', { name: 'w1' }); // 1
        b.setLink('v1', { up: true }); // 2
        b.setLink('old0', { mtu: 1300 }); // 3: an existing link, put back
        b.addAddress('old0', '10.80.0.1/24'); // 4
        b.createBridge('br1'); // 5
        b.addRoute({ to: '10.81.0.0/16', dev: 'old0' }); // 6
        b.createVeth('taken', { name: 'w2' }); // 7: refused, the name is in use
        b.createVeth('v3', { name: 'w3' }); // 8: made, then undone
        b.setLink('w1', { mtu: 1400 }); // 9
      }),
    );
    traceExchanges(undefined);
    expect(error.code).toBe('EEXIST');
    expect(error.step).toMatch(/^step 7 of 9: creating veth pair 'taken'/);
    // The premise: steps 3 to 9 went out with no read between them (old0's
    // lookup is read before step 3), so 8 and 9 were made before 7's refusal was read.
    expect(longestRunOfSends(events)).toBeGreaterThanOrEqual(7);
    expect(snapshot([a.name])).toBe(before);
  });

  it('an unknown link is ENODEV naming it and the step; the steps before it are undone', () => {
    const a = lab('bt');
    const before = snapshot([a.name]);
    const error = caught(() =>
      a.ns.batch((b) => {
        b.createVeth('v1', { name: 'w1' });
        b.setLink('nope0', { up: true });
      }),
    );
    expect(error.code).toBe('ENODEV');
    expect(error.message).toMatch(/'nope0'|nope0/);
    expect(error.step).toMatch(/^step 2 of 2: setting 'nope0'/);
    expect(snapshot([a.name])).toBe(before);
  });

  it('refuses bad input before anything is sent', () => {
    const a = lab('bt');
    const before = snapshot([a.name]);
    const { events } = traced();
    const bad: Array<[(b: Parameters<Parameters<typeof a.ns.batch>[0]>[0]) => void, RegExp]> = [
      [(b) => b.createVeth('a/b', { name: 'ok' }), /name/],
      [(b) => b.createVeth('ok', { name: '' }), /name/],
      [(b) => b.createVeth('ok', null as never), /peer/],
      [(b) => b.createVeth('ok', { name: 'ok2', ns: {} as never }), /NetNamespace/],
      [(b) => b.setLink('ok', {}), /at least one/],
      [(b) => b.setLink('ok', { name: 'x' } as never), /unknown batch link setting/],
      [(b) => b.setLink('ok', { mtu: 0 }), /mtu/],
      [(b) => b.setLink('ok', { up: 'yes' as never }), /boolean/],
      [(b) => b.addAddress('ok', '10.0.0.300/24'), /address|octet|range/i],
      [(b) => b.addRoute({ to: '10.0.0.1/24', dev: 'ok' }), /prefix/],
      [(b) => b.createBridge('x'.repeat(16)), /name/],
      [(b) => b.in(null as never), /NetNamespace/],
    ];
    for (const [recorder, message] of bad) {
      // Each bad step comes after a good one: nothing of the good one may be sent either.
      expect(() =>
        a.ns.batch((b) => {
          b.createBridge('good0');
          recorder(b);
        }),
      ).toThrow(message);
    }
    expect(() => a.ns.batch((async () => undefined) as never)).toThrow(/must not be async/);
    expect(() => a.ns.batch(undefined as never)).toThrow(TypeError);
    expect(events).toEqual([]);
    expect(snapshot([a.name])).toBe(before);
  });
});
