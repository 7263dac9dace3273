// The two-number key map behind the map's nsid cache and veth candidates.
import { describe, expect, it } from 'vitest';
import { PairMap } from '../../lib/topology/pair-map';

describe('PairMap', () => {
  it('keeps one value per (a, b), apart from (b, a), and (1, 23) apart from (12, 3)', () => {
    const map = new PairMap<string>();
    map.set(4026531840, 4026532000, 'host>ns');
    map.set(4026532000, 4026531840, 'ns>host');
    map.set(1, 23, 'one-twentythree');
    map.set(12, 3, 'twelve-three');
    expect(map.get(4026531840, 4026532000)).toBe('host>ns');
    expect(map.get(4026532000, 4026531840)).toBe('ns>host');
    expect(map.get(1, 23)).toBe('one-twentythree');
    expect(map.get(12, 3)).toBe('twelve-three');
    expect(map.has(1, 3)).toBe(false);
    expect(map.get(1, 3)).toBeUndefined();
    expect(map.has(2, 1)).toBe(false);
    map.set(1, 23, 'again');
    expect(map.get(1, 23)).toBe('again');
    expect([...map.values()]).toEqual(['host>ns', 'ns>host', 'again', 'twelve-three']);
  });

  it('gives its values grouped by the first number, each group in the order set', () => {
    const map = new PairMap<string>();
    map.set(1, 2, 'first');
    map.set(3, 4, 'second');
    map.set(1, 5, 'third');
    expect([...map.values()]).toEqual(['first', 'third', 'second']);
  });
});
