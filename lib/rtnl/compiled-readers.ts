// Readers that build an object of known keys, compiled once per table or
// struct into a function that names each key in its code. A loop that stores
// `record[keys[i]]` makes every store one shared keyed store and every read one
// shared call site, which V8 can neither specialize nor inline: in a dump,
// where every message comes through here, that loop was a quarter of the
// parse. The keys come from this library's own tables, never from input, and
// are checked to be plain identifiers before any code is made of them.
//
// A process run with --disallow-code-generation-from-strings (or a realm that
// forbids it) refuses `new Function`: the same reader is then that loop.

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function assertIdentifiers(keys: readonly string[]): void {
  for (const key of keys) {
    // __proto__ would set the object's prototype, not a field.
    if (!IDENTIFIER.test(key) || key === '__proto__') {
      throw new Error(`netlink: '${key}' cannot be compiled into a reader`);
    }
  }
}

/**
 * The function that `body` returns, made with `new Function(parameter,
 * body)(argument)`; undefined where code may not be made from strings.
 */
function makeFromSource<F>(parameter: string, body: string, argument: unknown): F | undefined {
  let make: (argument: unknown) => F;
  try {
    make = new Function(parameter, body) as (argument: unknown) => F;
  } catch (error) {
    if (error instanceof EvalError) return undefined;
    throw error;
  }
  return make(argument);
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
  return (
    makeFromSource('reads', `return function readRecord(s) {\nconst r = {};\nlet v;\n${body}\nreturn r;\n};`, reads) ??
    ((source: S) => {
      const record: Record<string, unknown> = {};
      for (let i = 0; i < keys.length; i++) {
        const value = reads[i](source);
        if (value !== undefined) record[keys[i]] = value;
      }
      return record;
    })
  );
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
  return (
    makeFromSource('reads', `return function readStruct(b, at) {\nreturn {\n${fields}\n};\n};`, reads) ??
    ((bytes: Buffer, at: number) => {
      const struct: Record<string, number> = {};
      for (let i = 0; i < keys.length; i++) struct[keys[i]] = reads[i](bytes, at + offsets[i]);
      return struct;
    })
  );
}
