// net.* sysctls of one namespace: /proc/sys/net is per network namespace,
// resolved for the thread that opens the file, so it is read inside.
import fs from 'node:fs';
import path from 'node:path';
import { rethrowing } from '../errors';
import type { NamespaceRef } from '../ref';

const COMPONENT = /^[A-Za-z0-9_.:@+-]+$/;

/**
 * The /proc/sys path of a net.* key, in dotted form (`net.ipv4.ip_forward`,
 * where a '/' stands for a '.' inside a name: `net.ipv4.conf.eth0/100.rp_filter`)
 * or slash form (`net/ipv4/ip_forward`). Anything else is refused.
 */
export function sysctlPath(key: unknown): string {
  if (typeof key !== 'string') throw new TypeError(`sysctl key must be a string, got ${typeof key}`);
  const components = key.startsWith('net/') ? key.split('/') : key.split('.').map((part) => part.replace(/\//g, '.'));
  if (components[0] !== 'net' || components.length < 2) {
    throw new TypeError(`sysctl key must be a net.* key, got '${key}'`);
  }
  for (const component of components) {
    if (!COMPONENT.test(component) || component === '.' || component === '..') {
      throw new TypeError(`invalid sysctl key '${key}'`);
    }
  }
  return path.join('/proc/sys', ...components);
}

export function readSysctl(ns: NamespaceRef, key: string): string {
  const file = sysctlPath(key);
  return ns.enter(() => rethrowing(() => fs.readFileSync(file, 'utf8').trim(), file));
}

export function writeSysctl(ns: NamespaceRef, key: string, value: string | number): void {
  const file = sysctlPath(key);
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new TypeError(`sysctl value must be a string or number, got ${typeof value}`);
  }
  const text = String(value);
  if (/[\0\n]/.test(text)) throw new TypeError('sysctl value must be one line without NUL bytes');
  ns.enter(() => rethrowing(() => fs.writeFileSync(file, `${text}\n`), file));
}
