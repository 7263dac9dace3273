// --listen HOST:PORT of `graph --serve`, and the URL printed for it.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../lib/cli/args';
import { parseListen, urlOf } from '../../lib/cli/listen-address';

describe('parseListen', () => {
  it('reads HOST:PORT, [IPV6]:PORT and PORT alone (on 127.0.0.1)', () => {
    expect(parseListen('127.0.0.1:8181')).toEqual({ host: '127.0.0.1', port: 8181 });
    expect(parseListen('0.0.0.0:0')).toEqual({ host: '0.0.0.0', port: 0 });
    expect(parseListen('localhost:80')).toEqual({ host: 'localhost', port: 80 });
    expect(parseListen('[::1]:8181')).toEqual({ host: '::1', port: 8181 });
    expect(parseListen('9000')).toEqual({ host: '127.0.0.1', port: 9000 });
    expect(parseListen(':9000')).toEqual({ host: '127.0.0.1', port: 9000 });
  });

  it('refuses what is not an address and a port as bad usage', () => {
    for (const text of ['', 'host', 'host:', 'host:65536', '::1:80', '[host]:80', '[::1]', 'a:b:80', '1.2.3.4:-1']) {
      expect(() => parseListen(text), text).toThrow(UsageError);
    }
  });
});

describe('urlOf', () => {
  it('puts an IPv6 address in brackets', () => {
    expect(urlOf('127.0.0.1', 8181)).toBe('http://127.0.0.1:8181/');
    expect(urlOf('::1', 8181)).toBe('http://[::1]:8181/');
  });
});
