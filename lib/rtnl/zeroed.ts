// Requests and structs are built from many small buffers: each taken from
// Node's shared pool and zero-filled, where Buffer.alloc gives each its own
// ArrayBuffer, which cost most of the building (a veth creation took 10 µs,
// a 16-byte struct more than the writes into it).

/** A zero-filled buffer of `size` bytes from Node's shared pool. */
export function zeroed(size: number): Buffer {
  return Buffer.allocUnsafe(size).fill(0);
}
