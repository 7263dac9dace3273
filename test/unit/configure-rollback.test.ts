// The all-or-nothing runner: undos run last first, the failing step's error
// is what the caller sees, and an undo that fails too is named in it.
import { describe, expect, it } from 'vitest';
import { allOrNothing } from '../../lib/configure/rollback';
import { NetnsError } from '../../lib/errors';

const refusal = () =>
  new NetnsError({ errno: -17, syscall: 'RTM_NEWLINK', path: 'va', step: 'renaming it', kernelMessage: 'taken' });

describe('allOrNothing', () => {
  it('returns the value when nothing fails, and runs no undo', () => {
    const undone: string[] = [];
    expect(
      allOrNothing((rollback) => {
        rollback.add('one', () => undone.push('one'));
        return 7;
      }),
    ).toBe(7);
    expect(undone).toEqual([]);
  });

  it("undoes last first and rethrows the failing step's own error", () => {
    const undone: string[] = [];
    const error = refusal();
    expect(() =>
      allOrNothing((rollback) => {
        rollback.add('one', () => undone.push('one'));
        rollback.add('two', () => undone.push('two'));
        throw error;
      }),
    ).toThrow(error);
    expect(undone).toEqual(['two', 'one']);
  });

  it('keeps going when an undo fails, and says what could not be undone', () => {
    const undone: string[] = [];
    let thrown: unknown;
    const original = refusal();
    try {
      allOrNothing((rollback) => {
        rollback.add('the first change', () => undone.push('one'));
        rollback.add('the mtu change', () => {
          throw new Error('device gone');
        });
        throw original;
      });
    } catch (error) {
      thrown = error;
    }
    expect(undone).toEqual(['one']);
    expect(thrown).toBeInstanceOf(NetnsError);
    const error = thrown as NetnsError;
    expect(error).toMatchObject({ code: 'EEXIST', step: 'renaming it', kernelMessage: 'taken' });
    expect(error.message).toMatch(/could not undo the mtu change: device gone/);
    // The refusal stays the cause, its description and hint kept.
    expect(error.cause).toBe(original);
    expect(error.message.startsWith(original.message.replace(/ \(.*\)$/, ''))).toBe(true);
  });
});
