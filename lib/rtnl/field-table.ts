// One spelling per attribute: a table per message family names each field of
// the public record once, with where it comes from (the netlink attribute),
// how it is read from a message and, where a request sends it, written, and
// the key `ip -j` prints it under. The parser (dumps and notifications
// alike), the `ip -j`-shaped JSON and the compile-time check that the table
// and the public type agree all come from it.

import { compileRecordReader } from './compiled-readers';

/** One field of a record of type T, read from a parsed message S. */
export interface FieldSpec<V, S, T> {
  /** The attribute it is read from: its type, or the path of nests down to it; absent for header fields. */
  readonly attribute?: number | readonly number[];
  read(source: S): V;
  /** Builds the attribute that sets it, for the fields a request can set. */
  readonly write?: (value: NonNullable<V>) => Buffer;
  /**
   * Its key in `ip -j` output, dotted for a nested object ('linkinfo.info_kind');
   * '...' spreads the object `ipValue` makes into the entry; absent: ip prints none.
   */
  readonly ip?: string;
  /** When ip prints it, if not whenever it is defined. */
  readonly ipWhen?: (record: T) => boolean;
  /** How ip prints the value, if not as it is. */
  readonly ipValue?: (value: NonNullable<V>) => unknown;
}

/**
 * A table for record type T: exactly one entry per field of T, whose reader
 * answers that field's type (undefined only for an optional field). Declared
 * with `satisfies FieldTable<T, S>`, so the table and T cannot drift apart.
 * The entries' order is the order of the fields in the records it reads and
 * of the keys in its `ip -j` JSON (ip's own order).
 */
export type FieldTable<T, S> = { readonly [K in keyof T]-?: FieldSpec<T[K], S, T> };

// Each table's reader, compiled once (compiled-readers.ts): a dump reads
// every table entry of every message (a million routes).
const readers = new WeakMap<object, (source: never) => Record<string, unknown>>();

/** A record read from `source`, field by field in the table's order; undefined fields are left out. */
export function readRecord<T, S>(table: FieldTable<T, S>, source: S): T {
  let read = readers.get(table) as ((source: S) => Record<string, unknown>) | undefined;
  if (read === undefined) {
    const entries = Object.entries(table as Record<string, FieldSpec<unknown, S, T>>);
    read = compileRecordReader(
      entries.map(([key]) => key),
      entries.map(([, spec]) => spec.read),
    );
    readers.set(table, read);
  }
  return read(source) as T;
}

/** `record` with `ip -j`'s keys, in the table's order: only the fields ip prints. */
export function ipJsonOf<T, S>(table: FieldTable<T, S>, record: T): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  for (const key in table) {
    const { ip, ipWhen, ipValue } = table[key];
    const value = record[key];
    if (ip === undefined || value === undefined || value === null || (ipWhen !== undefined && !ipWhen(record)))
      continue;
    const printed = ipValue !== undefined ? ipValue(value) : Array.isArray(value) ? [...value] : value;
    if (ip === '...') {
      Object.assign(json, printed);
      continue;
    }
    const path = ip.split('.');
    let target = json;
    for (const step of path.slice(0, -1)) target = (target[step] ??= {}) as Record<string, unknown>;
    target[path[path.length - 1]] = printed;
  }
  return json;
}

// ---- the `ip -j` shape of a record, as a type derived from its table ----

type IpKeyOf<E> = E extends { readonly ip: infer P extends string } ? (P extends '...' ? never : P) : never;
type IpValueOf<E, V> = E extends { readonly ipValue: (value: never) => infer R } ? R : V;
type Conditional<E> = E extends { readonly ipWhen: unknown } ? true : false;

// ip's keys, flat ('linkinfo.info_kind'): fields ip always prints keep their
// optionality; those it prints only sometimes (ipWhen) are optional.
type FlatIpJson<T, Table> = {
  [
    K in keyof T as K extends keyof Table ? (Conditional<Table[K]> extends true ? never : IpKeyOf<Table[K]>) : never
  ]: K extends keyof Table ? IpValueOf<Table[K], T[K]> : never;
} & {
  [
    K in keyof T as K extends keyof Table ? (Conditional<Table[K]> extends true ? IpKeyOf<Table[K]> : never) : never
  ]?: K extends keyof Table ? IpValueOf<Table[K], T[K]> : never;
};

type Heads<F> = keyof F extends infer P ? (P extends `${infer H}.${string}` ? H : never) : never;
type Nested<F> = { [P in keyof F as P extends `${string}.${string}` ? never : P]: F[P] } & {
  [H in Heads<F>]?: { [P in keyof F as P extends `${H}.${infer Tail}` ? Tail : never]: F[P] };
};

/** What ipJsonOf makes of a T: ip's keys and value types, as the table says. */
export type IpJsonOf<T, Table> = Nested<FlatIpJson<T, Table>>;
