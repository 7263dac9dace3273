// The namespace reference every layer takes: what configure/, inside/,
// named/, proc/ and rtnl/ need of a namespace, and nothing more. Types only,
// at the bottom, so that no module below the NetNamespace class has to know
// the class (it implements this). A test can hand any of them a fake.

/** A network namespace held open: its fd, its identity, how to run code inside it. */
export interface NamespaceRef {
  /** An open close-on-exec fd on the namespace's nsfs file. */
  readonly fd: number;
  /** The nsfs device and inode: together, the namespace's identity. */
  readonly dev: number;
  readonly ino: number;
  /** `net:[INO]`, as readlink /proc/PID/ns/net and lsns show it. */
  readonly id: string;
  /** The run-dir name, for named namespaces. */
  readonly name?: string;
  /** The file it was opened from, where there is one. */
  readonly path?: string;
  /** Runs the synchronous fn on the calling thread inside the namespace, and switches back. */
  enter<T>(fn: () => T): T;
  /** Same namespace: same nsfs device and inode. */
  equals(other: NamespaceRef): boolean;
  /**
   * A resource made for this namespace and kept with the reference until it
   * closes, one per key (its rtnetlink socket). Absent: such a resource is
   * made for each call and closed after it.
   */
  keep?<T extends { close(): void }>(key: symbol, make: () => T): T;
}

/**
 * What the functions that take "a namespace" accept: a reference (a
 * NetNamespace, publicly), a run-dir name, an absolute path or `{ pid }`.
 * Opening one is the handle layer's job (lib/handle/net-namespace.ts).
 */
export type Target<Ref extends NamespaceRef = NamespaceRef> = Ref | string | { pid: number };
