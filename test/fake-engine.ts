// A fake Docker Engine API on a unix socket, answering the few endpoints a
// client reads to find a container's process the way the documented API (and
// the installed docker CLI, which talks to it in the tests) expects: /_ping
// (GET and HEAD), /vX/version, /vX/info, /vX/containers/json and
// /vX/containers/{id}/json by full id, name or unique id prefix. Behind each
// fake container is whatever pid the test gives it: a real process in a real
// namespace. Stopped and torn down after each test through onCleanup.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { onCleanup } from './helpers';

export interface FakeContainer {
  id: string;
  /** Without the leading '/'. */
  name: string;
  pid: number;
  running: boolean;
  /** HostConfig.NetworkMode: 'bridge', 'host', 'none', 'container:<id>'. */
  networkMode: string;
  /** NetworkSettings.SandboxKey; '' as Docker gives for container:<id> and stopped containers. */
  sandboxKey: string;
}

export interface RecordedRequest {
  method: string;
  url: string;
  userAgent?: string;
}

export interface FakeEngineOptions {
  /** The newest API version the fake claims (Api-Version header); default 1.47 (Docker 27). */
  apiVersion?: string;
  /** Answer /_ping as Podman's compat service does (Libpod-* headers, Server: Libpod). */
  podman?: boolean;
  /** Answer HEAD /_ping with 404, as daemons before API 1.40 did, so clients fall back to GET. */
  noHeadPing?: boolean;
  /** Mode of the socket file, for permission tests. */
  socketMode?: number;
}

/**
 * What the fake does with a request before the normal routes: 'hang' never
 * answers, 'hang-up' closes the connection without an answer, 'garbage'
 * answers every versioned request 200 with a body that is not JSON,
 * 'wrong-shape' answers inspects with JSON that is no container,
 * 'server-error' answers versioned requests 500 as a failing daemon does,
 * 'stall' starts a versioned answer and never finishes it, 'cut' starts one
 * and closes the connection.
 */
export type FakeMisbehaviour =
  'none' | 'hang' | 'hang-up' | 'garbage' | 'wrong-shape' | 'server-error' | 'stall' | 'cut';

const MIN_API_VERSION = '1.24';

export class FakeEngine {
  readonly dir: string;
  readonly socketPath: string;
  readonly apiVersion: string;
  readonly containers: FakeContainer[] = [];
  readonly requests: RecordedRequest[] = [];
  misbehaviour: FakeMisbehaviour = 'none';
  /** Called with each request before it is answered: lets a test change a container between requests. */
  onRequest?: (request: RecordedRequest) => void;
  readonly #options: FakeEngineOptions;
  readonly #server: http.Server;
  readonly #sockets = new Set<Socket>();

  constructor(dir: string, options: FakeEngineOptions) {
    this.dir = dir;
    this.socketPath = path.join(dir, options.podman ? 'podman.sock' : 'docker.sock');
    this.apiVersion = options.apiVersion ?? '1.47';
    this.#options = options;
    this.#server = http.createServer((request, response) => this.#answer(request, response));
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.socketPath, () => {
        if (this.#options.socketMode !== undefined) fs.chmodSync(this.socketPath, this.#options.socketMode);
        resolve();
      });
    });
  }

  /** Adds a container with a random 64-hex id; defaults: running, bridge, no sandbox key. */
  add(fields: Partial<FakeContainer> & { name: string; pid: number }): FakeContainer {
    const container: FakeContainer = {
      id: randomBytes(32).toString('hex'),
      running: true,
      networkMode: 'bridge',
      sandboxKey: '',
      ...fields,
    };
    this.containers.push(container);
    return container;
  }

  /** Closes the server (libuv unlinks the socket file) and drops open connections. */
  stop(): void {
    for (const socket of this.#sockets) socket.destroy();
    this.#server.close();
  }

  /** Full id, then exact name, then a unique id prefix: the daemon's lookup order. */
  find(ref: string): FakeContainer | undefined {
    const byId = this.containers.find((c) => c.id === ref);
    if (byId) return byId;
    const byName = this.containers.find((c) => c.name === ref.replace(/^\//, ''));
    if (byName) return byName;
    const byPrefix = this.containers.filter((c) => c.id.startsWith(ref));
    return byPrefix.length === 1 ? byPrefix[0] : undefined;
  }

  #answer(request: http.IncomingMessage, response: http.ServerResponse): void {
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', 'http://fake');
    const recorded = { method, url: request.url ?? '', userAgent: request.headers['user-agent'] };
    this.requests.push(recorded);
    this.onRequest?.(recorded);
    if (this.misbehaviour === 'hang') return;
    if (this.misbehaviour === 'hang-up') {
      request.socket.destroy();
      return;
    }
    if (url.pathname === '/_ping' || /^\/v[\d.]+\/_ping$/.test(url.pathname)) {
      this.#ping(method, response);
      return;
    }
    const versioned = /^\/v(\d+\.\d+)(\/.*)$/.exec(url.pathname);
    if (!versioned) {
      sendJson(response, 404, { message: 'page not found' });
      return;
    }
    const [, version, route] = versioned;
    if (compareVersions(version, this.apiVersion) > 0) {
      sendJson(response, 400, {
        message: `client version ${version} is too new. ` + `Maximum supported API version is ${this.apiVersion}`,
      });
      return;
    }
    if (compareVersions(version, MIN_API_VERSION) < 0) {
      sendJson(response, 400, {
        message:
          `client version ${version} is too old. Minimum supported ` +
          `API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`,
      });
      return;
    }
    if (this.misbehaviour === 'stall' || this.misbehaviour === 'cut') {
      response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 1000 });
      response.write('[', () => {
        if (this.misbehaviour === 'cut') response.socket?.destroy();
      });
      return;
    }
    if (this.misbehaviour === 'server-error') {
      sendJson(response, 500, { message: 'failed to get container: context deadline exceeded' });
      return;
    }
    if (this.misbehaviour === 'garbage') {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end('{"Id": "abc", "State": {"Pid": 12');
      return;
    }
    this.#route(method, route, url.searchParams, response);
  }

  #route(method: string, route: string, query: URLSearchParams, response: http.ServerResponse): void {
    if (method !== 'GET') {
      sendJson(response, 405, { message: `${method} ${route} is not supported by the fake engine` });
      return;
    }
    if (route === '/version') {
      sendJson(response, 200, this.#version());
      return;
    }
    if (route === '/info') {
      sendJson(response, 200, this.#info());
      return;
    }
    if (route === '/containers/json') {
      const all = ['1', 'true'].includes(query.get('all') ?? '');
      sendJson(
        response,
        200,
        this.containers.filter((c) => all || c.running).map((c) => this.#summary(c)),
      );
      return;
    }
    const inspect = /^\/containers\/([^/]+)\/json$/.exec(route);
    if (inspect) {
      const ref = decodeURIComponent(inspect[1]);
      const container = this.find(ref);
      if (!container) {
        sendJson(
          response,
          404,
          this.#options.podman
            ? {
                cause: 'no such container',
                message: `no container with name or ID "${ref}" found: no such container`,
                response: 404,
              }
            : { message: `No such container: ${ref}` },
        );
        return;
      }
      sendJson(
        response,
        200,
        this.misbehaviour === 'wrong-shape' ? { Id: container.id, State: 'running' } : this.#inspect(container),
      );
      return;
    }
    sendJson(response, 404, { message: 'page not found' });
  }

  #ping(method: string, response: http.ServerResponse): void {
    if (method === 'HEAD' && this.#options.noHeadPing) {
      sendJson(response, 404, { message: 'page not found' });
      return;
    }
    const headers: http.OutgoingHttpHeaders = {
      'Api-Version': this.apiVersion,
      'Builder-Version': '2',
      'Cache-Control': 'no-cache, no-store, must-revalidate',
      'Docker-Experimental': 'false',
      Ostype: 'linux',
      Pragma: 'no-cache',
      Server: this.#options.podman ? 'Libpod/5.4.2 (linux)' : 'Docker/27.5.1 (linux)',
      'Content-Type': 'text/plain; charset=utf-8',
    };
    if (this.#options.podman) {
      headers['Libpod-Api-Version'] = '5.4.2';
      headers['Libpod-Buildah-Version'] = '1.39.4';
    }
    response.writeHead(200, { ...headers, 'Content-Length': 2 });
    response.end(method === 'HEAD' ? undefined : 'OK');
  }

  #version(): object {
    return {
      Platform: { Name: this.#options.podman ? 'linux/amd64/debian-13' : 'Docker Engine - Community' },
      Version: this.#options.podman ? '5.4.2' : '27.5.1',
      ApiVersion: this.apiVersion,
      MinAPIVersion: MIN_API_VERSION,
      GitCommit: '0000000',
      GoVersion: 'go1.22.11',
      Os: 'linux',
      Arch: 'amd64',
      KernelVersion: os.release(),
      BuildTime: '2025-01-01T00:00:00.000000000+00:00',
    };
  }

  #info(): object {
    const running = this.containers.filter((c) => c.running).length;
    return {
      ID: 'FAKE:ENGINE',
      Containers: this.containers.length,
      ContainersRunning: running,
      ContainersPaused: 0,
      ContainersStopped: this.containers.length - running,
      OperatingSystem: 'fake engine',
      OSType: 'linux',
      KernelVersion: os.release(),
      ServerVersion: this.#options.podman ? '5.4.2' : '27.5.1',
      Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '' },
    };
  }

  #summary(c: FakeContainer): object {
    return {
      Id: c.id,
      Names: [`/${c.name}`],
      Image: 'busybox:latest',
      ImageID: `sha256:${'0'.repeat(64)}`,
      Command: 'sleep 600',
      Created: Math.floor(Date.now() / 1000) - 60,
      Ports: [],
      Labels: {},
      State: c.running ? 'running' : 'exited',
      Status: c.running ? 'Up About a minute' : 'Exited (137) 5 seconds ago',
      HostConfig: { NetworkMode: c.networkMode },
      NetworkSettings: { Networks: networksOf(c) },
      Mounts: [],
    };
  }

  #inspect(c: FakeContainer): object {
    const now = new Date().toISOString();
    return {
      Id: c.id,
      Created: now,
      Path: 'sleep',
      Args: ['600'],
      State: {
        Status: c.running ? 'running' : 'exited',
        Running: c.running,
        Paused: false,
        Restarting: false,
        OOMKilled: false,
        Dead: false,
        Pid: c.running ? c.pid : 0, // the daemon reports 0 for a stopped container
        ExitCode: c.running ? 0 : 137,
        Error: '',
        StartedAt: now,
        FinishedAt: c.running ? '0001-01-01T00:00:00Z' : now,
      },
      Image: `sha256:${'0'.repeat(64)}`,
      ResolvConfPath: '',
      HostnamePath: '',
      HostsPath: '',
      LogPath: '',
      Name: `/${c.name}`,
      RestartCount: 0,
      Driver: 'overlay2',
      Platform: 'linux',
      MountLabel: '',
      ProcessLabel: '',
      AppArmorProfile: '',
      ExecIDs: null,
      HostConfig: { NetworkMode: c.networkMode, PidMode: '', Privileged: false },
      GraphDriver: { Data: null, Name: 'overlay2' },
      Mounts: [],
      Config: { Hostname: c.id.slice(0, 12), Image: 'busybox:latest', Cmd: ['sleep', '600'], Env: [], Labels: {} },
      NetworkSettings: {
        SandboxID: c.sandboxKey ? c.id : '',
        SandboxKey: c.running ? c.sandboxKey : '',
        Ports: {},
        Networks: networksOf(c),
      },
    };
  }
}

function networksOf(c: FakeContainer): Record<string, object> {
  if (c.networkMode.startsWith('container:')) return {};
  return { [c.networkMode]: { NetworkID: '', EndpointID: '', Gateway: '', IPAddress: '', MacAddress: '' } };
}

function sendJson(response: http.ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}

function compareVersions(a: string, b: string): number {
  const [aMajor, aMinor] = a.split('.').map(Number);
  const [bMajor, bMinor] = b.split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}

/** A temp dir (0755, so other users can reach into it), removed after the test. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Starts a fake engine in its own temp dir; stopped and removed after the test. */
export async function startFakeEngine(options: FakeEngineOptions = {}): Promise<FakeEngine> {
  const dir = tempDir('nn-engine-');
  const engine = new FakeEngine(dir, options);
  await engine.listen();
  onCleanup(() => engine.stop());
  return engine;
}
