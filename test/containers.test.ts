// Containers by name: fromContainer and containersByNetns against a fake
// Engine API whose containers are real processes in real namespaces. The
// fake is first checked against the installed docker CLI, so what passes here
// speaks the protocol the real daemon speaks.
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { NetNamespace, NetnsError, containerOf, containersByNetns, fromContainer, topology } from '../lib/index';
import { compareApiVersions } from '../lib/containers/engine-client';
import { bindMount, unmount } from '../lib/named/bind-mount';
import { engineSockets } from '../lib/containers/engine-socket';
import { type FakeEngine, startFakeEngine, tempDir } from './fake-engine';
import {
  deadPid,
  killAndReap,
  nsInode,
  nsfsFdsOf,
  onCleanup,
  readlinkNetns,
  run,
  runNode,
  startNetnsProcess,
  unprivilegedCopy,
} from './helpers';

const execFileAsync = promisify(execFile);
const hostId = readlinkNetns(process.pid);

function track(ns: NetNamespace): NetNamespace {
  onCleanup(() => ns.close());
  return ns;
}

/** A real nsfs bind mount of a process's namespace, as Docker makes under /var/run/docker/netns. */
function sandboxKeyOf(pid: number, dir: string, name: string): string {
  const file = path.join(dir, name);
  bindMount(`/proc/${pid}/ns/net`, file);
  onCleanup(() => {
    unmount(file);
    fs.rmSync(file);
  });
  return file;
}

/** A process that lives in another process's namespace (as a container:<id> container's does). */
function startProcessIn(pid: number): ChildProcess & { pid: number } {
  const child = spawn('nsenter', [`--net=/proc/${pid}/ns/net`, 'sleep', '600'], { stdio: 'ignore' });
  onCleanup(() => killAndReap(child));
  const want = readlinkNetns(pid);
  for (let i = 0; i < 500; i++) {
    try {
      if (fs.readlinkSync(`/proc/${child.pid}/ns/net`) === want) return child as ChildProcess & { pid: number };
    } catch {
      // not started yet
    }
    spawnSync('sleep', ['0.01']);
  }
  throw new Error(`process ${child.pid} never joined ${want}`);
}

/** A process in the host's namespace, killed after the test. */
function startHostProcess(): ChildProcess & { pid: number } {
  const child = spawn('sleep', ['600'], { stdio: 'ignore' });
  onCleanup(() => killAndReap(child));
  return child as ChildProcess & { pid: number };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

async function expectNetnsError(promise: Promise<unknown>, code: string): Promise<NetnsError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(NetnsError);
  const netnsError = error as NetnsError;
  expect(netnsError.code).toBe(code);
  expect(netnsError.errno).toBeLessThan(0);
  expect(netnsError.message.startsWith(`${code}: `)).toBe(true);
  return netnsError;
}

const requestLines = (engine: FakeEngine): string[] => engine.requests.map((r) => `${r.method} ${r.url}`);

/** Sets an environment variable for one test. */
function setEnv(name: string, value: string | undefined): void {
  const before = process.env[name];
  onCleanup(() => {
    if (before === undefined) delete process.env[name];
    else process.env[name] = before;
  });
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

/** A unix socket file with nothing listening: the binder was killed, so nobody unlinked it. */
function deadSocket(dir: string): string {
  const file = path.join(dir, 'dead.sock');
  const result = spawnSync(process.execPath, [
    '-e',
    `require('node:net').createServer().listen(${JSON.stringify(file)}, () => process.kill(process.pid, 'SIGKILL'))`,
  ]);
  expect(result.signal).toBe('SIGKILL');
  expect(fs.statSync(file).isSocket()).toBe(true);
  return file;
}

/** The lower of two API versions: what a client and an engine settle on. */
const lowerApiVersion = (a: string, b: string): string => (compareApiVersions(a, b) <= 0 ? a : b);

describe('the fake engine, checked against the docker CLI', () => {
  /** The CLI's environment: DOCKER_CONFIG so that it reads (and writes) nothing of the host's ~/.docker. */
  function dockerEnv(socketPath: string, configDir: string): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: `unix://${socketPath}`, DOCKER_CONFIG: configDir };
    delete env.DOCKER_API_VERSION; // it would pin the version instead of negotiating it
    return env;
  }

  async function docker(engine: FakeEngine, args: string[]) {
    return execFileAsync('docker', args, { env: dockerEnv(engine.socketPath, engine.dir), encoding: 'utf8' });
  }

  /**
   * The newest API version the installed client speaks (it varies with the
   * client's release): `docker version` prints it with no daemon behind
   * DOCKER_HOST, and then fails for the server part.
   */
  function clientApiVersion(): string {
    const dir = tempDir('nn-docker-client-');
    const result = spawnSync('docker', ['version', '-f', '{{.Client.APIVersion}}'], {
      env: dockerEnv(path.join(dir, 'no-daemon.sock'), dir),
      encoding: 'utf8',
    });
    const version = result.stdout.trim();
    expect(version, result.stderr).toMatch(/^\d+\.\d+$/);
    return version;
  }

  /** What the CLI asks an engine at: the lower of its own newest version and the engine's. */
  const usedBy = (engine: FakeEngine): string => lowerApiVersion(clientApiVersion(), engine.apiVersion);

  it('docker ps and docker inspect accept its answers and show the real pid and name', async () => {
    const engine = await startFakeEngine();
    const process1 = startNetnsProcess();
    const web = engine.add({ name: 'web', pid: process1.pid });

    const ps = await docker(engine, ['ps', '--format', '{{json .}}']);
    const row = JSON.parse(ps.stdout) as Record<string, string>;
    expect(row).toMatchObject({ ID: web.id.slice(0, 12), Names: 'web', State: 'running', Networks: 'bridge' });

    const inspect = await docker(engine, ['inspect', 'web']);
    const [shown] = JSON.parse(inspect.stdout) as Array<{ Id: string; Name: string; State: { Pid: number } }>;
    expect(shown).toMatchObject({ Id: web.id, Name: '/web', State: { Pid: process1.pid } });

    const byShortId = await docker(engine, ['inspect', '-f', '{{.State.Pid}}', web.id.slice(0, 12)]);
    expect(Number(byShortId.stdout.trim())).toBe(process1.pid);

    // The CLI pings first (HEAD), then asks at the version the ping offered, or its own if older.
    const v = usedBy(engine);
    expect(requestLines(engine)).toEqual([
      'HEAD /_ping',
      `GET /v${v}/containers/json?size=1`,
      'HEAD /_ping',
      `GET /v${v}/containers/web/json`,
      'HEAD /_ping',
      `GET /v${v}/containers/${web.id.slice(0, 12)}/json`,
    ]);
    expect(engine.requests.every((r) => r.userAgent?.startsWith('Docker-Client/'))).toBe(true);
  });

  it('docker inspect of an unknown name gets the daemon\'s 404 and says "No such object"', async () => {
    const engine = await startFakeEngine();
    const error = (await rejection(docker(engine, ['inspect', 'nope']))) as { code: number; stderr: string };
    expect(error.code).toBe(1);
    expect(error.stderr).toContain('No such object: nope');
    expect(requestLines(engine)).toContain(`GET /v${usedBy(engine)}/containers/nope/json`);
  });

  it("an engine newer than the client is asked at the client's own newest version", async () => {
    const engine = await startFakeEngine({ apiVersion: '1.99' });
    engine.add({ name: 'web', pid: startNetnsProcess().pid });
    await docker(engine, ['inspect', 'web']);
    expect(requestLines(engine)).toEqual(['HEAD /_ping', `GET /v${clientApiVersion()}/containers/web/json`]);
  });

  it('the CLI falls back to GET /_ping when HEAD is refused, as for daemons before API 1.40', async () => {
    const engine = await startFakeEngine({ noHeadPing: true, apiVersion: '1.41' });
    engine.add({ name: 'web', pid: startNetnsProcess().pid });
    await docker(engine, ['ps', '-q']);
    expect(requestLines(engine)).toEqual(['HEAD /_ping', 'GET /_ping', `GET /v${usedBy(engine)}/containers/json`]);
  });
});

describe('fromContainer', () => {
  it('finds a container by name, full id, short id and /name: the namespace its process is in', async () => {
    const engine = await startFakeEngine();
    const process1 = startNetnsProcess();
    const web = engine.add({ name: 'web', pid: process1.pid });
    const options = { socketPath: engine.socketPath };
    for (const ref of ['web', web.id, web.id.slice(0, 12), '/web']) {
      const ns = track(await fromContainer(ref, options));
      expect(ns.id).toBe(readlinkNetns(process1.pid));
      expect(ns.id).not.toBe(hostId);
      expect(containerOf(ns)).toEqual({
        id: web.id,
        name: 'web',
        runtime: 'docker',
        pid: process1.pid,
        networkMode: 'bridge',
      });
    }
    // A ping, the inspect, and a second inspect that proves the pid is still the container's.
    expect(requestLines(engine).slice(0, 3)).toEqual([
      'HEAD /_ping',
      'GET /v1.47/containers/web/json',
      `GET /v1.47/containers/${web.id}/json`,
    ]);
    expect(engine.requests.every((r) => r.userAgent === 'netns-native')).toBe(true);
  });

  it('proves the namespace against a real SandboxKey mount, and ignores a key that is not mounted here', async () => {
    const engine = await startFakeEngine();
    const process1 = startNetnsProcess();
    const key = sandboxKeyOf(process1.pid, engine.dir, 'abc123');
    engine.add({ name: 'keyed', pid: process1.pid, sandboxKey: key });
    const ns = track(await fromContainer('keyed', { socketPath: engine.socketPath }));
    expect(ns.id).toBe(readlinkNetns(process1.pid));
    expect(containerOf(ns)?.sandboxKey).toBe(key);

    // A placeholder file (the mount lives in another mount namespace) or no file at all: nothing to prove against.
    const placeholder = path.join(engine.dir, 'placeholder');
    fs.writeFileSync(placeholder, '');
    const process2 = startNetnsProcess();
    engine.add({ name: 'unmounted', pid: process2.pid, sandboxKey: placeholder });
    engine.add({ name: 'gone', pid: process2.pid, sandboxKey: path.join(engine.dir, 'missing') });
    for (const name of ['unmounted', 'gone']) {
      const other = track(await fromContainer(name, { socketPath: engine.socketPath }));
      expect(other.id).toBe(readlinkNetns(process2.pid));
      expect(containerOf(other)?.sandboxKey).toBeUndefined();
    }
  });

  it('refuses a SandboxKey of another namespace with EIO, and leaks no handle', async () => {
    const engine = await startFakeEngine();
    const process1 = startNetnsProcess();
    const elsewhere = startNetnsProcess();
    const key = sandboxKeyOf(elsewhere.pid, engine.dir, 'wrong');
    engine.add({ name: 'liar', pid: process1.pid, sandboxKey: key });
    const before = nsfsFdsOf(process.pid);
    const error = await expectNetnsError(fromContainer('liar', { socketPath: engine.socketPath }), 'EIO');
    expect(error.message).toContain(`process ${process1.pid} of container 'liar' is in ${readlinkNetns(process1.pid)}`);
    expect(error.message).toContain(`its sandbox key ${key} is ${readlinkNetns(elsewhere.pid)}`);
    expect(nsfsFdsOf(process.pid)).toEqual(before);
  });

  it('follows network mode container:<id> to the namespace of the container it joined', async () => {
    const engine = await startFakeEngine();
    const owner = startNetnsProcess();
    const key = sandboxKeyOf(owner.pid, engine.dir, 'owner');
    const a = engine.add({ name: 'a', pid: owner.pid, sandboxKey: key });
    const sidecar = startProcessIn(owner.pid);
    // Docker gives a joined container no sandbox key of its own; chains are followed too.
    const b = engine.add({ name: 'b', pid: sidecar.pid, networkMode: `container:${a.id}` });
    engine.add({ name: 'c', pid: sidecar.pid, networkMode: `container:${b.id.slice(0, 12)}` });
    for (const name of ['b', 'c']) {
      const ns = track(await fromContainer(name, { socketPath: engine.socketPath }));
      expect(ns.id).toBe(readlinkNetns(owner.pid));
      expect(containerOf(ns)).toMatchObject({
        name,
        joined: { id: a.id, name: 'a', runtime: 'docker' },
        sandboxKey: key,
      });
    }
  });

  it('refuses a joined container whose process is not in the namespace it joined, and a join loop', async () => {
    const engine = await startFakeEngine();
    const a = engine.add({ name: 'a', pid: startNetnsProcess().pid });
    const stale = startNetnsProcess();
    engine.add({ name: 'stale', pid: stale.pid, networkMode: `container:${a.id}` });
    const mismatch = await expectNetnsError(fromContainer('stale', { socketPath: engine.socketPath }), 'EIO');
    expect(mismatch.message).toContain(`container 'a' whose namespace it joined is in net:[`);

    const x = engine.add({ name: 'x', pid: startNetnsProcess().pid });
    const y = engine.add({ name: 'y', pid: x.pid, networkMode: `container:${x.id}` });
    x.networkMode = `container:${y.id}`;
    const loop = await expectNetnsError(fromContainer('x', { socketPath: engine.socketPath }), 'ELOOP');
    expect(loop.message).toContain('x -> y -> x');
  });

  it("network mode host gives the host's namespace, none the container's own empty one", async () => {
    const engine = await startFakeEngine();
    const hostKey = sandboxKeyOf(process.pid, engine.dir, 'default'); // Docker's /var/run/docker/netns/default
    engine.add({ name: 'on-host', pid: startHostProcess().pid, networkMode: 'host', sandboxKey: hostKey });
    const isolated = startNetnsProcess();
    engine.add({ name: 'isolated', pid: isolated.pid, networkMode: 'none' });
    const onHost = track(await fromContainer('on-host', { socketPath: engine.socketPath }));
    expect(onHost.id).toBe(hostId);
    expect(containerOf(onHost)).toMatchObject({ networkMode: 'host', sandboxKey: hostKey });
    const none = track(await fromContainer('isolated', { socketPath: engine.socketPath }));
    expect(none.id).toBe(readlinkNetns(isolated.pid));
    expect(none.id).not.toBe(hostId);
  });

  it("an unknown container is ENOENT with the daemon's words and a hint naming it", async () => {
    const engine = await startFakeEngine();
    const error = await expectNetnsError(fromContainer('nope', { socketPath: engine.socketPath }), 'ENOENT');
    expect(error.message).toBe(
      `ENOENT: No such container: nope, GET /v1.47/containers/nope/json ` +
        `'${engine.socketPath}' (no container 'nope' on this docker engine: see docker ps -a)`,
    );
    expect(error.syscall).toBe('GET /v1.47/containers/nope/json');
    expect(error.path).toBe(engine.socketPath);
  });

  it('a stopped container, or one whose process is gone, is ESRCH', async () => {
    const engine = await startFakeEngine();
    engine.add({ name: 'stopped', pid: startNetnsProcess().pid, running: false });
    engine.add({ name: 'vanished', pid: deadPid() });
    const stopped = await expectNetnsError(fromContainer('stopped', { socketPath: engine.socketPath }), 'ESRCH');
    expect(stopped.message).toContain(`container 'stopped' is not running (exited)`);
    expect(stopped.hint).toBe('start it first: docker start stopped');
    const vanished = await expectNetnsError(fromContainer('vanished', { socketPath: engine.socketPath }), 'ESRCH');
    expect(vanished.message).toContain('exited or restarted while it was looked up');
  });

  it('a process replaced between the inspect and the pidfd is caught by the second inspect', async () => {
    const engine = await startFakeEngine();
    const first = startNetnsProcess();
    const web = engine.add({ name: 'web', pid: first.pid });
    // The container "restarts" with a new process as soon as it has been inspected once.
    const second = startNetnsProcess();
    engine.onRequest = (request) => {
      if (request.url.endsWith(`/containers/${web.id}/json`)) web.pid = second.pid;
    };
    const before = nsfsFdsOf(process.pid);
    await expectNetnsError(fromContainer('web', { socketPath: engine.socketPath }), 'ESRCH');
    expect(nsfsFdsOf(process.pid)).toEqual(before);
  });

  it("negotiates the API version from /_ping: the engine's own, at most 1.57, GET when HEAD is refused", async () => {
    const pid = startNetnsProcess().pid;
    for (const [apiVersion, used] of [
      ['1.41', '1.41'],
      ['1.99', '1.57'],
    ]) {
      const engine = await startFakeEngine({ apiVersion, noHeadPing: apiVersion === '1.41' });
      engine.add({ name: 'web', pid });
      track(await fromContainer('web', { socketPath: engine.socketPath }));
      const pings = apiVersion === '1.41' ? ['HEAD /_ping', 'GET /_ping'] : ['HEAD /_ping'];
      expect(requestLines(engine).slice(0, pings.length + 1)).toEqual([...pings, `GET /v${used}/containers/web/json`]);
    }
  });

  it('knows Podman by its ping headers and says so in hints', async () => {
    const engine = await startFakeEngine({ podman: true });
    const pid = startNetnsProcess().pid;
    engine.add({ name: 'pod-web', pid });
    const ns = track(await fromContainer('pod-web', { socketPath: engine.socketPath }));
    expect(containerOf(ns)).toMatchObject({ name: 'pod-web', runtime: 'podman' });
    const error = await expectNetnsError(fromContainer('nope', { socketPath: engine.socketPath }), 'ENOENT');
    expect(error.message).toContain('no container with name or ID "nope" found');
    expect(error.hint).toBe("no container 'nope' on this podman engine: see podman ps -a");
  });

  it('takes the socket from DOCKER_HOST; one not unix:// is EPROTONOSUPPORT, a relative path EINVAL', async () => {
    const engine = await startFakeEngine();
    const pid = startNetnsProcess().pid;
    engine.add({ name: 'web', pid });
    setEnv('DOCKER_HOST', `unix://${engine.socketPath}`);
    expect(track(await fromContainer('web')).id).toBe(readlinkNetns(pid));
    // The caller's environment, not a bad argument: a NetnsError (the command line exits 1, not 2).
    setEnv('DOCKER_HOST', 'tcp://127.0.0.1:2375');
    const tcp = await expectNetnsError(fromContainer('web'), 'EPROTONOSUPPORT');
    expect(tcp.message).toBe(
      'EPROTONOSUPPORT: DOCKER_HOST cannot be used: only unix:// sockets are supported, ' +
        "connect 'tcp://127.0.0.1:2375' (containers are found through their engine's unix socket on this host: " +
        'set DOCKER_HOST=unix:///path/to/engine.sock, or unset it for the default sockets)',
    );
    setEnv('DOCKER_HOST', 'unix://relative.sock');
    const relative = await expectNetnsError(fromContainer('web'), 'EINVAL');
    expect(relative.message).toContain('must be an absolute path');
    expect(engine.requests).toHaveLength(3);
    // For a map of the host it is an engine out of reach: no containers, and no error.
    setEnv('DOCKER_HOST', 'ssh://me@elsewhere');
    expect(await containersByNetns()).toEqual(new Map());
  });

  it('no socket is ENOENT with a hint to start the daemon or set DOCKER_HOST', async () => {
    const dir = tempDir('nn-nosock-');
    const missing = path.join(dir, 'docker.sock');
    const byOption = await expectNetnsError(fromContainer('web', { socketPath: missing }), 'ENOENT');
    expect(byOption.message).toBe(
      `ENOENT: no such file or directory, connect '${missing}' (no engine socket there: ` +
        'is the Docker (or Podman) daemon running? check the socketPath option)',
    );
    setEnv('DOCKER_HOST', `unix://${missing}`);
    const byEnv = await expectNetnsError(fromContainer('web'), 'ENOENT');
    expect(byEnv.hint).toContain('check DOCKER_HOST');
    // No default socket at all: every one looked for is named, and the hint fits a shell user too.
    setEnv('DOCKER_HOST', undefined);
    const other = path.join(dir, 'podman.sock');
    const byDefault = await expectNetnsError(fromContainer('web', { defaultSockets: [missing, other] }), 'ENOENT');
    expect(byDefault.message).toBe(
      `ENOENT: no container engine socket on this host (looked for ${missing}, ${other}), ` +
        `connect '${missing}' (is the Docker (or Podman) daemon running? ` +
        'set DOCKER_HOST=unix:///path/to/engine.sock, or from the library pass socketPath)',
    );
  });

  it('a socket nobody listens on is ECONNREFUSED', async () => {
    const socket = deadSocket(tempDir('nn-deadsock-'));
    const error = await expectNetnsError(fromContainer('web', { socketPath: socket }), 'ECONNREFUSED');
    expect(error.syscall).toBe('connect');
    expect(error.hint).toContain('nothing listens on the socket: is the daemon running?');
  });

  it('a socket the caller may not use is EACCES with a hint that fits its engine (as user nobody)', async () => {
    const engine = await startFakeEngine({ socketMode: 0o600 });
    engine.add({ name: 'web', pid: startNetnsProcess().pid });
    // Podman's system socket (root's alone), and a rootless engine's (its user's alone): no group opens those.
    const podman = await startFakeEngine({ podman: true, socketMode: 0o600 });
    const rootless = await startFakeEngine({ podman: true, socketMode: 0o600 });
    fs.chownSync(rootless.socketPath, 4321, 4321);
    const dead = deadSocket(tempDir('nn-deadsock-'));
    fs.chmodSync(dead, 0o777); // refused for nobody too, not EACCES
    const dir = unprivilegedCopy();
    const result = runNode(
      `const lib = require('./dist/index.js');
      const options = (socketPath) => ({ socketPath, timeoutMs: 5000 });
      const describe = (e) => ({ name: e.name, code: e.code, syscall: e.syscall, hint: e.hint });
      const tryFrom = (options) => lib.fromContainer('web', options).then(() => 'no error', describe);
      (async () => {
        const out = {};
        out.docker = await tryFrom(options(${JSON.stringify(engine.socketPath)}));
        out.podman = (await tryFrom(options(${JSON.stringify(podman.socketPath)}))).hint;
        out.rootless = (await tryFrom(options(${JSON.stringify(rootless.socketPath)}))).hint;
        // Of the default sockets, one that is there but refuses us says more than one nobody listens on.
        out.ranked = (await tryFrom({ defaultSockets: [${JSON.stringify(dead)}, ${JSON.stringify(engine.socketPath)}] })).code;
        out.map = await lib.containersByNetns(options(${JSON.stringify(engine.socketPath)})).then((map) => [...map], describe);
        console.log(JSON.stringify(out));
      })();`,
      { uid: 65534, cwd: dir },
    );
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({
      docker: { name: 'NetnsError', code: 'EACCES', syscall: 'connect', hint: 'run as root or join the docker group' },
      podman: "Podman's system socket is root's: run as root",
      rootless: 'the socket belongs to uid 4321: a rootless engine serves its own user only, run as that user',
      ranked: 'EACCES',
      map: [],
    });
    for (const fake of [engine, podman, rootless]) expect(fake.requests).toEqual([]);
  });

  it('an engine that does not answer is ETIMEDOUT after timeoutMs', async () => {
    const engine = await startFakeEngine();
    engine.misbehaviour = 'hang';
    const started = Date.now();
    const error = await expectNetnsError(
      fromContainer('web', { socketPath: engine.socketPath, timeoutMs: 300 }),
      'ETIMEDOUT',
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(error.message).toContain('the engine did not answer within 300 ms');
  });

  it('an answer that is not JSON, or not a container, is EPROTO', async () => {
    const engine = await startFakeEngine();
    engine.add({ name: 'web', pid: startNetnsProcess().pid });
    engine.misbehaviour = 'garbage';
    const garbage = await expectNetnsError(fromContainer('web', { socketPath: engine.socketPath }), 'EPROTO');
    expect(garbage.message).toContain('malformed answer from the engine: not JSON');
    engine.misbehaviour = 'wrong-shape';
    const shape = await expectNetnsError(fromContainer('web', { socketPath: engine.socketPath }), 'EPROTO');
    expect(shape.message).toContain('no State object');
  });

  it('a daemon error is EIO with its message; a connection dropped without an answer is ECONNRESET', async () => {
    const engine = await startFakeEngine();
    engine.add({ name: 'web', pid: startNetnsProcess().pid });
    engine.misbehaviour = 'server-error';
    const failing = await expectNetnsError(fromContainer('web', { socketPath: engine.socketPath }), 'EIO');
    expect(failing.message).toContain('the engine answered 500: failed to get container: context deadline exceeded');
    engine.misbehaviour = 'hang-up';
    const dropped = await expectNetnsError(fromContainer('web', { socketPath: engine.socketPath }), 'ECONNRESET');
    expect(dropped.syscall).toBe('HEAD /_ping');
    engine.misbehaviour = 'cut';
    const cut = await expectNetnsError(fromContainer('web', { socketPath: engine.socketPath }), 'ECONNRESET');
    expect(cut.syscall).toBe('GET /v1.47/containers/web/json');
  });

  it('refuses bad input with TypeError/RangeError before any request', async () => {
    const engine = await startFakeEngine();
    const socketPath = engine.socketPath;
    for (const bad of [
      '',
      '/',
      'a/b',
      '../etc',
      'a/../b',
      '..',
      '.',
      'a\0b',
      '-x',
      'a b',
      'a?b',
      42,
      null,
      undefined,
    ]) {
      await expect(fromContainer(bad as string, { socketPath })).rejects.toBeInstanceOf(TypeError);
    }
    await expect(fromContainer('x'.repeat(256), { socketPath })).rejects.toBeInstanceOf(RangeError);
    await expect(fromContainer('web', { socketPath: 'docker.sock' })).rejects.toThrow(/absolute path/);
    await expect(fromContainer('web', { socketPath: `/${'x'.repeat(120)}` })).rejects.toBeInstanceOf(RangeError);
    await expect(fromContainer('web', { socketPath, timeoutMs: -1 })).rejects.toBeInstanceOf(RangeError);
    await expect(fromContainer('web', { socketPath, timeoutMs: '5' as unknown as number })).rejects.toBeInstanceOf(
      TypeError,
    );
    await expect(containersByNetns({ socketPath, timeoutMs: Infinity })).rejects.toBeInstanceOf(RangeError);
    expect(engine.requests).toEqual([]);
  });

  it('leaves no namespace fd open, whichever way it fails', async () => {
    const engine = await startFakeEngine();
    const pid = startNetnsProcess().pid;
    engine.add({ name: 'ok', pid });
    engine.add({ name: 'liar', pid, sandboxKey: sandboxKeyOf(startNetnsProcess().pid, engine.dir, 'other') });
    engine.add({ name: 'stopped', pid, running: false });
    engine.add({ name: 'vanished', pid: deadPid() });
    const before = nsfsFdsOf(process.pid);
    const outcomes = [];
    for (const name of ['liar', 'stopped', 'vanished', 'nope']) {
      outcomes.push(((await rejection(fromContainer(name, { socketPath: engine.socketPath }))) as NetnsError).code);
    }
    expect(outcomes).toEqual(['EIO', 'ESRCH', 'ESRCH', 'ENOENT']);
    const ns = await fromContainer('ok', { socketPath: engine.socketPath });
    expect(nsfsFdsOf(process.pid)).toHaveLength(before.length + 1);
    ns.close();
    expect(nsfsFdsOf(process.pid)).toEqual(before);
  });
});

describe("fromContainer over the default sockets (Docker's, then Podman's)", () => {
  // defaultSockets (internal) stands fake engines where Docker's and Podman's sockets would be.
  async function twoEngines() {
    setEnv('DOCKER_HOST', undefined);
    return { docker: await startFakeEngine(), podman: await startFakeEngine({ podman: true }) };
  }

  it('asks each in turn, past a dead socket and an engine that does not know the container', async () => {
    const { docker, podman } = await twoEngines();
    const pid = startNetnsProcess().pid;
    const web = podman.add({ name: 'web', pid });
    const db = docker.add({ name: 'db', pid: startNetnsProcess().pid });
    const dead = deadSocket(tempDir('nn-deadsock-'));
    const missing = path.join(docker.dir, 'missing.sock');
    const ns = track(
      await fromContainer('web', { defaultSockets: [missing, dead, docker.socketPath, podman.socketPath] }),
    );
    expect(ns.id).toBe(readlinkNetns(pid));
    expect(containerOf(ns)).toMatchObject({ id: web.id, name: 'web', runtime: 'podman' });
    expect(requestLines(docker)).toEqual(['HEAD /_ping', 'GET /v1.47/containers/web/json']);
    // The first engine that knows it answers; the next is not asked.
    const asked = podman.requests.length;
    const first = track(await fromContainer('db', { defaultSockets: [docker.socketPath, podman.socketPath] }));
    expect(containerOf(first)).toMatchObject({ id: db.id, runtime: 'docker' });
    expect(podman.requests).toHaveLength(asked);
  });

  it('when none has it, an engine\'s "no such container" is the error, not a socket it could not reach', async () => {
    const { docker, podman } = await twoEngines();
    const dead = deadSocket(tempDir('nn-deadsock-'));
    const missing = path.join(docker.dir, 'missing.sock');
    const none = await expectNetnsError(
      fromContainer('web', { defaultSockets: [dead, docker.socketPath, podman.socketPath] }),
      'ENOENT',
    );
    expect(none.message).toContain('No such container: web');
    expect(none.hint).toBe("no container 'web' on this docker engine: see docker ps -a");
    expect(requestLines(podman)).toEqual(['HEAD /_ping', 'GET /v1.47/containers/web/json']);
    // No engine answered at all: the socket that is there beats the one that is not.
    const refused = await expectNetnsError(fromContainer('web', { defaultSockets: [missing, dead] }), 'ECONNREFUSED');
    expect(refused.path).toBe(dead);
  });

  it('when none has it, the error names every engine that was asked, not only the first', async () => {
    const { docker, podman } = await twoEngines();
    const dead = deadSocket(tempDir('nn-deadsock-'));
    const none = await expectNetnsError(
      fromContainer('web', { defaultSockets: [docker.socketPath, dead, podman.socketPath] }),
      'ENOENT',
    );
    expect(none.message).toBe(
      `ENOENT: No such container: web (asked Docker at ${docker.socketPath} and Podman at ${podman.socketPath}), ` +
        `GET /v1.47/containers/web/json '${docker.socketPath}' (no container 'web' on this docker engine: ` +
        'see docker ps -a)',
    );
    // Premise: both engines were asked, and answered 404.
    expect(requestLines(docker)).toEqual(['HEAD /_ping', 'GET /v1.47/containers/web/json']);
    expect(requestLines(podman)).toEqual(['HEAD /_ping', 'GET /v1.47/containers/web/json']);
  });

  it("hints in a shell user's words name DOCKER_HOST, never the library's socketPath option", async () => {
    setEnv('DOCKER_HOST', undefined);
    const dir = tempDir('nn-nosock-');
    const missing = path.join(dir, 'docker.sock');
    const dead = deadSocket(dir);
    const setDockerHost = 'set DOCKER_HOST=unix:///path/to/engine.sock';
    const noSocket = await expectNetnsError(
      fromContainer('web', { defaultSockets: [missing], hintsFor: 'shell' }),
      'ENOENT',
    );
    expect(noSocket.hint).toBe(`is the Docker (or Podman) daemon running? ${setDockerHost}`);
    const refused = await expectNetnsError(
      fromContainer('web', { defaultSockets: [dead], hintsFor: 'shell' }),
      'ECONNREFUSED',
    );
    expect(refused.hint).toBe(`nothing listens on the socket: is the daemon running? ${setDockerHost}`);
    // The library's own words for the same sockets.
    const library = await expectNetnsError(fromContainer('web', { defaultSockets: [dead] }), 'ECONNREFUSED');
    expect(library.hint).toContain(`${setDockerHost}, or from the library pass socketPath`);
    await expect(fromContainer('web', { hintsFor: 'cli' as 'shell' })).rejects.toBeInstanceOf(TypeError);
  });

  it('socketPath and DOCKER_HOST name the one engine to ask: no default socket is tried', async () => {
    const { docker, podman } = await twoEngines();
    podman.add({ name: 'web', pid: startNetnsProcess().pid });
    const defaultSockets = [podman.socketPath];
    await expectNetnsError(fromContainer('web', { socketPath: docker.socketPath, defaultSockets }), 'ENOENT');
    setEnv('DOCKER_HOST', `unix://${docker.socketPath}`);
    await expectNetnsError(fromContainer('web', { defaultSockets }), 'ENOENT');
    expect(podman.requests).toEqual([]);
  });

  it('containersByNetns maps the containers of every engine, past one that cannot be reached', async () => {
    const { docker, podman } = await twoEngines();
    const [a, b] = [startNetnsProcess().pid, startNetnsProcess().pid];
    const ca = docker.add({ name: 'a', pid: a });
    const cb = podman.add({ name: 'b', pid: b });
    const map = await containersByNetns({
      defaultSockets: [docker.socketPath, deadSocket(tempDir('nn-deadsock-')), podman.socketPath],
    });
    expect(map).toEqual(
      new Map([
        [nsInode(readlinkNetns(a)), { id: ca.id, name: 'a', runtime: 'docker' }],
        [nsInode(readlinkNetns(b)), { id: cb.id, name: 'b', runtime: 'podman' }],
      ]),
    );
  });
});

describe('containersByNetns', () => {
  it("maps each running container's namespace inode to the container, the owner of a shared one first", async () => {
    const engine = await startFakeEngine();
    const a = startNetnsProcess();
    const e = startNetnsProcess();
    // 'b' joined 'a' and sorts... after it anyway; 'aa' joined too and sorts before: the owner still wins.
    const ownerA = engine.add({ name: 'a', pid: a.pid });
    engine.add({ name: 'aa', pid: startProcessIn(a.pid).pid, networkMode: `container:${ownerA.id}` });
    const other = engine.add({ name: 'e', pid: e.pid, networkMode: 'none' });
    engine.add({ name: 'stopped', pid: startNetnsProcess().pid, running: false });
    engine.add({ name: 'on-host', pid: startHostProcess().pid, networkMode: 'host' });
    engine.add({ name: 'vanished', pid: deadPid() });
    const map = await containersByNetns({ socketPath: engine.socketPath });
    expect(map).toEqual(
      new Map([
        [nsInode(readlinkNetns(a.pid)), { id: ownerA.id, name: 'a', runtime: 'docker' }],
        [nsInode(readlinkNetns(e.pid)), { id: other.id, name: 'e', runtime: 'docker' }],
      ]),
    );
    expect(requestLines(engine).slice(0, 2)).toEqual(['HEAD /_ping', 'GET /v1.47/containers/json']);
  });

  it("labels Podman's containers podman", async () => {
    const engine = await startFakeEngine({ podman: true });
    const pid = startNetnsProcess().pid;
    const c = engine.add({ name: 'pod-web', pid });
    expect(await containersByNetns({ socketPath: engine.socketPath })).toEqual(
      new Map([[nsInode(readlinkNetns(pid)), { id: c.id, name: 'pod-web', runtime: 'podman' }]]),
    );
  });

  it('resolves to an empty map when no engine can be reached', async () => {
    const dir = tempDir('nn-nosock-');
    expect(await containersByNetns({ socketPath: path.join(dir, 'docker.sock') })).toEqual(new Map());
    expect(await containersByNetns({ socketPath: deadSocket(dir) })).toEqual(new Map());
    setEnv('DOCKER_HOST', `unix://${path.join(dir, 'missing.sock')}`);
    expect(await containersByNetns()).toEqual(new Map());
  });

  it('with no DOCKER_HOST and none of the default sockets on this machine, it is an empty map', async (context) => {
    setEnv('DOCKER_HOST', undefined);
    setEnv('XDG_RUNTIME_DIR', tempDir('nn-xdg-'));
    if (engineSockets(undefined).paths.length > 0) context.skip(); // a real engine runs here
    expect(await containersByNetns()).toEqual(new Map());
  });

  it('an engine that answers garbage, or not at all, rejects instead of hiding its containers', async () => {
    const engine = await startFakeEngine();
    engine.add({ name: 'web', pid: startNetnsProcess().pid });
    engine.misbehaviour = 'garbage';
    await expectNetnsError(containersByNetns({ socketPath: engine.socketPath }), 'EPROTO');
    engine.misbehaviour = 'hang';
    await expectNetnsError(containersByNetns({ socketPath: engine.socketPath, timeoutMs: 200 }), 'ETIMEDOUT');
    engine.misbehaviour = 'stall'; // the answer starts, and never ends
    const stalled = await expectNetnsError(
      containersByNetns({ socketPath: engine.socketPath, timeoutMs: 200 }),
      'ETIMEDOUT',
    );
    expect(stalled.syscall).toBe('GET /v1.47/containers/json');
  });
});

describe('examples/docker-netns.mjs', () => {
  const example = path.join(__dirname, '..', 'examples', 'docker-netns.mjs');
  const runExample = (args: string[], env: NodeJS.ProcessEnv) =>
    execFileAsync(process.execPath, [example, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );

  it("names a container's namespace for ip netns, by container name", async () => {
    const engine = await startFakeEngine();
    const pid = startNetnsProcess().pid;
    const web = engine.add({ name: 'web', pid });
    const name = `nn-example-${process.pid}`;
    onCleanup(() => {
      if (fs.existsSync(`/run/netns/${name}`)) NetNamespace.delete(name);
    });
    const result = await runExample(['web', name], { DOCKER_HOST: `unix://${engine.socketPath}` });
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(
      `${name} -> ${readlinkNetns(pid)} (docker container web (${web.id.slice(0, 12)}, ` + `pid ${pid}))`,
    );
    expect(run('ip', ['netns', 'identify', String(pid)]).split('\n')).toContain(name);
  });

  it('says clearly when no Docker daemon is reachable, and exits 1; bad usage exits 2', async () => {
    const missing = path.join(tempDir('nn-nosock-'), 'docker.sock');
    const result = await runExample(['web'], { DOCKER_HOST: `unix://${missing}` });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no Docker (or Podman) daemon is reachable: ENOENT');
    expect((await runExample([], {})).code).toBe(2);
  });
});

describe('engine socket resolution', () => {
  it("finds Podman's rootless socket under XDG_RUNTIME_DIR, and one engine behind two paths once", async () => {
    const runtimeDir = tempDir('nn-xdg-');
    fs.mkdirSync(path.join(runtimeDir, 'podman'));
    const engine = await startFakeEngine({ podman: true });
    fs.symlinkSync(engine.socketPath, path.join(runtimeDir, 'podman', 'podman.sock'));
    const found = engineSockets(undefined, { XDG_RUNTIME_DIR: runtimeDir });
    expect(found.from).toBe('default');
    expect(found.paths).toContain(path.join(runtimeDir, 'podman', 'podman.sock'));
    expect(engineSockets(undefined, { DOCKER_HOST: 'unix:///x/docker.sock' })).toEqual({
      from: 'DOCKER_HOST',
      paths: ['/x/docker.sock'],
    });
    expect(engineSockets('/y.sock', { DOCKER_HOST: 'tcp://h:1' })).toEqual({ from: 'socketPath', paths: ['/y.sock'] });
    expect(engineSockets(undefined, { DOCKER_HOST: 'ssh://me@host' })).toMatchObject({
      from: 'DOCKER_HOST',
      paths: [],
      problem: { code: 'EPROTONOSUPPORT' },
    });
    expect(engineSockets(undefined, { DOCKER_HOST: 'unix://relative.sock' })).toMatchObject({
      from: 'DOCKER_HOST',
      paths: [],
      problem: { code: 'EINVAL' },
    });
    expect(engineSockets(undefined, { DOCKER_HOST: '' }).from).toBe('default');
  });

  it('a handle not from fromContainer has no container', () => {
    const ns = track(NetNamespace.current());
    expect(containerOf(ns)).toBeUndefined();
    expect(() => containerOf(42 as unknown as NetNamespace)).toThrow(TypeError);
  });
});

describe('topology() and containers', () => {
  it('names the namespaces of running containers when an engine is reachable, and only then', async () => {
    const engine = await startFakeEngine();
    const inside = startNetnsProcess();
    const web = engine.add({ name: 'web', pid: inside.pid });
    const id = readlinkNetns(inside.pid);
    const entryOf = (map: Awaited<ReturnType<typeof topology>>) => map.namespaces.find((entry) => entry.id === id);

    const named = await topology({ namespaces: [{ pid: inside.pid }], containers: { socketPath: engine.socketPath } });
    expect(entryOf(named)?.container).toEqual({ id: web.id, name: 'web', runtime: 'docker' });

    const asked = engine.requests.length;
    const skipped = await topology({ namespaces: [{ pid: inside.pid }], containers: false });
    expect(entryOf(skipped)).toBeDefined();
    expect(entryOf(skipped)?.container).toBeUndefined();
    expect(engine.requests.length).toBe(asked);

    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    onCleanup(() => process.off('warning', onWarning));
    const none = await topology({
      namespaces: [{ pid: inside.pid }],
      containers: { socketPath: path.join(engine.dir, 'no-engine.sock') },
    });
    expect(entryOf(none)?.container).toBeUndefined();
    // A DOCKER_HOST this library cannot use is one more engine out of reach: not named, no warning.
    setEnv('DOCKER_HOST', 'tcp://127.0.0.1:2375');
    const unsupported = await topology({ namespaces: [{ pid: inside.pid }] });
    expect(entryOf(unsupported)).toBeDefined();
    expect(entryOf(unsupported)?.container).toBeUndefined();
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings).toEqual([]);
  });
});
