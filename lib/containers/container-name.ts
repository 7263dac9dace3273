// A container id or name as Docker and Podman accept them, checked before any
// request: ids are hex (a unique prefix will do), names match
// [a-zA-Z0-9][a-zA-Z0-9_.-]*. The API lists names with a leading '/', so one
// is accepted and dropped.
const CONTAINER_REF = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const MAX_LENGTH = 255;

/** The id or name to ask the engine for; TypeError/RangeError for anything else. */
export function checkContainerRef(value: unknown): string {
  if (typeof value !== 'string') throw new TypeError(`container id or name must be a string, got ${typeof value}`);
  const ref = value.startsWith('/') ? value.slice(1) : value;
  if (ref.length === 0) throw new TypeError('container id or name must not be empty');
  if (ref.includes('\0')) throw new TypeError('container id or name must not contain NUL bytes');
  if (ref.includes('/')) throw new TypeError(`container id or name must not contain '/': '${value}'`);
  if (ref.length > MAX_LENGTH) throw new RangeError(`container id or name must be at most ${MAX_LENGTH} characters`);
  if (!CONTAINER_REF.test(ref)) {
    throw new TypeError(
      `not a container id or name (letters, digits, '_', '.', '-', ` + `starting with a letter or digit): '${value}'`,
    );
  }
  return ref;
}
