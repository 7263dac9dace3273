// ns.spawn(): a ChildProcess started inside the namespace. Node forks on the
// calling thread, so spawning while switched places the child there.
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import type { NetNamespace } from './net-namespace';

export interface NsSpawnOptions extends SpawnOptions {
  /**
   * 'shared' (default): the child shares this process's mount namespace, like
   * `nsenter --net`. 'isolated': its own mount namespace with a fresh /sys and
   * /etc/netns/NAME/* bound over /etc/*, like `ip netns exec`.
   */
  mountNamespace?: 'shared' | 'isolated';
}

export function spawnShared(ns: NetNamespace, command: string, args: readonly string[],
  options: SpawnOptions): ChildProcess {
  return ns.enter(() => spawn(command, args, options));
}
