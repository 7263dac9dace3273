// What listNamespaces() reports of one network namespace (lsns -t net, one row).

/** One network namespace on the host, as {@link listNamespaces} finds it (an `lsns -J -t net` row, and more). */
export interface NamespaceInfo {
  /** The nsfs inode, lsns's NS column. */
  ino: number;
  /** `net:[INO]`. */
  id: string;
  /** Processes (thread-group leaders) in it. */
  nprocs: number;
  /** Those processes' pids, ascending. */
  pids: number[];
  /** The lowest of `pids`, lsns's PID column. */
  pid?: number;
  /** Owner of `pid`; for a namespace no process is in, the owner of its user namespace. */
  uid?: number;
  /** The user name of `uid` from `/etc/passwd`, else the uid as a string (as lsns shows it). */
  user?: string;
  /** Command line of `pid`. */
  command?: string;
  /** Where an nsfs file of it is bind-mounted (lsns's NSFS column). */
  nsfs: string[];
  /** Its names in the run dir. */
  names: string[];
  /**
   * Processes holding it through an open fd: an nsfs fd (with `fdHolders:
   * true`), or a socket created in it (with `socketHolders: true`; sockets in
   * the process's own namespace are not listed).
   */
  heldBy: Array<{
    /** The process holding the fd. */
    pid: number;
    /** The fd number in that process. */
    fd: number;
    /** What kind of fd: a namespace file or a socket. */
    via: 'nsfs' | 'socket';
  }>;
  /** Its nsid in the caller's namespace, where assigned. */
  nsid?: number;
}
