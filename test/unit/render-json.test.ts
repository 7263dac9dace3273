import { describe, expect, test } from 'vitest';
import { renderJson } from '../../lib/render/json';
import type { Topology } from '../../lib/topology/model';
import { bridgeLab, HOST, GREEN } from '../fixtures/topology-bridge-lab';
import { hostileTopology } from '../fixtures/topology-hostile';

/** Every object's keys, at any depth, in the order they were written. */
function keyOrders(value: unknown): string[][] {
  if (Array.isArray(value)) return value.flatMap(keyOrders);
  if (value === null || typeof value !== 'object') return [];
  return [Object.keys(value), ...Object.values(value).flatMap(keyOrders)];
}

describe('renderJson', () => {
  test('is pretty, ends with a newline, and parses back to the same model (order aside)', () => {
    const text = renderJson(bridgeLab());
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('\n  "format": 1,\n');
    const back = JSON.parse(text) as Topology;
    expect(back.format).toBe(1);
    const byId = (topology: Topology) => new Map(topology.namespaces.map((ns) => [ns.id, ns]));
    const original = byId(bridgeLab());
    for (const [id, ns] of byId(back)) {
      const source = original.get(id);
      expect(ns).toEqual({
        ...source,
        links: expect.arrayContaining(source?.links ?? []),
        addresses: expect.arrayContaining(source?.addresses ?? []),
        pids: expect.arrayContaining(source?.pids ?? []),
      });
      expect(ns.links).toHaveLength(source?.links.length ?? -1);
    }
    expect(back.vethPairs).toHaveLength(3);
    expect(back.unresolved).toEqual(bridgeLab().unresolved);
  });

  test('keys are sorted at every depth', () => {
    for (const keys of keyOrders(JSON.parse(renderJson(bridgeLab())))) {
      expect(keys).toEqual([...keys].sort());
    }
  });

  test('the same host gives the same bytes whatever the discovery order', () => {
    const shuffled = bridgeLab();
    shuffled.namespaces.reverse();
    for (const ns of shuffled.namespaces) {
      ns.links.reverse();
      ns.pids.reverse();
      ns.names.reverse();
    }
    shuffled.vethPairs = shuffled.vethPairs.map(({ a, b }) => ({ a: b, b: a })).reverse();
    expect(renderJson(shuffled)).toBe(renderJson(bridgeLab()));
  });

  test('arrays are in render order: current namespace first, links by ifindex, pids ascending, pair ends ordered', () => {
    const back = JSON.parse(renderJson(bridgeLab())) as Topology;
    expect(back.namespaces.map((ns) => ns.ino)).toEqual([4026531840, 4026532301, 4026532388, 4026532455, 4026532510]);
    expect(back.namespaces[0].links.map((link) => link.ifindex)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(back.namespaces[0].pids).toEqual([1, 512, 733, 901, 1020, 1200, 1301]);
    // The green pair was given with the namespace's end first; the host's end sorts first.
    expect(back.vethPairs[1]).toEqual({
      a: { ifindex: 5, name: 'veth-green', ns: HOST },
      b: { ifindex: 2, name: 'eth0', ns: GREEN },
    });
    // Within a family the kernel's order (primary first) is kept.
    const eth0 = back.namespaces[0].addresses
      .filter((address) => address.name === 'eth0')
      .map((address) => address.address);
    expect(eth0).toEqual(['192.0.2.10', '2001:db8::10', 'fe80::5054:ff:fe12:3456']);
  });

  test('keeps hostile strings exactly, and fields it does not know', () => {
    const topology = hostileTopology() as Topology & { extra?: unknown };
    topology.extra = { note: 'from a later format' };
    const back = JSON.parse(renderJson(topology)) as Topology & { extra?: unknown };
    expect(back.namespaces.map((ns) => ns.id).sort()).toEqual(
      hostileTopology()
        .namespaces.map((ns) => ns.id)
        .sort(),
    );
    expect(back.namespaces.flatMap((ns) => ns.links.map((link) => link.name)).sort()).toEqual(
      hostileTopology()
        .namespaces.flatMap((ns) => ns.links.map((link) => link.name))
        .sort(),
    );
    expect(back.extra).toEqual({ note: 'from a later format' });
  });
});
