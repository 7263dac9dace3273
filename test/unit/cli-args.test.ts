// The command line's argument reading, exit statuses and table layout, without a kernel:
// what `exec` takes as its own and what it leaves to the command, and how
// columns line up with and without colour.
import { describe, expect, test } from 'vitest';
import {
  UsageError,
  checkArgument,
  expectPositionals,
  parseOptions,
  parsePid,
  parseWithCommand,
} from '../../lib/cli/args';
import { EXIT_FAILED, EXIT_USAGE, reportFailure } from '../../lib/cli/exit-status';
import { formatTable } from '../../lib/cli/table';

const EXEC_OPTIONS = { help: { type: 'boolean', short: 'h' }, pid: { type: 'string' } } as const;
const execArgs = (argv: string[]) =>
  parseWithCommand(argv, EXEC_OPTIONS, (values) => (values.pid === undefined ? 1 : 0));

describe('parseWithCommand (exec NS [--] CMD...)', () => {
  test.each([
    [['red', 'ip', '-br', 'link'], ['red'], ['ip', '-br', 'link']],
    [['red', '--', 'ip', '-br', 'link'], ['red'], ['ip', '-br', 'link']],
    [['--', 'red', 'ip'], ['red'], ['ip']],
    [['red', 'sh', '-c', 'echo -- "$0"', '--'], ['red'], ['sh', '-c', 'echo -- "$0"', '--']],
    [['--pid', '12', 'ip', 'a'], [], ['ip', 'a']],
    [['--pid=12', '--', '--weird-command'], [], ['--weird-command']],
    [['red'], ['red'], []],
  ])('%j: NS %j, command %j', (argv, positionals, command) => {
    const parsed = execArgs(argv);
    expect(parsed.positionals).toEqual(positionals);
    expect(parsed.command).toEqual(command);
  });

  test("options before NS are ours and checked; after NS they are the command's", () => {
    expect(() => execArgs(['--frob', 'red', 'ip'])).toThrow(new UsageError("unknown option '--frob'"));
    expect(execArgs(['-h']).values.help).toBe(true);
    expect(execArgs(['red', '-h']).values.help).toBeUndefined();
    expect(() => execArgs(['--pid'])).toThrow(new UsageError("option '--pid' needs a value"));
  });
});

describe('parseOptions and positionals', () => {
  const specs = { json: { type: 'boolean', short: 'J' }, format: { type: 'string', short: 'f' } } as const;

  test('short messages of our own for every mistake', () => {
    expect(() => parseOptions(['--nope'], specs)).toThrow("unknown option '--nope'");
    expect(() => parseOptions(['-x'], specs)).toThrow("unknown option '-x'");
    expect(() => parseOptions(['--json=1'], specs)).toThrow("option '--json' takes no value");
    expect(() => parseOptions(['-f'], specs)).toThrow("option '-f' needs a value");
    expect(() => parseOptions(['--constructor'], specs)).toThrow("unknown option '--constructor'");
    expect(parseOptions(['-Jf', 'dot', 'a', '--', '-b'], specs)).toEqual({
      values: { json: true, format: 'dot' },
      positionals: ['a', '-b'],
    });
  });

  test('positional counts and pids', () => {
    expect(() => expectPositionals([], ['NAME'])).toThrow('missing NAME');
    expect(() => expectPositionals(['a', 'b'], ['NAME'])).toThrow("unexpected argument 'b'");
    expect(() => expectPositionals(['a', 'b'], [], ['NS'])).toThrow("unexpected argument 'b'");
    expect(parsePid('4242')).toBe(4242);
    for (const bad of ['0', '-1', '12a', '1e3', '0x10', '', '99999999'])
      expect(() => parsePid(bad)).toThrow(UsageError);
  });
});

describe('formatTable', () => {
  const columns = [
    { header: 'NS', align: 'right' as const },
    { header: 'NAME', paint: (text: string) => `<${text}>` },
    { header: 'NOTE' },
  ];
  const rows = [
    ['1', 'lo', ''],
    ['4026531833', 'eth0\u001b[2J', 'x'],
  ];

  test('numbers right, text left, no trailing spaces, control characters shown as escapes', () => {
    expect(formatTable(columns, rows)).toEqual([
      '        NS  NAME           NOTE',
      '         1  lo',
      '4026531833  eth0\\u{1B}[2J  x',
    ]);
    expect(formatTable(columns, rows, { gap: 1 })[0]).toBe('        NS NAME          NOTE');
  });

  test('colour is applied after the widths are measured, never to the header or an empty cell', () => {
    expect(formatTable(columns, rows, { color: true })).toEqual([
      '        NS  NAME           NOTE',
      '         1  <lo>',
      '4026531833  <eth0\\u{1B}[2J>  x',
    ]);
  });
});

describe('exit statuses: only argument errors are bad usage', () => {
  test('a UsageError is 2 with the usage text; a NetnsError-like failure is 1 as it is', () => {
    expect(reportFailure(new UsageError("unknown option '-x'"))).toEqual({
      status: EXIT_USAGE,
      message: "unknown option '-x'",
      showUsage: true,
    });
    const failed = Object.assign(new Error('ENOENT: no such file or directory'), { code: 'ENOENT' });
    expect(reportFailure(failed)).toEqual({
      status: EXIT_FAILED,
      message: 'ENOENT: no such file or directory',
      showUsage: false,
    });
  });

  test.each([
    new TypeError("Cannot read properties of undefined (reading 'name')"),
    new RangeError('Invalid array length'),
    new ReferenceError('x is not defined'),
  ])('%s from inside is an internal error: 1, no usage text; its stack only when debugging', (error) => {
    expect(reportFailure(error)).toEqual({
      status: EXIT_FAILED,
      message: `internal error: ${error.message}`,
      showUsage: false,
    });
    const debugged = reportFailure(error, { debug: true });
    expect(debugged.status).toBe(EXIT_FAILED);
    expect(debugged.stack).toBe(error.stack);
    expect(debugged.stack).toMatch(/\n\s+at /);
  });

  test("checkArgument turns the library's refusal of a command-line value into a UsageError, and only that", () => {
    const refuse = (error: Error) => () =>
      checkArgument(() => {
        throw error;
      });
    expect(refuse(new TypeError("namespace name must not contain '/'"))).toThrow(
      new UsageError("namespace name must not contain '/'"),
    );
    expect(refuse(new RangeError('interface name must be 1 to 15 bytes long'))).toThrow(UsageError);
    const other = Object.assign(new Error('EPERM'), { code: 'EPERM' });
    expect(refuse(other)).toThrow(other);
    expect(() => checkArgument(() => undefined)).not.toThrow();
  });
});
