// nsids (lib/watch/nsids.ts): set with the library, read back with
// `ip -j netns list-id`; set with `ip netns set`, read back with the library.
// The kernel's two EEXIST cases come apart in the error.
import { describe, expect, it } from 'vitest';
import { NetNamespace, NetnsError, listNsids, setNsid } from '../lib/index';
import { caught, onCleanup, run } from './helpers';
import { addNamedNetns, ipJson, runTag } from './net-helpers';

const name = (suffix: string) => `live-${runTag}-${suffix}`;

/** `ip -n OBSERVER -j netns list-id`: { nsid, name? } per id. */
function ipListId(observer?: string): Array<{ nsid: number; name?: string }> {
  return ipJson(observer, ['netns', 'list-id']);
}

describe('setNsid', () => {
  it("assigns 'auto' as the lowest free id in the observer, as ip then lists it", () => {
    const observer = addNamedNetns(name('obs1'));
    const target = addNamedNetns(name('tgt1'));
    expect(ipListId(observer)).toEqual([]); // premise: a fresh observer has no ids
    const id = setNsid(target, 'auto', { observer });
    expect(id).toBe(0);
    expect(ipListId(observer)).toEqual([{ nsid: 0, name: target }]);
    // Asking again (auto, or the same id) returns it; the table is unchanged.
    expect(setNsid(target, 'auto', { observer })).toBe(0);
    expect(setNsid(target, 0, { observer })).toBe(0);
    expect(ipListId(observer)).toEqual([{ nsid: 0, name: target }]);
  });

  it('assigns a chosen id; the two EEXIST cases say which they are', () => {
    const observer = addNamedNetns(name('obs2'));
    const a = addNamedNetns(name('a2'));
    const b = addNamedNetns(name('b2'));
    expect(setNsid(a, 7, { observer })).toBe(7);
    expect(ipListId(observer)).toEqual([{ nsid: 7, name: a }]);
    // Id in use by another namespace.
    let inUse: unknown;
    try {
      setNsid(b, 7, { observer });
    } catch (error) {
      inUse = error;
    }
    expect(inUse).toBeInstanceOf(NetnsError);
    expect((inUse as NetnsError).code).toBe('EEXIST');
    expect((inUse as NetnsError).message).toMatch(/nsid 7 is already used by another namespace/);
    expect((inUse as NetnsError).kernelMessage).toMatch(/already used/);
    // Namespace that already has another id.
    let hasId: unknown;
    try {
      setNsid(a, 9, { observer });
    } catch (error) {
      hasId = error;
    }
    expect((hasId as NetnsError).code).toBe('EEXIST');
    expect((hasId as NetnsError).message).toMatch(/already has nsid 7/);
    expect(ipListId(observer)).toEqual([{ nsid: 7, name: a }]); // nothing changed
  });

  it('refuses bad input before any side effect', () => {
    const observer = addNamedNetns(name('obs3'));
    const target = addNamedNetns(name('tgt3'));
    expect(() => setNsid(target, -1, { observer })).toThrow(RangeError);
    expect(() => setNsid(target, 1.5, { observer })).toThrow(TypeError);
    expect(() => setNsid(target, 'x' as never, { observer })).toThrow(TypeError);
    expect(() => setNsid(42 as never, 'auto', { observer })).toThrow(TypeError);
    expect(() => setNsid(target, 'auto', { observer: null as never })).toThrow(TypeError);
    expect(ipListId(observer)).toEqual([]);
  });

  it('works with handles and with the calling thread as observer', () => {
    const target = addNamedNetns(name('tgt4'));
    using handle = NetNamespace.fromName(target);
    const id = setNsid(handle, 'auto');
    const listed = ipListId().find((entry) => entry.name === target);
    expect(listed?.nsid).toBe(id);
  });
});

describe('listNsids', () => {
  it('lists the observer table with each id mapped to its namespace, as ip netns list-id set by ip', () => {
    const observer = addNamedNetns(name('obs5'));
    const a = addNamedNetns(name('a5'));
    const b = addNamedNetns(name('b5'));
    run('ip', ['-n', observer, 'netns', 'set', a, '3']);
    run('ip', ['-n', observer, 'netns', 'set', b, 'auto']);
    const ip = ipListId(observer);
    expect(ip).toHaveLength(2); // premise
    const ours = listNsids({ observer });
    const inoOf = (ns: string) => {
      using handle = NetNamespace.fromName(ns);
      return handle.ino;
    };
    expect(ours).toEqual(
      ip.map((entry) => ({ nsid: entry.nsid, netns: { ino: inoOf(entry.name!), names: [entry.name] } })),
    );
  });

  it('says null for an id whose namespace it cannot find', () => {
    const observer = addNamedNetns(name('obs6'));
    // A namespace held only by a sleeping process that we then end: its id goes with it,
    // so instead hold it only by an fd of ours, which listNamespaces() does not look at.
    using held = NetNamespace.create();
    const id = setNsid(held, 'auto', { observer });
    onCleanup(() => held.close());
    const entry = listNsids({ observer }).find((e) => e.nsid === id);
    expect(entry).toEqual({ nsid: id, netns: null });
  });
});

describe('listNsids({ target })', () => {
  const l2 = (suffix: string) => `l2-${runTag}-${suffix}`;

  it("lists the target's table as ip netns list-id target-nsid does, each id with its namespace", () => {
    const observer = addNamedNetns(l2('o'));
    const target = addNamedNetns(l2('t'));
    const [x, y, z] = [addNamedNetns(l2('x')), addNamedNetns(l2('y')), addNamedNetns(l2('z'))];
    run('ip', ['-n', target, 'netns', 'set', x, '4']);
    run('ip', ['-n', target, 'netns', 'set', y, '6']);
    run('ip', ['-n', observer, 'netns', 'set', target, '1']);
    run('ip', ['-n', observer, 'netns', 'set', x, '2']);
    run('ip', ['-n', observer, 'netns', 'set', z, '6']); // the observer's 6 is another namespace than the target's
    const ip = ipJson<Array<{ nsid: number; 'current-nsid'?: number }>>(observer, [
      'netns',
      'list-id',
      'target-nsid',
      '1',
    ]);
    expect(ip.map((row) => row.nsid)).toEqual([4, 6]); // premise: the target's ids, not the observer's
    const ours = listNsids({ observer, target });
    expect(ours.map(({ targetNsid, nsid }) => ({ targetNsid, nsid }))).toEqual(
      ip.map((row) => ({ targetNsid: row.nsid, nsid: row['current-nsid'] ?? null })),
    );
    // Each id's namespace as the target itself names it (ip's target-nsid view looks an
    // id without a current-nsid up in the observer's table, and so names z for 6).
    const inoOf = (ns: string) => {
      using handle = NetNamespace.fromName(ns);
      return handle.ino;
    };
    const own = ipListId(target);
    expect(own).toEqual([
      { nsid: 4, name: x },
      { nsid: 6, name: y },
    ]);
    expect(ours.map(({ targetNsid, netns }) => ({ nsid: targetNsid, netns }))).toEqual(
      own.map((row) => ({ nsid: row.nsid, netns: { ino: inoOf(row.name!), names: [row.name] } })),
    );
  });

  it('refuses a target the observer gave no nsid (ENOENT) and assigns none; bad input first', () => {
    const observer = addNamedNetns(l2('o2'));
    const target = addNamedNetns(l2('t2'));
    const refusal = caught(() => listNsids({ observer, target }));
    expect(refusal.code).toBe('ENOENT');
    expect(refusal.message).toMatch(/given the target no nsid/);
    expect(() => listNsids({ observer, target: 42 as never })).toThrow(TypeError);
    expect(ipListId(observer)).toEqual([]); // nothing assigned
    // With an id given, the target's empty table lists empty.
    expect(setNsid(target, 'auto', { observer })).toBe(0);
    expect(listNsids({ observer, target })).toEqual([]);
  });
});
