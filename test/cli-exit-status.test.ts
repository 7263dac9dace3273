// The command line's exit statuses through runCli itself: a value the
// library refuses is bad usage (2, with the usage text), found before
// anything is opened; an internal error is 1, said as such, with its stack
// only when NETNS_NATIVE_DEBUG=1. (cli.test.ts runs the installed command.)
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../lib/cli/run';
import type { CliStreams } from '../lib/cli/output';

async function cli(argv: string[], options: { env?: NodeJS.ProcessEnv; stdoutFails?: Error } = {}) {
  let stdout = '';
  let stderr = '';
  const streams: CliStreams = {
    stdout: {
      write(text: string) {
        if (options.stdoutFails) throw options.stdoutFails;
        stdout += text;
      },
    },
    stderr: {
      write(text: string) {
        stderr += text;
      },
    },
    stdoutIsTTY: false,
    env: options.env ?? {},
  };
  const status = await runCli(argv, streams);
  return { status, stdout, stderr };
}

describe('exit statuses of runCli', () => {
  it.each([
    [['add', 'a/b'], /namespace name must not contain '\/'/, /^Usage: netns-native add/m],
    [['delete', '..'], /namespace name must not be '\.\.'/, /^Usage: netns-native delete/m],
    [['links', 'x/y'], /namespace name must not contain '\/'/, /^Usage: netns-native links/m],
    [['peer', 'eth 0'], /IFNAME "eth 0" must not contain/, /^Usage: netns-native peer/m],
    [['peer', 'x'.repeat(16)], /IFNAME must be 1 to 15 bytes/, /^Usage: netns-native peer/m],
    [['graph', 'a/b'], /namespace name must not contain '\/'/, /^Usage: netns-native graph/m],
    [['pids', '--container', 'a/b'], /container id or name must not contain '\/'/, /^Usage: netns-native pids/m],
  ])('%j: a value the library refuses is bad usage (2), and nothing was made', async (argv, problem, usage) => {
    const names = () => (fs.existsSync('/run/netns') ? fs.readdirSync('/run/netns') : []);
    const before = names();
    const { status, stdout, stderr } = await cli(argv);
    expect(status, stderr).toBe(2);
    expect(stdout).toBe('');
    const [first, ...rest] = stderr.split('\n');
    expect(first).toMatch(problem);
    expect(rest.join('\n')).toMatch(usage);
    expect(names().filter((name) => !before.includes(name))).toEqual([]);
  });

  it('an internal TypeError is exit 1 with its message, no usage text, and its stack only when asked', async () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'ifname')");
    const plain = await cli(['--version'], { stdoutFails: bug });
    expect(plain).toEqual({
      status: 1,
      stdout: '',
      stderr: "netns-native: internal error: Cannot read properties of undefined (reading 'ifname')\n",
    });
    const debugged = await cli(['--version'], { stdoutFails: bug, env: { NETNS_NATIVE_DEBUG: '1' } });
    expect(debugged.status).toBe(1);
    const [first, ...stack] = debugged.stderr.trimEnd().split('\n');
    expect(first).toBe(plain.stderr.trimEnd());
    expect(stack.join('\n')).toBe(bug.stack);
    expect(debugged.stderr).not.toMatch(/Usage:/);
  });

  it('the global help names the debug variable', async () => {
    expect((await cli(['--help'])).stdout).toMatch(/^NETNS_NATIVE_DEBUG=1 prints the stack of an error/m);
  });
});
