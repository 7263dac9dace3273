// Resources kept with a handle for as long as it is open, one per key: the
// namespace's rtnetlink socket (lib/rtnl/transport.ts), made inside on first
// use and reused by every later call on the same handle, so that a loop of
// changes pays for one socket, not one per change. They close with the
// handle, or when it is collected unclosed (the leak registry warns of that).

interface Closable {
  close(): void;
}

const kept = new WeakMap<object, Map<symbol, Closable>>();

// What a collected owner kept: closed then, as its own fd is (leak-registry.ts).
// The map does not refer to its owner, so it does not keep it alive.
const orphans = new FinalizationRegistry<Map<symbol, Closable>>((resources) => {
  try {
    closeAll(resources);
  } catch {
    // Already gone: nothing to give back.
  }
});

/** The resource kept under `key` for `owner`, made by `make` the first time. */
export function keepWith<T extends Closable>(owner: object, key: symbol, make: () => T): T {
  let resources = kept.get(owner);
  const existing = resources?.get(key);
  if (existing !== undefined) return existing as T;
  const made = make();
  if (resources === undefined) {
    kept.set(owner, (resources = new Map()));
    orphans.register(owner, resources, owner);
  }
  resources.set(key, made);
  return made;
}

/** Closes what `owner` kept (every one, even if one fails; the first failure is thrown). */
export function releaseKept(owner: object): void {
  const resources = kept.get(owner);
  if (resources === undefined) return;
  kept.delete(owner);
  orphans.unregister(owner);
  closeAll(resources);
}

/** Closes every resource, even if one fails (the first failure is thrown). */
function closeAll(resources: Map<symbol, Closable>): void {
  const failures: unknown[] = [];
  for (const resource of resources.values()) {
    try {
      resource.close();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures[0];
}
