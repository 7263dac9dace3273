// Work placed inside a namespace by construction: processes, clone, workers,
// sockets and sysctls. Every placement is read from outside the process.
import { ChildProcess as NodeChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { NetNamespace, NetnsError, sys } from '../lib/index';
import {
  childrenOf,
  distEntry,
  finished,
  killAndReap,
  onCleanup,
  readlinkNetns,
  requireTool,
  run,
  runNode,
  tryRun,
} from './helpers';

let counter = 0;
function namedNamespace(): NetNamespace {
  const name = `nn4-${process.pid}-${++counter}`;
  const ns = NetNamespace.createNamed(name);
  onCleanup(() => {
    ns.close();
    if (fs.existsSync(`/run/netns/${name}`)) NetNamespace.delete(name);
  });
  run('ip', ['netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up']);
  return ns;
}

const listeningPorts = (args: string[]): number[] =>
  run(args[0], [...args.slice(1), 'ss', '-ltnH'])
    .split('\n')
    .filter(Boolean)
    .map((line) => Number(line.trim().split(/\s+/)[3].split(':').pop()));

describe('ns.spawn', () => {
  it('starts a real ChildProcess inside the namespace', async () => {
    const ns = namedNamespace();
    const child = ns.spawn('sleep', ['30']);
    onCleanup(() => killAndReap(child));
    expect(child).toBeInstanceOf(NodeChildProcess);
    await new Promise((resolve) => child.once('spawn', resolve));
    expect(readlinkNetns(child.pid!)).toBe(ns.id);
    child.kill('SIGKILL');
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
      child.once('exit', (c, s) => resolve([c, s])),
    );
    expect([code, signal]).toEqual([null, 'SIGKILL']);
  });

  it('isolated: own mount namespace, /sys of the namespace, /etc/netns/NAME over /etc for the child only', async () => {
    const ns = namedNamespace();
    run('ip', ['netns', 'exec', ns.name!, 'ip', 'link', 'add', 'nn4a', 'type', 'veth', 'peer', 'name', 'nn4b']);
    const etcDir = `/etc/netns/${ns.name}`;
    const createdEtcNetns = !fs.existsSync('/etc/netns');
    fs.mkdirSync(etcDir, { recursive: true });
    onCleanup(() => fs.rmSync(createdEtcNetns ? '/etc/netns' : etcDir, { recursive: true, force: true }));
    fs.writeFileSync(path.join(etcDir, 'hostname'), 'inside-the-namespace\n');
    const hostHostname = fs.readFileSync('/etc/hostname', 'utf8');

    const child = ns.spawn(
      'sh',
      ['-c', 'readlink /proc/self/ns/net /proc/self/ns/mnt; ls /sys/class/net; cat /etc/hostname; exit 7'],
      { mountNamespace: 'isolated' },
    );
    expect(child).toBeInstanceOf(NodeChildProcess);
    const { code, stdout } = await finished(child);
    const [netId, mntId, ...rest] = stdout.split('\n');
    expect(code).toBe(7);
    expect(netId).toBe(ns.id);
    expect(mntId).not.toBe(fs.readlinkSync('/proc/self/ns/mnt'));
    expect(rest.slice(0, -1).sort()).toEqual(['lo', 'nn4a', 'nn4b']);
    expect(rest[rest.length - 1]).toBe('inside-the-namespace');
    expect(fs.readFileSync('/etc/hostname', 'utf8')).toBe(hostHostname);
    expect(run('ls', ['/sys/class/net'])).not.toMatch(/nn4a/);
    expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).not.toMatch(/\/etc\/hostname .*netns/);
  });

  it('isolated: pipes stdin through and reports exit by signal', async () => {
    const ns = namedNamespace();
    const child = ns.spawn('cat', [], { mountNamespace: 'isolated' });
    const done = finished(child);
    child.stdin!.end('through the pipe');
    expect((await done).stdout).toBe('through the pipe');
    const sleeper = ns.spawn('sleep', ['30'], { mountNamespace: 'isolated', stdio: 'ignore' });
    await new Promise((resolve) => sleeper.once('spawn', resolve));
    expect(readlinkNetns(sleeper.pid!)).toBe(ns.id);
    expect(sleeper.kill('SIGTERM')).toBe(true);
    const signal = await new Promise((resolve) => sleeper.once('exit', (_c, s) => resolve(s)));
    expect(signal).toBe('SIGTERM');
    expect(fs.existsSync(`/proc/${sleeper.pid}`)).toBe(false);
  });

  it("isolated: an inherited stdout reaches the parent's stdout", () => {
    const ns = namedNamespace();
    const result = runNode(`const lib = require(${JSON.stringify(distEntry)});
      const ns = lib.NetNamespace.fromName(${JSON.stringify(ns.name)});
      const child = ns.spawn('sh', ['-c', 'echo from-the-child; readlink /proc/self/ns/net'],
        { stdio: 'inherit', mountNamespace: 'isolated' });
      ns.close();
      child.on('exit', (code) => { process.exitCode = code; });`);
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual(['from-the-child', ns.id]);
  });

  it.each(['shared', 'isolated'] as const)('%s: an unknown command is ENOENT through the error event', async (mode) => {
    const ns = namedNamespace();
    const child = ns.spawn('nn4-no-such-command', [], { mountNamespace: mode });
    const error = await new Promise<NodeJS.ErrnoException>((resolve) => child.once('error', resolve));
    expect(error.code).toBe('ENOENT');
  });

  it('refuses bad input and closed handles before starting anything', () => {
    const ns = NetNamespace.create();
    ns.close();
    expect(() => ns.spawn('true')).toThrow(/is closed/);
    expect(() => ns.spawn('true', [], { mountNamespace: 'isolated' })).toThrow(/is closed/);
    const open = NetNamespace.create();
    onCleanup(() => open.close());
    expect(() => open.spawn('')).toThrow(TypeError);
    expect(() => open.spawn('true', [1 as unknown as string])).toThrow(TypeError);
    expect(() => open.spawn('true', [], { mountNamespace: 'private' as 'shared' })).toThrow(TypeError);
    expect(() => open.spawn('true', [], { mountNamespace: 'isolated', uid: 1000 })).toThrow(/'uid' option/);
    expect(() =>
      open.spawn('true', [], { mountNamespace: 'isolated', stdio: ['pipe', 'pipe', 'pipe', 'ipc'] }),
    ).toThrow(TypeError);
  });
});

describe('sys.clone', () => {
  it('starts a child in a new network namespace; its exit code comes back; no zombie remains', async () => {
    const [read, write] = sys.pipe();
    const { pid, pidfd } = sys.clone({
      file: '/bin/sh',
      argv: ['sh', '-c', 'readlink /proc/self/ns/net; exit 42'],
      envp: [],
      stdio: [-1, write, -1],
      cloneFlags: sys.constants.CLONE_NEWNET,
    });
    sys.close(write);
    const exit = await new Promise<[number | null, number | null, string | null]>((resolve) =>
      sys.waitPidfd(pidfd, (errno, code, signal) => resolve([errno, code, signal])),
    );
    sys.close(pidfd);
    const output = fs.readFileSync(read, 'utf8').trim();
    sys.close(read);
    expect(exit).toEqual([null, 42, null]);
    expect(output).toMatch(/^net:\[\d+\]$/);
    expect(output).not.toBe(readlinkNetns(process.pid));
    expect(fs.existsSync(`/proc/${pid}`)).toBe(false);
  });

  it('shares our stdio when asked with [0, 1, 2], although Node keeps fds 0-2 close-on-exec', () => {
    const result = runNode(`const { sys } = require(${JSON.stringify(distEntry)});
      const { pidfd } = sys.clone({ file: '/bin/echo', argv: ['echo', 'through our stdout'], envp: [],
        stdio: [0, 1, 2] });
      sys.waitPidfd(pidfd, (errno, code) => { sys.close(pidfd); process.exitCode = code; });`);
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe('through our stdout');
  });

  it('joins a given namespace fd', async () => {
    const ns = NetNamespace.create();
    onCleanup(() => ns.close());
    const { pid, pidfd } = sys.clone({
      file: '/bin/sleep',
      argv: ['sleep', '30'],
      envp: [],
      steps: [{ op: 'setns', fd: ns.fd, flags: sys.constants.CLONE_NEWNET }],
    });
    expect(readlinkNetns(pid)).toBe(ns.id);
    sys.pidfdSendSignal(pidfd, 9);
    const signal = await new Promise((resolve) => sys.waitPidfd(pidfd, (_e, _c, s) => resolve(s)));
    sys.close(pidfd);
    expect(signal).toBe('SIGKILL');
  });

  it('a failing step or exec throws a NetnsError naming it, and reaps the child', () => {
    expect(() => sys.clone({ file: '/nonexistent/program', argv: ['x'], envp: [] })).toThrow(
      expect.objectContaining({ code: 'ENOENT', syscall: 'execve', path: '/nonexistent/program' }),
    );
    expect(() =>
      sys.clone({
        file: '/bin/true',
        argv: ['true'],
        envp: [],
        steps: [{ op: 'mount', target: '/nonexistent-dir', mountFlags: sys.constants.MS_SLAVE }],
      }),
    ).toThrow(expect.objectContaining({ code: 'ENOENT', syscall: 'mount', path: '/nonexistent-dir' }));
    expect(() =>
      sys.clone({
        file: '/bin/true',
        argv: ['true'],
        envp: [],
        steps: [{ op: 'setns', fd: 9999, flags: sys.constants.CLONE_NEWNET }],
      }),
    ).toThrow(NetnsError);
    expect(childrenOf(process.pid).filter((child) => child.state === 'Z')).toEqual([]);
  });
});

/** The port a server started inside prints first; rejects if it ends without printing one. */
function printedPort(server: NodeChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    server.stdout!.once('data', (data) => resolve(Number(String(data))));
    server.once('close', (code) => reject(new Error(`the server ended (exit ${code}) before printing its port`)));
  });
}

describe('sockets made inside', () => {
  it('ns.listen: the server shows in ip netns exec ss, not on the host', async () => {
    requireTool('python3', 'python3');
    const ns = namedNamespace();
    const server = await ns.listen({}, (socket) => socket.end('hello'));
    onCleanup(() => server.close());
    const { port } = server.address() as { port: number };
    expect(listeningPorts(['ip', 'netns', 'exec', ns.name!])).toContain(port);
    expect(listeningPorts(['env'])).not.toContain(port);
    // The client runs asynchronously: this process must stay free to answer.
    const client = spawn('ip', [
      'netns',
      'exec',
      ns.name!,
      'python3',
      '-c',
      `import socket; s = socket.create_connection(("127.0.0.1", ${port})); print(s.recv(100).decode())`,
    ]);
    onCleanup(() => killAndReap(client));
    expect(await finished(client)).toMatchObject({ code: 0, stdout: 'hello' });
  });

  it('ns.connect reaches a server started by ip netns exec on 127.0.0.1 inside', async () => {
    requireTool('python3', 'python3');
    const ns = namedNamespace();
    const server = spawn(
      'ip',
      [
        'netns',
        'exec',
        ns.name!,
        'python3',
        '-c',
        'import socket\ns = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()\n' +
          'print(s.getsockname()[1], flush=True)\nc, _ = s.accept(); c.sendall(c.recv(100).upper()); c.close()',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    onCleanup(() => killAndReap(server));
    const port = await printedPort(server);
    const socket = ns.connect({ port });
    expect(await echoed(socket, 'hello')).toBe('HELLO');
    // The same port on the host's 127.0.0.1 has no listener.
    const outside = (await import('node:net')).connect(port, '127.0.0.1');
    const error = await new Promise<NodeJS.ErrnoException>((resolve) => outside.once('error', resolve));
    expect(error.code).toBe('ECONNREFUSED');
  });

  it('a UDP round trip inside, seen by ss inside only', async () => {
    const ns = namedNamespace();
    const a = await ns.udpSocket();
    const b = await ns.udpSocket();
    onCleanup(() => {
      a.close();
      b.close();
    });
    const port = b.address().port;
    const udpPorts = (args: string[]) => run(args[0], [...args.slice(1), 'ss', '-lunH']);
    expect(udpPorts(['ip', 'netns', 'exec', ns.name!])).toContain(`127.0.0.1:${port}`);
    expect(udpPorts(['env'])).not.toContain(`127.0.0.1:${port} `);
    const got = new Promise<string>((resolve) => b.once('message', (message) => resolve(String(message))));
    a.send('over udp', port, '127.0.0.1');
    expect(await got).toBe('over udp');
  });

  it('ns.socket returns a close-on-exec fd of a socket inside', () => {
    const ns = namedNamespace();
    const fd = ns.socket(sys.constants.AF_INET, sys.constants.SOCK_STREAM);
    onCleanup(() => sys.close(fd));
    const flags = fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').match(/^flags:\s+(\d+)/m)![1];
    expect(Number.parseInt(flags, 8) & sys.constants.O_CLOEXEC).toBe(sys.constants.O_CLOEXEC);
  });

  it('refuses invalid ports, hostnames and closed handles', () => {
    const ns = NetNamespace.create();
    onCleanup(() => ns.close());
    for (const port of [-1, 65536, 1.5, Number.NaN]) {
      expect(() => ns.listen({ port })).toThrow(RangeError);
      expect(() => ns.connect({ port })).toThrow(RangeError);
    }
    expect(() => ns.connect({ port: '80' as unknown as number })).toThrow(TypeError);
    expect(() => ns.listen({ host: 'localhost' })).toThrow(/IP address/);
    expect(() => ns.udpSocket({ type: 'udp6', host: '127.0.0.1' })).toThrow(TypeError);
    const closed = NetNamespace.create();
    closed.close();
    expect(() => closed.listen()).toThrow(/is closed/);
    expect(() => closed.connect({ port: 80 })).toThrow(/is closed/);
  });
});

describe('IPv6 sockets made inside', () => {
  it('ns.listen on ::1: a client inside connects over IPv6; the host has no such listener', async () => {
    requireTool('python3', 'python3');
    const ns = namedNamespace();
    const server = await ns.listen({ host: '::1' }, (socket) => socket.end('hello over v6'));
    onCleanup(() => server.close());
    const { port, family } = server.address() as { port: number; family: string };
    expect(family).toBe('IPv6');
    expect(run('ip', ['netns', 'exec', ns.name!, 'ss', '-ltnH', `sport = :${port}`])).toContain(`[::1]:${port}`);
    expect(run('ss', ['-ltnH', `sport = :${port}`])).toBe('');
    const client = spawn('ip', [
      'netns',
      'exec',
      ns.name!,
      'python3',
      '-c',
      `import socket; s = socket.create_connection(("::1", ${port})); print(s.recv(100).decode())`,
    ]);
    onCleanup(() => killAndReap(client));
    expect(await finished(client)).toMatchObject({ code: 0, stdout: 'hello over v6' });
  });

  it('ns.connect reaches a server inside on ::1', async () => {
    requireTool('python3', 'python3');
    const ns = namedNamespace();
    const server = spawn(
      'ip',
      [
        'netns',
        'exec',
        ns.name!,
        'python3',
        '-c',
        'import socket\ns = socket.socket(socket.AF_INET6); s.bind(("::1", 0)); s.listen()\n' +
          'print(s.getsockname()[1], flush=True)\nc, _ = s.accept(); c.sendall(c.recv(100).upper()); c.close()',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    onCleanup(() => killAndReap(server));
    const port = await printedPort(server);
    const socket = ns.connect({ host: '::1', port });
    expect(await echoed(socket, 'hello6')).toBe('HELLO6');
  });

  it('a udp6 round trip inside', async () => {
    const ns = namedNamespace();
    const a = await ns.udpSocket({ type: 'udp6' });
    const b = await ns.udpSocket({ type: 'udp6', host: '::1' });
    onCleanup(() => {
      a.close();
      b.close();
    });
    const port = b.address().port;
    expect(run('ip', ['netns', 'exec', ns.name!, 'ss', '-lunH', `sport = :${port}`])).toContain(`[::1]:${port}`);
    const got = new Promise<string>((resolve) => b.once('message', (message) => resolve(String(message))));
    a.send('over udp6', port, '::1');
    expect(await got).toBe('over udp6');
  });

  it('a link-local address with a zone named inside the namespace (unknown to the host)', async () => {
    const ns = namedNamespace();
    const inside = (...args: string[]) => run('ip', ['-n', ns.name!, ...args]);
    inside('link', 'add', 'nn4zone', 'type', 'veth', 'peer', 'name', 'nn4zonep');
    inside('link', 'set', 'nn4zone', 'up');
    inside('link', 'set', 'nn4zonep', 'up');
    inside('addr', 'add', 'fe80::4:1/64', 'dev', 'nn4zone', 'nodad');
    expect(tryRun('ip', ['link', 'show', 'nn4zone']).status).not.toBe(0); // the premise: the host has no such name
    const ifindex = JSON.parse(inside('-j', 'link', 'show', 'nn4zone'))[0].ifindex;
    const server = await ns.listen({ host: 'fe80::4:1%nn4zone' });
    onCleanup(() => server.close());
    const { port } = server.address() as { port: number };
    expect(inside('-j', 'link', 'show', 'nn4zone')).toContain('nn4zone');
    expect(run('ip', ['netns', 'exec', ns.name!, 'ss', '-ltnH', `sport = :${port}`])).toContain(
      `[fe80::4:1]%nn4zone:${port}`,
    );
    const byIndex = await ns.listen({ host: `fe80::4:1%${ifindex}` });
    onCleanup(() => byIndex.close());
    expect(() => ns.listen({ host: 'fe80::4:1%nn4-missing' })).toThrow(expect.objectContaining({ code: 'ENODEV' }));
    expect(() => ns.connect({ host: 'fe80::4:1%nn4zone', port })).toThrow(/zone/);
  });
});

describe('ns.worker', () => {
  it('runs a worker whose server lives only inside', async () => {
    const ns = namedNamespace();
    const worker = ns.worker(
      `
      const net = require('node:net');
      const { parentPort } = require('node:worker_threads');
      const server = net.createServer().listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
      parentPort.once('message', () => server.close());`,
      { eval: true },
    );
    onCleanup(() => {
      void worker.terminate();
    });
    const port = await new Promise<number>((resolve) => worker.once('message', resolve));
    expect(listeningPorts(['ip', 'netns', 'exec', ns.name!])).toContain(port);
    expect(listeningPorts(['env'])).not.toContain(port);
    worker.postMessage('stop');
  });
});

describe('ns.sysctl', () => {
  it('a value set inside differs from the host, which is unchanged', () => {
    const ns = namedNamespace();
    const host = fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim();
    const other = host === '1' ? '0' : '1';
    ns.setSysctl('net.ipv4.ip_forward', other);
    expect(ns.sysctl('net/ipv4/ip_forward')).toBe(other);
    expect(run('ip', ['netns', 'exec', ns.name!, 'sysctl', '-n', 'net.ipv4.ip_forward'])).toBe(other);
    expect(fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim()).toBe(host);
    expect(ns.sysctl('net.ipv4.conf.lo.forwarding')).toBe(other);
  });

  it.each([
    'kernel.hostname',
    'net',
    'net..ipv4',
    'net/../kernel/hostname',
    '/proc/sys/net/ipv4/ip_forward',
    'net.ipv4.../x',
    '',
    'vm.swappiness',
    'net/ipv4/ip_forward\0',
  ])('refuses the key %j', (key) => {
    const ns = NetNamespace.create();
    onCleanup(() => ns.close());
    expect(() => ns.sysctl(key)).toThrow(TypeError);
    expect(() => ns.setSysctl(key, 1)).toThrow(TypeError);
  });

  it('an unknown net key is ENOENT; a bad value is refused', () => {
    const ns = NetNamespace.create();
    onCleanup(() => ns.close());
    expect(() => ns.sysctl('net.ipv4.no_such_key')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(() => ns.setSysctl('net.ipv4.ip_forward', '1\n0')).toThrow(TypeError);
    void tryRun;
  });
});

/** Writes `text` and collects what comes back until the server closes the connection. */
async function echoed(socket: Socket, text: string): Promise<string> {
  let reply = '';
  socket.on('data', (chunk) => {
    reply += chunk;
  });
  socket.write(text);
  await new Promise((resolve, reject) => {
    socket.once('close', resolve);
    socket.once('error', reject);
  });
  return reply;
}
