// Reads the captured rtnetlink exchanges in test/fixtures/rtnl (written by
// scripts/capture-rtnl-fixtures.py): '#' comments, one '>' request line and
// one '<' line per datagram of the kernel's answer, all hex.
import fs from 'node:fs';
import path from 'node:path';
import { type NetlinkMessage, parseMessages } from '../../lib/rtnl/wire';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'rtnl');

export interface Exchange {
  description: string;
  request: Buffer;
  datagrams: Buffer[];
  /** Every message of every datagram, in order. */
  messages: NetlinkMessage[];
}

export function loadExchange(name: string): Exchange {
  const lines = fs.readFileSync(path.join(FIXTURES, `${name}.hex`), 'utf8').split('\n');
  const description = (lines[0] ?? '').replace(/^# /, '');
  const request = lines.filter((line) => line.startsWith('> ')).map((line) => Buffer.from(line.slice(2), 'hex'));
  const datagrams = lines.filter((line) => line.startsWith('< ')).map((line) => Buffer.from(line.slice(2), 'hex'));
  if (request.length !== 1 || datagrams.length === 0) throw new Error(`fixture ${name} is incomplete`);
  return { description, request: request[0], datagrams, messages: datagrams.flatMap(parseMessages) };
}

/** iproute2's JSON of the same moment (`ip -j ...`). */
export function loadIpJson<T>(name: string): T {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.ip.json`), 'utf8')) as T;
}

/** Hex of a buffer, for readable diffs. */
export function hex(buffer: Buffer): string {
  return buffer.toString('hex');
}
