// --listen HOST:PORT for `graph --serve`: an IPv4 address or host name, an
// IPv6 address in brackets ([::1]:8181), or a port alone (on 127.0.0.1).
import { isIP } from 'node:net';
import { UsageError } from './args';

export interface ListenAddress {
  host: string;
  port: number;
}

export const DEFAULT_LISTEN: ListenAddress = { host: '127.0.0.1', port: 8181 };

export function parseListen(text: string): ListenAddress {
  const alone = /^\d{1,5}$/.test(text);
  const match = alone ? null : /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  const port = Number(alone ? text : match?.[3]);
  if ((!alone && match === null) || !(port <= 65535)) {
    throw new UsageError(`--listen: expected HOST:PORT, [IPV6]:PORT or PORT, got '${text}'`);
  }
  const bracketed = match?.[1];
  if (bracketed !== undefined && isIP(bracketed) !== 6) {
    throw new UsageError(`--listen: '${bracketed}' is not an IPv6 address`);
  }
  const host = bracketed ?? match?.[2] ?? '';
  return { host: host === '' ? DEFAULT_LISTEN.host : host, port };
}

/** The URL of a listening address, as a browser takes it (an IPv6 address in brackets). */
export function urlOf(host: string, port: number): string {
  return `http://${isIP(host) === 6 ? `[${host}]` : host}:${port}/`;
}
