// ns.spawn(): a ChildProcess started inside the namespace. Node forks on the
// calling thread, so spawning while switched places the child there.
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import type { NamespaceRef } from '../ref';

/**
 * {@link NetNamespace.spawn}'s options: `child_process.spawn`'s, and where the
 * child's mounts come from. An isolated child takes stdio `'pipe'`,
 * `'inherit'` or `'ignore'`, `env` and `cwd`.
 */
export interface NsSpawnOptions extends SpawnOptions {
  /**
   * 'shared' (default): the child shares this process's mount namespace, like
   * `nsenter --net`. 'isolated': its own mount namespace with a fresh /sys and
   * /etc/netns/NAME/* bound over /etc/*, like `ip netns exec`.
   */
  mountNamespace?: 'shared' | 'isolated';
}

/** @internal The command and arguments both spawn modes accept, refused before anything starts. */
export function assertCommand(command: unknown, args: unknown): asserts args is readonly string[] {
  if (typeof command !== 'string' || command.length === 0) {
    throw new TypeError('command must be a non-empty string');
  }
  if (!Array.isArray(args) || !args.every((arg) => typeof arg === 'string')) {
    throw new TypeError('args must be an array of strings');
  }
  if (command.includes('\0') || args.some((arg: string) => arg.includes('\0'))) {
    throw new TypeError('command and args must not contain NUL bytes');
  }
}

/** @internal */
export function spawnShared(
  ns: NamespaceRef,
  command: string,
  args: readonly string[],
  options: SpawnOptions,
): ChildProcess {
  assertCommand(command, args);
  return ns.enter(() => spawn(command, args, options));
}
