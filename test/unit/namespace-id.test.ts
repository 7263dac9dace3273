// net:[INO] read back: what readlink, lsns and NetNamespace#id print.
import { describe, expect, it } from 'vitest';
import { inoOfNetnsId } from '../../lib/nsfs/namespace-id';

describe('inoOfNetnsId', () => {
  it('reads the inode of a network namespace id', () => {
    expect(inoOfNetnsId('net:[4026531833]')).toBe(4026531833);
  });

  it('refuses other namespace types, other text and ids with anything around them', () => {
    for (const text of ['mnt:[4026531841]', 'net:[]', 'net:[12a]', ' net:[1]', 'net:[1] ', '/proc/1/ns/net', '']) {
      expect(inoOfNetnsId(text), text).toBeUndefined();
    }
  });
});
