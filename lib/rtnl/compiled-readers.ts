// Readers that build an object of known keys, compiled once per table or
// struct into a function that names each key in its code. A loop that stores
// `record[keys[i]]` makes every store one shared keyed store and every read one
// shared call site, which V8 can neither specialize nor inline: in a dump,
// where every message comes through here, that loop was a quarter of the
// parse. The keys come from this library's own tables, never from input, and
// are checked to be plain identifiers before any code is made of them.

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function assertIdentifiers(keys: readonly string[]): void {
  for (const key of keys) {
    if (!IDENTIFIER.test(key)) throw new Error(`netlink: '${key}' cannot be compiled into a reader`);
  }
}

/**
 * `(source) => record`: each key read by its function, in order, and left
 * out when it reads undefined (as the optional fields of the public types are).
 */
export function compileRecordReader<S>(
  keys: readonly string[],
  reads: ReadonlyArray<(source: S) => unknown>,
): (source: S) => Record<string, unknown> {
  assertIdentifiers(keys);
  const body = keys.map((key, i) => `v = reads[${i}](s); if (v !== undefined) r.${key} = v;`).join('\n');
  return new Function('reads', `return function readRecord(s) {\nconst r = {};\nlet v;\n${body}\nreturn r;\n};`)(
    reads,
  ) as (source: S) => Record<string, unknown>;
}

/** `(bytes, at) => struct`: every key read by its function at its offset from `at`, all present. */
export function compileStructReader(
  keys: readonly string[],
  offsets: readonly number[],
  reads: ReadonlyArray<(bytes: Buffer, offset: number) => number>,
): (bytes: Buffer, at: number) => Record<string, number> {
  assertIdentifiers(keys);
  if (!offsets.every((offset) => Number.isInteger(offset) && offset >= 0)) {
    throw new Error('netlink: struct offsets must be non-negative integers');
  }
  const fields = keys.map((key, i) => `${key}: reads[${i}](b, at + ${offsets[i]})`).join(',\n');
  return new Function('reads', `return function readStruct(b, at) {\nreturn {\n${fields}\n};\n};`)(reads) as (
    bytes: Buffer,
    at: number,
  ) => Record<string, number>;
}
