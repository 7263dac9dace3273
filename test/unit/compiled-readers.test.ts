// The readers compiled from a table or a struct's layout: they must build
// what the loop they replace built, key for key, and refuse a key that is
// not a plain identifier (it would be code).
import { describe, expect, it } from 'vitest';
import { compileRecordReader, compileStructReader } from '../../lib/rtnl/compiled-readers';
import { IFINFOMSG, NLMSGHDR } from '../../lib/rtnl/headers';

describe('compiled readers', () => {
  it('a record has its keys in order, and none that read undefined', () => {
    const read = compileRecordReader<{ n: number }>(
      ['first', 'skipped', 'last', 'zero', 'nothing'],
      [(s) => s.n, () => undefined, (s) => `n=${s.n}`, () => 0, () => null],
    );
    const record = read({ n: 7 });
    expect(Object.keys(record)).toEqual(['first', 'last', 'zero', 'nothing']);
    expect(record).toStrictEqual({ first: 7, last: 'n=7', zero: 0, nothing: null });
    expect(read({ n: 8 })).not.toBe(record); // a new object each time
  });

  it('a key that is not a plain identifier is refused before any code is made', () => {
    expect(() => compileRecordReader(['ok', 'a; process.exit()'], [() => 1, () => 2])).toThrow(/cannot be compiled/);
    expect(() => compileStructReader(['a-b'], [0], [() => 1])).toThrow(/cannot be compiled/);
    expect(() => compileRecordReader(['__proto__'], [() => ({})])).toThrow(/cannot be compiled/);
    expect(() => compileStructReader(['a'], [-1], [() => 1])).toThrow(/offsets/);
  });

  it('a struct reads every field at its offset from where it starts', () => {
    const bytes = Buffer.alloc(4 + NLMSGHDR.size);
    bytes.writeUInt32LE(0xfffffff0, 4); // length, past 2^31: read unsigned
    bytes.writeUInt16LE(16, 8);
    bytes.writeUInt16LE(0x302, 10);
    bytes.writeUInt32LE(9, 12);
    bytes.writeUInt32LE(1234, 16);
    expect(NLMSGHDR.decode(bytes, 4)).toStrictEqual({ length: 0xfffffff0, type: 16, flags: 0x302, seq: 9, pid: 1234 });
    const link = IFINFOMSG.encode({ family: 0, type: 772, index: -1, flags: 0x80000001, change: 0xffffffff });
    expect(IFINFOMSG.decode(link)).toStrictEqual({
      family: 0,
      type: 772,
      index: -1,
      flags: 0x80000001,
      change: 0xffffffff,
    });
    expect(() => IFINFOMSG.decode(link, 4)).toThrow(RangeError);
  });
});
