// Sockets that live in a namespace: made by socket(2) on a thread switched
// into it, then handed to node:net or node:dgram by fd. Binding and
// connecting may happen afterwards from anywhere: a socket's namespace is
// fixed when it is created.
import dgram from 'node:dgram';
import net from 'node:net';
import { native } from '../binding';
import { check } from '../errors';
import type { NamespaceRef } from '../ref';
import { sys } from '../sys';
import { assertFunction } from '../validate';
import { readInside, readLink } from '../rtnl/read';
import { type HostAddress, assertPort, parseHost, sockaddrOf } from './sockaddr';

const c = native.constants;

/**
 * Where {@link NetNamespace.listen} listens, inside the namespace. IP
 * addresses only: a hostname would be resolved outside.
 */
export interface NsListenOptions {
  /** Default 0: a free port, read it from server.address(). */
  port?: number;
  /** An IP address inside the namespace; default '127.0.0.1'. */
  host?: string;
  /** The listen(2) backlog, as `server.listen`'s. */
  backlog?: number;
}

/** Where {@link NetNamespace.connect} connects, from inside the namespace. */
export interface NsConnectOptions {
  /** The TCP port. */
  port: number;
  /** An IP address reachable from inside the namespace; default '127.0.0.1'. */
  host?: string;
}

/** The socket {@link NetNamespace.udpSocket} makes and binds inside the namespace. */
export interface NsUdpOptions {
  /** Default 'udp4'. */
  type?: 'udp4' | 'udp6';
  /** Default 0: a free port, read it from socket.address(). */
  port?: number;
  /** Default '127.0.0.1' for udp4, '::1' for udp6. */
  host?: string;
}

/** @internal socket(2) inside `ns`; the fd is the caller's to hand over or close. */
export function socketIn(ns: NamespaceRef, domain: number, type: number, protocol = 0): number {
  return ns.enter(() => sys.socket(domain, type, protocol));
}

/** A zone's scope id: an index as given, a name looked up inside the namespace. */
function scopeIdIn(ns: NamespaceRef, host: HostAddress): number {
  if (host.zone === undefined) return 0;
  if (/^\d+$/.test(host.zone)) return Number(host.zone);
  const zone = host.zone;
  return readInside(ns, (socket) => readLink(socket, zone).ifindex);
}

function boundSocketIn(ns: NamespaceRef, type: number, host: HostAddress, port: number): number {
  const bytes = sockaddrOf(host, port, scopeIdIn(ns, host));
  const fd = socketIn(ns, host.family === 4 ? c.AF_INET : c.AF_INET6, type | c.SOCK_NONBLOCK);
  try {
    if (type === c.SOCK_STREAM) check(native.setsockoptInt(fd, c.SOL_SOCKET, c.SO_REUSEADDR, 1));
    check(native.bind(fd, bytes));
    return fd;
  } catch (error) {
    native.close(fd);
    throw error;
  }
}

/** @internal A net.Server listening inside the namespace. */
export function listenIn(
  ns: NamespaceRef,
  options: NsListenOptions = {},
  connectionListener?: (socket: net.Socket) => void,
): Promise<net.Server> {
  const { port = 0, host = '127.0.0.1', backlog = 511 } = options ?? {};
  assertPort(port);
  const address = parseHost(host);
  if (!Number.isInteger(backlog) || backlog < 0 || backlog > 0x7fffffff) {
    throw new RangeError(`backlog must be a non-negative integer, got ${backlog}`);
  }
  if (connectionListener !== undefined) assertFunction(connectionListener, 'connectionListener');
  const fd = boundSocketIn(ns, c.SOCK_STREAM, address, port);
  const server = net.createServer(connectionListener);
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => {
      server.close();
      reject(error);
    };
    server.once('error', fail);
    try {
      // With { fd }, Node takes the backlog only as a separate argument.
      server.listen({ fd }, backlog, () => {
        server.off('error', fail);
        resolve(server);
      });
    } catch (error) {
      native.close(fd); // refused before Node took the fd
      reject(error);
    }
  });
}

/** @internal A net.Socket whose socket was created inside the namespace, connecting there. */
export function connectIn(ns: NamespaceRef, options: NsConnectOptions): net.Socket {
  const { port, host = '127.0.0.1' } = options ?? ({} as NsConnectOptions);
  assertPort(port);
  const address = parseHost(host);
  if (address.zone !== undefined) {
    // libuv resolves a zone name with if_nametoindex on the thread that
    // connects, outside the namespace, and ignores numeric zones.
    throw new TypeError(
      `host '${host}': connect() takes no IPv6 zone; listen on or bind to the ` +
        'link-local address instead, or connect to a global address',
    );
  }
  const fd = socketIn(ns, address.family === 4 ? c.AF_INET : c.AF_INET6, c.SOCK_STREAM | c.SOCK_NONBLOCK);
  let socket: net.Socket;
  try {
    socket = new net.Socket({ fd, readable: true, writable: true });
  } catch (error) {
    native.close(fd);
    throw error;
  }
  return socket.connect({ port, host });
}

/** @internal A dgram.Socket created and bound inside the namespace. */
export function udpSocketIn(ns: NamespaceRef, options: NsUdpOptions = {}): Promise<dgram.Socket> {
  const { type = 'udp4', port = 0 } = options;
  if (type !== 'udp4' && type !== 'udp6') throw new TypeError(`type must be 'udp4' or 'udp6', got '${type}'`);
  const host = options.host ?? (type === 'udp4' ? '127.0.0.1' : '::1');
  assertPort(port);
  const address = parseHost(host);
  if ((type === 'udp6') !== (address.family === 6)) {
    throw new TypeError(`host '${host}' does not match type '${type}'`);
  }
  const fd = boundSocketIn(ns, c.SOCK_DGRAM, address, port);
  const socket = dgram.createSocket(type);
  return new Promise((resolve, reject) => {
    socket.once('error', (error) => {
      socket.close();
      reject(error);
    });
    try {
      socket.bind({ fd }, () => {
        socket.removeAllListeners('error');
        resolve(socket);
      });
    } catch (error) {
      native.close(fd); // refused before Node took the fd
      reject(error);
    }
  });
}
