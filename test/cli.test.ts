// @vitest-environment jsdom
// The netns-native command as a user gets it: the package is packed with
// `npm pack` (which runs `prepare`, as `npm publish` would), installed from
// the tarball into a scratch project with `npm install --offline`, and run as
// node_modules/.bin/netns-native, so npm's own bin linking (the symlink, the
// executable bit, the #! line) is part of what is tested. Its answers are
// compared with lsns, ip and Graphviz (its WebAssembly build) on this host, with everything it
// touches made by `ip` and removed after each test, pass or fail.
// (jsdom: Mermaid's parser needs a DOM for its sanitizer; nothing else here does.)
import { type SpawnOptions, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childrenOf, deadPid, killAndReap, onCleanup, repoRoot, run, startNetnsProcess, tryRun } from './helpers';
import { startFakeEngine } from './fake-engine';
import { addNamedNetns, deleteHostLinkAfter, ipBatch, ipJson, runTag } from './net-helpers';
import { runDot } from './unit/graphviz';
import { parseFlowchart } from './unit/mermaid-parse';
import { SVG_NAMESPACE, drawnGraph, parseSvg } from './unit/svg-xml';

let scratch = '';
let bin = '';

/** Runs a command to completion; its stdout, or a throw with its stderr. */
function runIn(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  return execFileSync(command, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
  });
}

/**
 * Where node-gyp should take Node's headers from: what npm install would use
 * (npm_config_nodedir, or nodedir in an npmrc), else the headers installed
 * with this node (PREFIX/include/node, as for /usr/bin/node from a distribution
 * or a tarball's bin/node), so that nothing is downloaded; else nothing, and
 * node-gyp fetches them as it would for npm install.
 */
function headersDir(): string | undefined {
  const configured = runIn('npm', ['config', 'get', 'nodedir'], { cwd: repoRoot }).trim();
  if (configured !== '' && configured !== 'undefined' && configured !== 'null') return undefined; // npm passes it on
  const prefix = path.dirname(path.dirname(process.execPath));
  const versionHeader = path.join(prefix, 'include', 'node', 'node_version.h');
  if (!fs.existsSync(versionHeader)) return undefined;
  const header = fs.readFileSync(versionHeader, 'utf8');
  const part = (name: string) => new RegExp(`^#define NODE_${name}_VERSION (\\d+)$`, 'm').exec(header)?.[1];
  const version = ['MAJOR', 'MINOR', 'PATCH'].map(part).join('.');
  return version === process.versions.node ? prefix : undefined;
}

let nodedir: string | undefined;

/** npm, offline, with Node's headers found as headersDir() says, compiling on every CPU. */
function npm(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): void {
  runIn('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd,
    env: { JOBS: 'max', ...env, ...(nodedir === undefined ? {} : { npm_config_nodedir: nodedir }) },
  });
}

beforeAll(() => {
  nodedir = headersDir();
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'nn-cli-'));
  const packs = path.join(scratch, 'packs');
  const project = path.join(scratch, 'project');
  fs.mkdirSync(packs);
  fs.mkdirSync(project);
  // Packing builds the prebuilds; this machine's own is all the install needs (and is one compile).
  npm(['pack', '--pack-destination', packs], repoRoot, { NETNS_NATIVE_PREBUILDS: 'host' });
  // The two runtime dependencies and the optional SVG renderer come from the
  // repo's own node_modules, packed the same way: the install needs no registry at all.
  for (const dependency of ['node-addon-api', 'node-gyp-build', '@viz-js/viz']) {
    npm(
      ['pack', path.join(repoRoot, 'node_modules', dependency), '--pack-destination', packs, '--ignore-scripts'],
      repoRoot,
    );
  }
  fs.writeFileSync(path.join(project, 'package.json'), '{ "name": "cli-user", "private": true }\n');
  const tarballs = fs.readdirSync(packs).map((file) => path.join(packs, file));
  npm(['install', '--offline', ...tarballs], project);
  bin = path.join(project, 'node_modules', '.bin', 'netns-native');
}, 360_000);

afterAll(() => {
  if (scratch !== '') fs.rmSync(scratch, { recursive: true, force: true });
});

interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface CliOptions {
  env?: NodeJS.ProcessEnv;
  input?: string;
  detached?: boolean;
  /** Called with the running process, e.g. to signal it. */
  started?: (pid: number) => void;
}

/** Runs the installed bin without blocking this event loop (the fake engine answers on it). */
function cli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const spawnOptions: SpawnOptions = {
    env: { ...process.env, ...options.env },
    detached: options.detached,
    stdio: ['pipe', 'pipe', 'pipe'],
  };
  const child = spawn(bin, args, spawnOptions);
  onCleanup(() => killAndReap(child));
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdin!.end(options.input ?? '');
  if (child.pid !== undefined) options.started?.(child.pid);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}

/** A successful run's stdout; a failed one throws with what it said. */
async function cliOk(args: string[], options: CliOptions = {}): Promise<string> {
  const result = await cli(args, options);
  if (result.status !== 0 || result.stderr !== '') {
    throw new Error(`netns-native ${args.join(' ')}: status ${result.status}, stderr: ${result.stderr}`);
  }
  return result.stdout;
}

async function cliJson<T>(args: string[], options: CliOptions = {}): Promise<T> {
  return JSON.parse(await cliOk(args, options)) as T;
}

/** The failure contract: a status, one line on stderr starting with our name, nothing on stdout. */
function expectOneLineFailure(result: CliResult, status: number, pattern: RegExp): void {
  expect(result.stdout).toBe('');
  expect(result.stderr.split('\n').filter(Boolean), result.stderr).toHaveLength(1);
  expect(result.stderr).toMatch(/^netns-native: /);
  expect(result.stderr).toMatch(pattern);
  expect(result.status).toBe(status);
}

/** Bad usage: status 2, the problem on the first line of stderr, then the usage text. */
function expectUsageError(result: CliResult, problem: RegExp, usage: RegExp): void {
  expect(result.status, result.stderr).toBe(2);
  expect(result.stdout).toBe('');
  const [first, ...rest] = result.stderr.split('\n');
  expect(first).toMatch(/^netns-native: /);
  expect(first).toMatch(problem);
  expect(rest.join('\n')).toMatch(usage);
}

const ESC = '\u001b';
const nameOf = (suffix: string) => `${runTag}c${suffix}`;
const inoOf = (file: string) => fs.statSync(file).ino;

/** Reads ours between two reads of the reference and retries until both of those agree. */
async function quietSnapshot<R, O>(reference: () => R, ours: () => Promise<O>): Promise<{ reference: R; ours: O }> {
  for (let attempt = 0; attempt < 30; attempt++) {
    const before = reference();
    const mine = await ours();
    const after = reference();
    if (JSON.stringify(before) === JSON.stringify(after)) return { reference: after, ours: mine };
  }
  throw new Error('the host never stayed quiet for one comparison (other tests are making and ending namespaces)');
}

const COMMANDS = [
  'list',
  'named',
  'add',
  'attach',
  'delete',
  'identify',
  'pids',
  'exec',
  'links',
  'peer',
  'graph',
  'monitor',
  'wait',
  'nsid',
];

describe('usage, help, version and exit statuses', () => {
  it('--version, --help, -h and help print to stdout and exit 0', async () => {
    const version = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version;
    expect(await cliOk(['--version'])).toBe(`netns-native ${version}\n`);
    expect(await cliOk(['-V'])).toBe(`netns-native ${version}\n`);
    const usage = await cliOk(['--help']);
    expect(usage).toMatch(/^Usage: netns-native \[-J\] COMMAND/);
    for (const command of COMMANDS) expect(usage).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    expect(await cliOk(['-h'])).toBe(usage);
    expect(await cliOk(['help'])).toBe(usage);
  });

  it('every subcommand has --help, to stdout, exit 0; -h, help COMMAND and -h COMMAND say the same', async () => {
    const texts = await Promise.all(COMMANDS.map((command) => cliOk([command, '--help'])));
    COMMANDS.forEach((command, i) => {
      expect(texts[i]).toMatch(new RegExp(`^Usage: netns-native ${command}\\b`));
      expect(texts[i]).toMatch(/-h, --help/);
      for (const line of texts[i].split('\n')) expect(line.length, `${command}: ${line}`).toBeLessThanOrEqual(80);
    });
    const exec = texts[COMMANDS.indexOf('exec')];
    expect(await Promise.all([cliOk(['exec', '-h']), cliOk(['help', 'exec']), cliOk(['-h', 'exec'])])).toEqual([
      exec,
      exec,
      exec,
    ]);
    // After NS, -h is the command's own option, not ours.
    expect(await cliOk(['exec', '--pid', String(process.pid), 'sh', '-c', 'echo "$0"', '-h'])).toBe('-h\n');
  });

  it('bad usage exits 2 with the problem and the usage text on stderr', async () => {
    const cases: Array<[string[], RegExp, RegExp]> = [
      [[], /missing COMMAND/, /^Usage: netns-native \[-J\] COMMAND/m],
      [['frobnicate'], /unknown command 'frobnicate'/, /^Usage: netns-native \[-J\]/m],
      [['--frob', 'list'], /unknown option '--frob'/, /^Usage: netns-native \[-J\]/m],
      [['list', '--frob'], /unknown option '--frob'/, /^Usage: netns-native list/m],
      [['list', '-x'], /unknown option '-x'/, /^Usage: netns-native list/m],
      [['list', 'extra'], /unexpected argument 'extra'/, /^Usage: netns-native list/m],
      [['add'], /missing NAME/, /^Usage: netns-native add NAME/m],
      [['add', 'a/b'], /must not contain '\/'/, /^Usage: netns-native add/m],
      [['attach', 'x'], /missing PID/, /^Usage: netns-native attach/m],
      [['attach', 'x', 'notapid'], /PID must be a process id/, /^Usage: netns-native attach/m],
      [['delete'], /missing NAME/, /^Usage: netns-native delete/m],
      [['pids'], /missing NS/, /^Usage: netns-native pids/m],
      [['exec'], /missing NS/, /^Usage: netns-native exec/m],
      [['exec', 'x'], /missing CMD/, /^Usage: netns-native exec/m],
      [['peer'], /missing IFNAME/, /^Usage: netns-native peer/m],
      [['wait'], /missing link, address, netns or veth/, /^Usage: netns-native wait/m],
      [['wait', 'veth', 'x'], /missing IFNAME/, /^Usage: netns-native wait/m],
      [['wait', 'veth', 'x', 'y', '--up'], /--up does not apply to wait veth/, /^Usage: netns-native wait/m],
      [['links', 'a', '--pid', '1'], /unexpected argument 'a'/, /^Usage: netns-native links/m],
      [['links', '--pid'], /option '--pid' needs a value/, /^Usage: netns-native links/m],
      [
        ['graph', '--format', 'png'],
        /--format must be one of text, dot, svg, mermaid, json/,
        /^Usage: netns-native graph/m,
      ],
      [['named', '--json=yes'], /option '--json' takes no value/, /^Usage: netns-native named/m],
    ];
    const results = await Promise.all(cases.map(([args]) => cli(args)));
    cases.forEach(([, problem, usage], i) => expectUsageError(results[i], problem, usage));
  });

  it('a failed operation exits 1 with one line on stderr', async () => {
    const unknown = nameOf('nosuch');
    expectOneLineFailure(await cli(['delete', unknown]), 1, new RegExp(`ENOENT: .*'/run/netns/${unknown}'`));
    expectOneLineFailure(await cli(['links', unknown]), 1, /ENOENT/);
    expectOneLineFailure(await cli(['exec', unknown, '--', 'true']), 1, /ENOENT/);
    expectOneLineFailure(await cli(['peer', 'lo']), 1, /EINVAL: lo in net:\[\d+\] is a loopback, not a veth/);
  });

  it('a DOCKER_HOST that is not unix:// fails --container with one line (exit 1), not with the usage text', async () => {
    const env = { DOCKER_HOST: 'tcp://127.0.0.1:2375' };
    const name = nameOf('tcp');
    onCleanup(() => tryRun('ip', ['netns', 'delete', name]));
    const runs = [
      ['links', '--container', 'web'],
      ['attach', name, '--container', 'web'],
      ['pids', '--container', 'web'],
      ['exec', '--container', 'web', '--', 'true'],
      ['peer', '--container', 'web', 'eth0'],
      ['graph', '--container', 'web'],
    ];
    const results = await Promise.all(runs.map((args) => cli(args, { env })));
    for (const result of results) {
      expectOneLineFailure(
        result,
        1,
        /EPROTONOSUPPORT: DOCKER_HOST cannot be used: only unix:\/\/ sockets .*'tcp:\/\/127/,
      );
      expect(result.stderr).not.toContain('socketPath'); // a shell user has no such option
    }
    expect(fs.existsSync(`/run/netns/${name}`)).toBe(false);
  });

  it("with no engine socket at all, --container's hint is in a shell user's words (DOCKER_HOST)", async (context) => {
    // The command line asks the real default sockets: a host with an engine cannot show this.
    const defaults = ['/var/run/docker.sock', '/run/podman/podman.sock'];
    if (defaults.some((socket) => fs.existsSync(socket))) context.skip();
    const env = { DOCKER_HOST: '', XDG_RUNTIME_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'nn-cli-xdg-')) };
    onCleanup(() => fs.rmSync(env.XDG_RUNTIME_DIR, { recursive: true, force: true }));
    const result = await cli(['links', '--container', 'web'], { env });
    expectOneLineFailure(result, 1, /ENOENT: no container engine socket on this host/);
    expect(result.stderr.trimEnd().endsWith('running? set DOCKER_HOST=unix:///path/to/engine.sock)')).toBe(true);
    expect(result.stderr).not.toContain('socketPath');
  });
});

describe('list, named: lsns and ip netns list on the same host', () => {
  interface LsnsRow {
    ns: number;
    type: string;
    nprocs: number;
    pid: number | null;
    user: string | null;
    netnsid: string;
    nsfs: string | null;
    command: string | null;
  }
  const lsns = (): LsnsRow[] =>
    JSON.parse(run('lsns', ['-J', '-l', '-t', 'net', '-o', 'NS,TYPE,NPROCS,PID,USER,NETNSID,NSFS,COMMAND'])).namespaces;

  it('list -J has every namespace lsns -J has, key for key and value for value', async () => {
    // Premises: a named namespace with a process and an nsid, and one with a process only.
    const name = addNamedNetns(nameOf('ls'));
    run('ip', ['netns', 'set', name, 'auto']);
    const inside = spawn('ip', ['netns', 'exec', name, 'sleep', '60'], { stdio: 'ignore' });
    onCleanup(() => killAndReap(inside));
    const container = startNetnsProcess();
    for (let i = 0; fs.readlinkSync(`/proc/${inside.pid}/ns/net`) !== `net:[${inoOf(`/run/netns/${name}`)}]`; i++) {
      if (i === 500) throw new Error('ip netns exec never entered the namespace');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }

    // Each of lsns and our command counts itself in the host namespace: the counts match.
    const { reference, ours } = await quietSnapshot(lsns, () =>
      cliJson<{ namespaces: LsnsRow[] }>(['list', '-J']).then((answer) => answer.namespaces),
    );
    expect(reference.length).toBeGreaterThanOrEqual(3);
    for (const row of reference) {
      const mine = ours.find((entry) => entry.ns === row.ns);
      expect(mine, `namespace ${row.ns}`).toEqual(row);
      expect(Object.keys(mine!)).toEqual(Object.keys(row));
    }
    // lsns 2.38 does not list namespaces no process is in (a name only); we do, as newer lsns.
    for (const extra of ours.filter((entry) => !reference.some((row) => row.ns === entry.ns))) {
      expect(extra).toMatchObject({ nprocs: 0, pid: null, command: null, type: 'net' });
      expect(extra.nsfs).not.toBeNull();
    }
    const named = reference.find((row) => row.nsfs === `/run/netns/${name}`);
    expect(named).toMatchObject({ nprocs: 1, pid: inside.pid, command: 'sleep 60' });
    expect(named?.netnsid).toMatch(/^\d+$/);
    expect(reference.find((row) => row.pid === container.pid)?.netnsid).toBe('unassigned');
    // -J before the subcommand (as ip -j) is the same.
    expect(Object.keys(await cliJson<object>(['-J', 'list']))).toEqual(['namespaces']);
  });

  it("list prints an aligned table with lsns's columns", async () => {
    const lines = (await cliOk(['list'])).trimEnd().split('\n');
    expect(lines[0].split(/ +/).filter(Boolean)).toEqual([
      'NS',
      'TYPE',
      'NPROCS',
      'PID',
      'USER',
      'NETNSID',
      'NSFS',
      'COMMAND',
    ]);
    const host = `${inoOf('/proc/self/ns/net')}`;
    expect(lines.some((line) => line.startsWith(host))).toBe(true);
    // Right-aligned NS: every row's NS ends in the same column as the header's.
    const end = lines[0].indexOf('NS') + 2;
    for (const line of lines.slice(1)) expect(line.slice(0, end)).toMatch(/^ *\d+$/);
  });

  it('named -J is ip -j netns list: the same names, with the id where one is assigned', async () => {
    const a = addNamedNetns(nameOf('na'));
    const b = addNamedNetns(nameOf('nb'));
    run('ip', ['netns', 'set', a, 'auto']);
    const byName = (entries: Array<{ name: string }>) => [...entries].sort((x, y) => x.name.localeCompare(y.name));
    const { reference, ours } = await quietSnapshot(
      () => byName(ipJson<Array<{ name: string }>>(undefined, ['netns', 'list'])),
      async () => byName(await cliJson<Array<{ name: string; id?: number }>>(['named', '-J'])),
    );
    expect(ours).toEqual(reference);
    expect(ours.find((entry) => entry.name === a)).toEqual({ name: a, id: expect.any(Number) });
    expect(ours.find((entry) => entry.name === b)).toEqual({ name: b });
    const table = await cliOk(['named']);
    expect(table.split('\n')[0].split(/ +/)).toEqual(['NAME', 'NS', 'NETNSID']);
    expect(table).toMatch(new RegExp(`^${b} +${inoOf(`/run/netns/${b}`)} +unassigned$`, 'm'));
  });
});

describe('add, delete, attach, identify, pids: seen by ip netns', () => {
  it('add makes a name ip netns lists and can enter; delete removes it; a second add is EEXIST', async () => {
    const name = nameOf('add');
    onCleanup(() => tryRun('ip', ['netns', 'delete', name]));
    expect(await cliOk(['add', name])).toBe('');
    expect(run('ip', ['netns', 'list'])).toMatch(new RegExp(`^${name}( |$)`, 'm'));
    expect(run('ip', ['netns', 'exec', name, 'readlink', '/proc/self/ns/net'])).toBe(
      `net:[${inoOf(`/run/netns/${name}`)}]`,
    );
    expectOneLineFailure(await cli(['add', name]), 1, /EEXIST/);
    expect(await cliOk(['delete', name])).toBe('');
    expect(run('ip', ['netns', 'list'])).not.toMatch(new RegExp(`^${name}( |$)`, 'm'));
    expect(fs.existsSync(`/run/netns/${name}`)).toBe(false);
  });

  it("attach NAME PID names the process's namespace: ip netns identify and pids agree", async () => {
    const process1 = startNetnsProcess();
    const name = nameOf('att');
    onCleanup(() => tryRun('ip', ['netns', 'delete', name]));
    expect(await cliOk(['attach', name, String(process1.pid)])).toBe('');
    expect(run('ip', ['netns', 'identify', String(process1.pid)])).toBe(name);
    expect(await cliOk(['identify', String(process1.pid)])).toBe(`${name}\n`);
    expect(await cliJson(['identify', '-J', String(process1.pid)])).toEqual([{ name }]);
    expect(await cliOk(['pids', name])).toBe(`${run('ip', ['netns', 'pids', name])}\n`);
    expect(await cliJson(['pids', '-J', name])).toEqual([{ pid: process1.pid }]);
    expect(await cliOk(['pids', '--pid', String(process1.pid)])).toBe(`${process1.pid}\n`);
    // A second name for the same namespace: identify prints both (ip only the last it finds).
    const second = nameOf('att2');
    onCleanup(() => tryRun('ip', ['netns', 'delete', second]));
    await cliOk(['attach', second, String(process1.pid)]);
    expect((await cliOk(['identify', String(process1.pid)])).split('\n').filter(Boolean).sort()).toEqual(
      [name, second].sort(),
    );
    expect(await cliOk(['identify', String(process.pid)])).toBe('');
    expectOneLineFailure(await cli(['attach', nameOf('att3'), '4194304']), 1, /ESRCH/);
    expect(fs.existsSync(`/run/netns/${nameOf('att3')}`)).toBe(false);
  });

  it("attach NAME --container C asks the Engine API (DOCKER_HOST) and names the container's namespace", async () => {
    const engine = await startFakeEngine();
    const process1 = startNetnsProcess();
    engine.add({ name: 'web', pid: process1.pid });
    const env = { DOCKER_HOST: `unix://${engine.socketPath}` };
    const name = nameOf('web');
    onCleanup(() => tryRun('ip', ['netns', 'delete', name]));
    expect(await cliOk(['attach', name, '--container', 'web'], { env })).toBe('');
    expect(run('ip', ['netns', 'identify', String(process1.pid)])).toBe(name);
    expect(engine.requests.some((request) => /\/containers\/web\/json$/.test(request.url))).toBe(true);
    expect(await cliOk(['pids', '--container', 'web'], { env })).toBe(`${process1.pid}\n`);
    const missing = await cli(['attach', nameOf('nope'), '--container', 'nosuch'], { env });
    expectOneLineFailure(missing, 1, /ENOENT: .*nosuch/);
    expect(fs.existsSync(`/run/netns/${nameOf('nope')}`)).toBe(false);
  });
});

describe('exec: ip netns exec semantics, the status passed through', () => {
  it('runs inside the namespace, in its own mount namespace, with our stdio', async () => {
    const name = addNamedNetns(nameOf('ex'));
    const id = `net:[${inoOf(`/run/netns/${name}`)}]`;
    expect(await cliOk(['exec', name, '--', 'readlink', '/proc/self/ns/net'])).toBe(`${id}\n`);
    // Without `--`, options after NS are the command's, as with ip netns exec.
    expect(await cliOk(['exec', name, 'ip', '-j', 'link', 'show', 'lo'])).toMatch(/"ifname":"lo"/);
    expect(await cliOk(['exec', `/run/netns/${name}`, 'readlink', '/proc/self/ns/net'])).toBe(`${id}\n`);
    const mountNs = (await cliOk(['exec', name, '--', 'readlink', '/proc/self/ns/mnt'])).trim();
    expect(mountNs).not.toBe(fs.readlinkSync('/proc/self/ns/mnt'));
    expect(await cliOk(['exec', name, '--', 'cat'], { input: 'through stdin\n' })).toBe('through stdin\n');
    const both = await cli(['exec', name, '--', 'sh', '-c', 'echo out; echo err >&2']);
    expect(both).toMatchObject({ status: 0, stdout: 'out\n', stderr: 'err\n' });
  });

  it('passes the exit status through: codes, 128+N for a signal, 127 and 126 when it cannot run', async () => {
    const name = addNamedNetns(nameOf('st'));
    expect((await cli(['exec', name, '--', 'sh', '-c', 'exit 7'])).status).toBe(7);
    expect((await cli(['exec', name, '--', 'false'])).status).toBe(1);
    expect((await cli(['exec', name, '--', 'sh', '-c', 'kill -TERM $$'])).status).toBe(143);
    expect((await cli(['exec', name, '--', 'sh', '-c', 'kill -KILL $$'])).status).toBe(137);
    expectOneLineFailure(
      await cli(['exec', name, '--', 'no-such-command-here']),
      127,
      /cannot run 'no-such-command-here': ENOENT/,
    );
    // Not executable (EACCES), and executable but no program (ENOEXEC).
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nn-cli-exec-'));
    onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
    fs.writeFileSync(path.join(dir, 'data'), 'not a program\n', { mode: 0o644 });
    fs.writeFileSync(path.join(dir, 'garbage'), '\u0000\u0001\u0002 not a program\n', { mode: 0o755 });
    expectOneLineFailure(
      await cli(['exec', name, '--', `${dir}/data`]),
      126,
      /cannot run '.*\/data': EACCES: permission denied$/m,
    );
    expectOneLineFailure(
      await cli(['exec', name, '--', `${dir}/garbage`]),
      126,
      /cannot run '.*\/garbage': ENOEXEC: exec format error$/m,
    );
  });

  /**
   * A command that counts the SIGINTs it gets, says when it is ready, and
   * exits 5, at the first SIGINT or after `seconds`. (Its `sleep &` ignores
   * SIGINT, as a non-interactive shell's background commands do.)
   */
  const countInts = (seconds: number) =>
    `n=0; trap 'n=$((n+1))' INT; sleep ${seconds} & s=$!; echo ready; wait $s; kill $s 2>/dev/null; echo ints=$n; exit 5`;

  it('passes SIGTERM and SIGINT sent to it on to the command', async () => {
    const name = addNamedNetns(nameOf('sig'));
    let cliPid = 0;
    const terminated = cli(['exec', name, '--', 'sleep', '30'], {
      detached: true,
      started: (pid) => {
        cliPid = pid;
      },
    });
    await until(() => childrenOf(cliPid).length > 0);
    // As soon as the command is seen (the clone may still be waiting for its exec).
    process.kill(cliPid, 'SIGTERM');
    const result = await terminated;
    expect(result).toMatchObject({ status: 143, signal: null });

    // Not from a terminal (a new session: no controlling terminal): SIGINT is passed on, once.
    const interrupted = cli(['exec', name, '--', 'sh', '-c', countInts(20)], {
      detached: true,
      started: (pid) => {
        cliPid = pid;
      },
    });
    await until(() => childrenOf(cliPid).some((child) => childrenOf(child.pid).length > 0));
    process.kill(cliPid, 'SIGINT');
    expect(await interrupted).toMatchObject({ status: 5, stdout: 'ready\nints=1\n' });
  });

  /**
   * Runs `exec NAME -- sh -c countInts(seconds); echo status=$?` under
   * script(1), on a pseudo-terminal of its own, and calls `ready` with what
   * a test needs once the command has said it is ready. Resolves to the output.
   */
  async function onTerminal(
    name: string,
    seconds: number,
    ready: (terminal: { type(text: string): void; cliPid(): number }) => void,
  ): Promise<string> {
    const quoted = countInts(seconds).replace(/'/g, "'\\''");
    // script(1) runs the line under $SHELL, which is in the terminal's foreground
    // group too and so gets a typed ^C. bash waits for its command and goes on
    // when the command did not die of it; a non-interactive dash (/bin/sh, the
    // fallback where SHELL is unset, as in CI) dies at once and never says status.
    const script = spawn('script', ['-qec', `${bin} exec ${name} -- sh -c '${quoted}'; echo status=$?`, '/dev/null'], {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, SHELL: '/bin/bash' },
    });
    onCleanup(() => killAndReap(script));
    // Our node process, not the shell whose -c line names the bin too.
    const cliPid = () => {
      const pid = descendants(script.pid!).find((child) =>
        commandLine(child).split(' ')[1]?.endsWith('.bin/netns-native'),
      );
      if (pid === undefined) throw new Error("the command line's process is not among script's descendants");
      return pid;
    };
    let output = '';
    let told = false;
    script.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (told || !output.includes('ready')) return;
      told = true;
      ready({ type: (text) => script.stdin!.write(text), cliPid });
    });
    await new Promise((resolve) => script.once('close', resolve));
    return output.replace(/\r/g, '');
  }

  it('Ctrl-C on a terminal reaches the command (from the terminal) and we report its status', async () => {
    const name = addNamedNetns(nameOf('tty'));
    // ^C typed makes the terminal send SIGINT to its whole foreground process group.
    const output = await onTerminal(name, 5, (terminal) => terminal.type('\u0003'));
    expect(output).toMatch(/ints=1\nstatus=5\n/);
  });

  it("in a terminal's foreground, a SIGINT sent to us alone is not passed on (the terminal sends its own)", async () => {
    const name = addNamedNetns(nameOf('fg'));
    const output = await onTerminal(name, 1, (terminal) => process.kill(terminal.cliPid(), 'SIGINT'));
    expect(output).toMatch(/ints=0\nstatus=5\n/);
  });
});

/** Every process below `pid`, read from /proc. */
function descendants(pid: number): number[] {
  return childrenOf(pid).flatMap((child) => [child.pid, ...descendants(child.pid)]);
}

function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; !condition(); i++) {
    if (i === 500) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('links and peer: against ip on a veth pair made with ip', () => {
  /**
   * NAME with lo up, a veth pair inside, a veth to the host, a bridge with a
   * port, v4+v6 addresses. The bridge stays down: an up bridge loses its
   * carrier some time later, and reads made one after the other must agree.
   */
  function buildNetwork(): { name: string; hostEnd: string } {
    const name = addNamedNetns(nameOf('net'));
    const hostEnd = `${runTag}h0`;
    run('ip', ['netns', 'exec', name, 'sysctl', '-qw', 'net.ipv6.conf.default.accept_dad=0']);
    run('ip', ['link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', name]);
    deleteHostLinkAfter(hostEnd);
    ipBatch(name, [
      'link set lo up',
      'link set eth0 up mtu 1450',
      'addr add 10.66.0.2/24 dev eth0',
      'addr add 10.66.0.3/24 dev eth0',
      'addr add fd66::2/64 dev eth0',
      'link add br0 type bridge',
      'link add p1 type veth peer name p1x',
      'link set p1 master br0',
      'addr add 10.67.0.1/24 brd + dev br0',
    ]);
    return { name, hostEnd };
  }

  it('links -J: the fields of ip -j link, linkinfo of ip -j -d link, addr_info of ip -j addr', async () => {
    const { name } = buildNetwork();
    type IpEntry = Record<string, unknown> & { ifindex: number };
    // Only what is compared: -d also prints bridge timers, which never stand still.
    const readIp = () => {
      const link = ipJson<IpEntry[]>(name, ['link']);
      const detailed = ipJson<IpEntry[]>(name, ['-d', 'link']);
      const addr = ipJson<IpEntry[]>(name, ['addr']);
      return link.map((entry): IpEntry => {
        const linkinfo = detailed.find((d) => d.ifindex === entry.ifindex)?.linkinfo as object | undefined;
        const addrInfo = addr.find((a) => a.ifindex === entry.ifindex)?.addr_info as Array<Record<string, unknown>>;
        return {
          ...entry,
          ...(linkinfo ? { linkinfo: pick(linkinfo, ['info_kind', 'info_slave_kind']) } : {}),
          addr_info: addrInfo.map((info) => omit(info, ['valid_life_time', 'preferred_life_time'])),
        };
      });
    };
    const { reference, ours } = await quietSnapshot(readIp, () => cliJson<IpEntry[]>(['links', '-J', name]));
    expect(ours.map((entry) => entry.ifindex)).toEqual(reference.map((entry) => entry.ifindex));
    for (const [i, mine] of ours.entries()) {
      const ip = reference[i];
      // Every key we print is ip's, with ip's value; of ip's, only linkmode (and the
      // address lifetimes) are not in the model.
      for (const [key, value] of Object.entries(mine)) expect(value, `${mine.ifname} ${key}`).toEqual(ip[key]);
      expect(
        Object.keys(ip).filter((key) => !(key in mine)),
        `${mine.ifname}`,
      ).toEqual(['linkmode']);
    }
    // The premises: a veth across namespaces, one inside, a bridge port, addresses of both families.
    const entry = (ifname: string) => ours.find((link) => link.ifname === ifname)!;
    expect(entry('eth0')).toMatchObject({
      mtu: 1450,
      link_netnsid: expect.any(Number),
      linkinfo: { info_kind: 'veth' },
    });
    expect(entry('p1')).toMatchObject({
      link: 'p1x',
      master: 'br0',
      linkinfo: { info_kind: 'veth', info_slave_kind: 'bridge' },
    });
    expect(entry('br0').addr_info).toEqual([expect.objectContaining({ local: '10.67.0.1', broadcast: '10.67.0.255' })]);
    expect((entry('eth0').addr_info as unknown[]).length).toBeGreaterThanOrEqual(3);
  });

  it('links NS, --pid P and an nsfs path name the same namespace; the default is ours', async () => {
    const { name } = buildNetwork();
    const inside = spawn('ip', ['netns', 'exec', name, 'sleep', '60'], { stdio: 'ignore' });
    onCleanup(() => killAndReap(inside));
    await until(() => fs.readlinkSync(`/proc/${inside.pid}/ns/net`) === `net:[${inoOf(`/run/netns/${name}`)}]`);
    const byName = await cliOk(['links', name]);
    expect(await cliOk(['links', '--pid', String(inside.pid)])).toBe(byName);
    expect(await cliOk(['links', `/run/netns/${name}`])).toBe(byName);
    const lines = byName.trimEnd().split('\n');
    expect(lines[0].split(/ +/)).toEqual(['IFINDEX', 'NAME', 'KIND', 'STATE', 'MTU', 'MAC', 'MASTER', 'ADDRESSES']);
    expect(byName).toMatch(
      /^ +\d+ {2}eth0@if\d+ +veth +\S+ +1450 +[0-9a-f:]{17} +10\.66\.0\.2\/24 10\.66\.0\.3\/24 fd66::2\/64/m,
    );
    expect(byName).toMatch(/^ +\d+ {2}p1@p1x +veth +\S+ +1500 +[0-9a-f:]{17} {2}br0 *$/m);
    const ours = await cliJson<Array<{ ifname: string }>>(['links', '-J']);
    expect(ours.map((link) => link.ifname)).toEqual(
      ipJson<Array<{ ifname: string }>>(undefined, ['link']).map((link) => link.ifname),
    );
  });

  it('peer finds each end of a veth pair from the other, across namespaces and inside one', async () => {
    const { name, hostEnd } = buildNetwork();
    const hostId = `net:[${inoOf('/proc/self/ns/net')}]`;
    const nsIno = inoOf(`/run/netns/${name}`);
    const hostIndex = ipJson<Array<{ ifindex: number }>>(undefined, ['link', 'show', hostEnd])[0].ifindex;
    const eth0Index = ipJson<Array<{ ifindex: number }>>(name, ['link', 'show', 'eth0'])[0].ifindex;

    const fromInside = await cliJson<Record<string, unknown>>(['peer', '-J', name, 'eth0']);
    expect(fromInside).toEqual({
      format: 1,
      ifindex: hostIndex,
      ifname: hostEnd,
      ns: { id: hostId, ino: inoOf('/proc/self/ns/net'), names: [], pids: expect.arrayContaining([process.pid]) },
    });
    const fromHost = await cliJson<Record<string, unknown>>(['peer', '-J', `/proc/${process.pid}/ns/net`, hostEnd]);
    expect(fromHost).toEqual({
      format: 1,
      ifindex: eth0Index,
      ifname: 'eth0',
      ns: { id: `net:[${nsIno}]`, ino: nsIno, names: [name], pids: [] },
    });
    expect(await cliJson(['peer', '-J', '--pid', String(process.pid), hostEnd])).toEqual(fromHost);
    expect(await cliJson(['peer', '-J', hostEnd])).toEqual(fromHost);
    const p1 = await cliJson<{ ifname: string; ns: { names: string[] } }>(['peer', '-J', name, 'p1']);
    expect(p1).toMatchObject({ ifname: 'p1x', ns: { names: [name] } });

    const table = (await cliOk(['peer', name, 'eth0'])).split('\n');
    expect(table[0].split(/ +/)).toEqual(['IFINDEX', 'IFNAME', 'NS', 'NAMES', 'PIDS']);
    expect(table[1]).toMatch(new RegExp(`^ *${hostIndex} {2}${hostEnd} +net:\\[\\d+\\] +\\d`));
    expectOneLineFailure(await cli(['peer', name, 'nosuch0']), 1, /ENODEV: no interface nosuch0/);
    expectOneLineFailure(await cli(['peer', name, 'br0']), 1, /EINVAL: br0 .* is a bridge, not a veth/);
  });
});

function pick(object: object, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([key]) => keys.includes(key)));
}

function omit(object: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([key]) => !keys.includes(key)));
}

describe('graph: the picture, drawn by Graphviz and read by Mermaid', () => {
  /**
   * Two named namespaces joined by a veth pair, one with a bridge and a port;
   * returned once it has settled (both ends UP, no tentative IPv6 address; the
   * bridge left down, as an up bridge loses its carrier some time later), so
   * that maps made one after the other are the same.
   */
  async function buildLab(): Promise<{ a: string; b: string }> {
    const a = addNamedNetns(nameOf('ga'));
    const b = addNamedNetns(nameOf('gb'));
    for (const ns of [a, b]) run('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.default.accept_dad=0']);
    ipBatch(a, [
      'link add eth0 type veth peer name eth0 netns ' + b,
      'link add br0 type bridge',
      'link add p1 type veth peer name p1x',
      'link set p1 master br0',
      'link set eth0 up',
      'addr add 10.68.0.1/24 dev eth0',
    ]);
    ipBatch(b, ['link set eth0 up', 'addr add 10.68.0.2/24 dev eth0']);
    const up = (ns: string) => ipJson<Array<{ operstate: string }>>(ns, ['link', 'show', 'eth0'])[0].operstate === 'UP';
    await until(() => up(a) && up(b));
    return { a, b };
  }

  it('--format dot is drawn by Graphviz without a message', async () => {
    const { a, b } = await buildLab();
    const dot = await cliOk(['graph', '--format', 'dot', a, b]);
    expect(dot).toMatch(/^\/\/ netns-native topology/);
    const drawn = await runDot(dot);
    expect(drawn.messages).toEqual([]);
    expect(drawn.status).toBe('success');
    expect(drawn.svg).toContain(a);
    // The whole host too (the default), left to right.
    const whole = await runDot(await cliOk(['graph', '-f', 'dot', '--direction', 'LR', '--no-containers']));
    expect(whole).toMatchObject({ status: 'success', messages: [] });
  });

  const escaped = (text: string) => text.replace(/[[\]]/g, '\\$&');
  const pairEdge = (one: string, other: string) =>
    new RegExp(`^(${escaped(one)}->${escaped(other)}|${escaped(other)}->${escaped(one)})$`);

  it('--format svg is a standalone SVG document, drawn here: a cluster per namespace, the veth an edge', async () => {
    const { a, b } = await buildLab();
    const svg = await cliOk(['graph', '--format', 'svg', a, b]);
    expect(svg).toMatch(/^<\?xml version="1\.0" encoding="UTF-8" standalone="no"\?>\n/);
    const root = parseSvg(svg);
    expect([root.tagName, root.namespaceURI]).toEqual(['svg', SVG_NAMESPACE]);
    const [idA, idB] = [a, b].map((name) => `net:[${inoOf(`/run/netns/${name}`)}]`);
    const drawn = drawnGraph(root);
    expect(drawn.clusters.sort()).toEqual([`cluster_${idA}`, `cluster_${idB}`].sort());
    expect(drawn.texts).toEqual(expect.arrayContaining([`names: ${a}`, `names: ${b}`, '10.68.0.1/24', '10.68.0.2/24']));
    // The veth pair between the two (either way round), and the port pointing at its bridge.
    expect(drawn.edges).toContainEqual(expect.stringMatching(pairEdge(`${idA}/eth0`, `${idB}/eth0`)));
    expect(drawn.edges).toContain(`${idA}/p1->${idA}/br0`);
    const leftRight = parseSvg(await cliOk(['graph', '-f', 'svg', '--direction', 'LR', a, b]));
    expect(drawnGraph(leftRight).edges.sort()).toEqual(drawn.edges.sort());
  });

  it('without its optional renderer package, svg is one clear failure and the other formats still work', async () => {
    const { a } = await buildLab();
    const installed = path.join(scratch, 'project', 'node_modules', '@viz-js', 'viz');
    const hidden = `${installed}.hidden`;
    fs.renameSync(installed, hidden);
    try {
      const result = await cli(['graph', '--format', 'svg', a]);
      expectOneLineFailure(result, 1, /optional package @viz-js\/viz .*`npm install @viz-js\/viz`/);
      expect(await cliOk(['graph', '--format', 'dot', a])).toMatch(/^\/\/ netns-native topology/);
    } finally {
      fs.renameSync(hidden, installed);
    }
  });

  it("--format mermaid is read by Mermaid's own parser: a subgraph per namespace, the veth a link", async () => {
    const { a, b } = await buildLab();
    const text = await cliOk(['graph', '--format', 'mermaid', a, b]);
    const chart = await parseFlowchart(text);
    expect(chart.subgraphs).toHaveLength(2);
    expect(chart.config).toEqual({});
    for (const id of [...chart.vertices.map((v) => v.id), ...chart.subgraphs.map((s) => s.id)]) {
      expect(id).toMatch(/^[A-Za-z0-9_]+$/);
    }
    // The veth pair between the two (open link) and the port to its bridge (arrow).
    expect(chart.edges.length).toBeGreaterThanOrEqual(3);
    expect(text).toMatch(/^flowchart TB\n/);
  });

  it('--format json (and -J) is the topology model, format 1, with the pair and the container name', async () => {
    const { a, b } = await buildLab();
    const engine = await startFakeEngine();
    const process1 = startNetnsProcess();
    engine.add({ name: 'db', pid: process1.pid });
    const env = { DOCKER_HOST: `unix://${engine.socketPath}` };
    interface Model {
      format: number;
      namespaces: Array<{ id: string; names: string[]; pids: number[]; container?: { name: string } }>;
      vethPairs: Array<{ a: { ns: string; name: string }; b: { ns: string; name: string } }>;
    }
    const model = await cliJson<Model>(['graph', '--format', 'json', a, b, '--pid', String(process1.pid)], { env });
    expect(model.format).toBe(1);
    expect(model.namespaces.map((ns) => ns.names)).toEqual(expect.arrayContaining([[a], [b]]));
    const [idA, idB] = [a, b].map((name) => `net:[${inoOf(`/run/netns/${name}`)}]`);
    expect(model.vethPairs.map(({ a: one, b: other }) => [one.ns, other.ns].sort())).toContainEqual([idA, idB].sort());
    expect(model.namespaces.find((ns) => ns.pids.includes(process1.pid))?.container?.name).toBe('db');
    expect(await cliJson<Model>(['graph', '-J', a, b, '--pid', String(process1.pid)], { env })).toEqual(model);
    expect(await cliJson<Model>(['-J', 'graph', a, b, '--pid', String(process1.pid)], { env })).toEqual(model);
    // An engine that answers garbage costs a warning, not the picture.
    engine.misbehaviour = 'garbage';
    const warned = await cli(['graph', '-J', a], { env });
    expect(warned.status).toBe(0);
    expect(warned.stderr).toMatch(/^netns-native: warning: topology: enrichment step 'containers' failed: .*\n$/);
    expect(JSON.parse(warned.stdout).format).toBe(1);
  });

  it("--container C (repeatable) maps containers' namespaces, named; an engine it cannot use names none", async () => {
    const engine = await startFakeEngine();
    const [web, db] = [startNetnsProcess(), startNetnsProcess()];
    engine.add({ name: 'web', pid: web.pid });
    engine.add({ name: 'db', pid: db.pid });
    const env = { DOCKER_HOST: `unix://${engine.socketPath}` };
    interface Model {
      namespaces: Array<{ id: string; container?: { name: string } }>;
    }
    const idOf = (pid: number) => fs.readlinkSync(`/proc/${pid}/ns/net`);
    const model = await cliJson<Model>(['graph', '-J', '--container', 'web', '--container', 'db'], { env });
    expect(model.namespaces.map((ns) => [ns.id, ns.container?.name]).sort()).toEqual(
      [
        [idOf(web.pid), 'web'],
        [idOf(db.pid), 'db'],
      ].sort(),
    );
    expectOneLineFailure(
      await cli(['graph', '--container', 'nosuch'], { env }),
      1,
      /ENOENT: No such container: nosuch/,
    );
    // A DOCKER_HOST this library cannot use is, for a picture, an engine out of reach: no names, no warning.
    const unnamed = await cli(['graph', '-J', '--pid', String(web.pid)], {
      env: { DOCKER_HOST: 'tcp://127.0.0.1:2375' },
    });
    expect(unnamed).toMatchObject({ status: 0, stderr: '' });
    expect((JSON.parse(unnamed.stdout) as Model).namespaces.map((ns) => [ns.id, ns.container])).toEqual([
      [idOf(web.pid), undefined],
    ]);
  });

  it('a namespace asked for that does not exist fails with one line, whether an id, a name or a pid', async () => {
    const inside = startNetnsProcess();
    const id = fs.readlinkSync(`/proc/${inside.pid}/ns/net`);
    const model = await cliJson<{ namespaces: Array<{ id: string; error?: unknown }> }>([
      'graph',
      '-J',
      id,
      '--no-containers',
    ]);
    expect(model.namespaces).toEqual([expect.objectContaining({ id })]);
    expect(model.namespaces[0].error).toBeUndefined();
    const results = await Promise.all(
      [
        ['graph', 'net:[1]'],
        ['graph', '-J', id, 'net:[1]'],
        ['graph', nameOf('nosuch')],
        ['graph', '--pid', String(deadPid())],
      ].map((args) => cli(args)),
    );
    expectOneLineFailure(results[0], 1, /ENOENT: no such network namespace on this host .*'net:\[1\]'/);
    expectOneLineFailure(results[1], 1, /ENOENT: no such network namespace on this host .*'net:\[1\]'/);
    expectOneLineFailure(results[2], 1, /ENOENT: .*nosuch/);
    expectOneLineFailure(results[3], 1, /ESRCH/);
  });

  it("text: a tree per namespace with the veth's other end; colour only on a terminal, never with NO_COLOR", async () => {
    const { a, b } = await buildLab();
    const text = await cliOk(['graph', a, b]);
    expect(text).toMatch(new RegExp(`^net:\\[\\d+\\]  names: ${a}`, 'm'));
    expect(text).toMatch(new RegExp(`eth0  veth  \\S+  10\\.68\\.0\\.1/24.*  ⇄ eth0 in net:\\[\\d+\\] \\(${b}\\)`));
    expect(await cliOk(['graph', '--ascii', a, b])).toMatch(/<-> eth0 in/);
    for (const args of [
      ['graph', a, b],
      ['links', a],
    ])
      expect(await cliOk(args)).not.toContain(ESC);

    // On a terminal (script(1) gives the command a pseudo-terminal): colours, unless NO_COLOR.
    const onTerminal = (env: NodeJS.ProcessEnv) =>
      runIn('script', ['-qec', `${bin} graph ${a} ${b}`, '/dev/null'], { env });
    expect(onTerminal({})).toContain(`${ESC}[36meth0${ESC}[0m`);
    expect(onTerminal({ NO_COLOR: '1' })).not.toContain(ESC);
  });
});
