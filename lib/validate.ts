// Argument checks that throw TypeError/RangeError before any system call.

export function assertPid(pid: unknown, what = 'pid'): asserts pid is number {
  if (typeof pid !== 'number') {
    throw new TypeError(`${what} must be a number, got ${typeof pid}`);
  }
  if (!Number.isInteger(pid) || pid <= 0 || pid > 0x3fffffff) {
    throw new RangeError(`${what} must be a positive integer, got ${pid}`);
  }
}

function assertPath(value: unknown, what = 'path'): asserts value is string {
  if (typeof value !== 'string') {
    throw new TypeError(`${what} must be a string, got ${typeof value}`);
  }
  if (value.length === 0) throw new TypeError(`${what} must not be empty`);
  if (value.includes('\0')) throw new TypeError(`${what} must not contain NUL bytes`);
}

export function assertAbsolutePath(value: unknown, what = 'path'): asserts value is string {
  assertPath(value, what);
  if (!value.startsWith('/')) {
    throw new TypeError(`${what} must be an absolute path, got '${value}'`);
  }
}

export function assertFunction(value: unknown, what: string): asserts value is (...args: never[]) => unknown {
  if (typeof value !== 'function') {
    throw new TypeError(`${what} must be a function, got ${typeof value}`);
  }
}

const NAME_MAX = 255;

/** ip netns name rules: not empty, at most NAME_MAX bytes, no '/', not '.' or '..'. */
export function assertNetnsName(name: unknown): asserts name is string {
  if (typeof name !== 'string') {
    throw new TypeError(`namespace name must be a string, got ${typeof name}`);
  }
  if (name.length === 0) throw new TypeError('namespace name must not be empty');
  if (name === '.' || name === '..') {
    throw new TypeError(`namespace name must not be '${name}'`);
  }
  if (name.includes('/')) throw new TypeError(`namespace name must not contain '/': '${name}'`);
  if (name.includes('\0')) throw new TypeError('namespace name must not contain NUL bytes');
  // A UTF-16 unit is at most 3 UTF-8 bytes: only a long name needs counting.
  if (name.length * 3 > NAME_MAX && Buffer.byteLength(name) > NAME_MAX) {
    throw new RangeError(`namespace name must be at most ${NAME_MAX} bytes`);
  }
}

/**
 * Refuses keys an options object does not know (those set to undefined
 * aside): a misspelt key (`upp`) would otherwise be ignored, and leave a veth
 * end silently down.
 */
export function assertKnownKeys(given: object, known: ReadonlySet<string>, what: string): void {
  const unknown = Object.keys(given).filter(
    (key) => !known.has(key) && (given as Record<string, unknown>)[key] !== undefined,
  );
  if (unknown.length > 0) {
    throw new TypeError(`unknown ${what} key(s): ${unknown.join(', ')} (known: ${[...known].join(', ')})`);
  }
}
