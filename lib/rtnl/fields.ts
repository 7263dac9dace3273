// The numeric fields a request carries, checked once, the same way
// everywhere, before any message is built: the kernel's ifindex, fds and
// mtu are ints; metrics and table numbers are u32.

function assertIntegerIn(value: unknown, what: string, min: number, max: number): asserts value is number {
  if (typeof value !== 'number') throw new TypeError(`${what} must be a number, got ${typeof value}`);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${what} must be an integer from ${min} to ${max}, got ${value}`);
  }
}

const INT_MAX = 0x7fffffff;
const U32_MAX = 0xffffffff;

export function assertIfindex(value: unknown, what = 'ifindex'): asserts value is number {
  assertIntegerIn(value, what, 1, INT_MAX);
}

export function assertFd(value: unknown, what = 'fd'): asserts value is number {
  assertIntegerIn(value, what, 0, INT_MAX);
}

export function assertMtu(value: unknown, what = 'mtu'): asserts value is number {
  assertIntegerIn(value, what, 1, INT_MAX);
}

export function assertU32(value: unknown, what: string): asserts value is number {
  assertIntegerIn(value, what, 0, U32_MAX);
}
