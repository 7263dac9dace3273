// The fake Engine API the container tests run against, checked first against
// the installed docker CLI: what passes here speaks the protocol the real
// daemon speaks.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { type FakeEngine, startFakeEngine } from './fake-engine';
import { startNetnsProcess } from './helpers';

const execFileAsync = promisify(execFile);

const requestLines = (engine: FakeEngine): string[] => engine.requests.map((r) => `${r.method} ${r.url}`);

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('the fake engine, checked against the docker CLI', () => {
  async function docker(engine: FakeEngine, args: string[]) {
    // DOCKER_CONFIG: the CLI reads (and writes) nothing of the host's ~/.docker.
    const env = { ...process.env, DOCKER_HOST: `unix://${engine.socketPath}`, DOCKER_CONFIG: engine.dir };
    return execFileAsync('docker', args, { env, encoding: 'utf8' });
  }

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

    // The CLI pings first (HEAD), then asks at the version the ping offered.
    expect(requestLines(engine)).toEqual([
      'HEAD /_ping', 'GET /v1.47/containers/json?size=1',
      'HEAD /_ping', 'GET /v1.47/containers/web/json',
      'HEAD /_ping', `GET /v1.47/containers/${web.id.slice(0, 12)}/json`,
    ]);
    expect(engine.requests.every((r) => r.userAgent?.startsWith('Docker-Client/'))).toBe(true);
  });

  it('docker inspect of an unknown name gets the daemon\'s 404 and says "No such object"', async () => {
    const engine = await startFakeEngine();
    const error = await rejection(docker(engine, ['inspect', 'nope'])) as { code: number; stderr: string };
    expect(error.code).toBe(1);
    expect(error.stderr).toContain('No such object: nope');
    expect(requestLines(engine)).toContain('GET /v1.47/containers/nope/json');
  });

  it('the CLI falls back to GET /_ping when HEAD is refused, as for daemons before API 1.40', async () => {
    const engine = await startFakeEngine({ noHeadPing: true, apiVersion: '1.41' });
    engine.add({ name: 'web', pid: startNetnsProcess().pid });
    await docker(engine, ['ps', '-q']);
    expect(requestLines(engine)).toEqual(['HEAD /_ping', 'GET /_ping', 'GET /v1.41/containers/json']);
  });
});

