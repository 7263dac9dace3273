// waitForNamespace(name): `ip netns add` makes the file in the run dir first
// and bind-mounts the namespace onto it after, so a file is not yet a
// namespace: presence is an nsfs file system there (statfs magic "nsfs").
// The run dir is watched first (inotify, through fs.watch, kept on the
// directory even when it gets mounted over), then looked at, then looked at
// again on every change to it.
import fs from 'node:fs';
import path from 'node:path';
import { type RunDirOptions, resolveRunDir } from '../named/run-dir';
import { assertNetnsName } from '../validate';
import { RunDirWatch } from './run-dir-watch';
import { assertWaitOptions, settleWait } from './wait-common';
import type { WatchEvent } from './events';

const NSFS_MAGIC = 0x6e736673;
/** While a file is there but not yet a namespace, look again this often (ms): its bind mount follows at once. */
const MOUNT_RECHECK_MS = 10;

export interface WaitForNamespaceOptions extends RunDirOptions {
  /** true (default): wait until it exists; false: until it is gone. */
  present?: boolean;
  timeout?: number;
  signal?: AbortSignal;
}

type State = 'absent' | 'file' | 'present';

function stateOf(file: string): State {
  try {
    return fs.statfsSync(file).type === NSFS_MAGIC ? 'present' : 'file';
  } catch {
    return 'absent';
  }
}

const SAID: Record<State, string> = {
  absent: 'it does not exist',
  file: 'its file exists but no namespace is mounted on it',
  present: 'it exists',
};

/** Resolves once the named namespace exists (or, with present: false, is gone). */
export async function waitForNamespace(name: string, options: WaitForNamespaceOptions = {}): Promise<void> {
  assertNetnsName(name);
  assertWaitOptions(options);
  const present = options.present ?? true;
  if (typeof present !== 'boolean') throw new TypeError('present must be a boolean');
  const runDir = resolveRunDir(options);
  const file = path.join(runDir, name);
  // Watched first: every change in the run dir is a reason to look again.
  const listeners = new Set<(event?: WatchEvent) => void>();
  const recheck = () => listeners.forEach((listener) => listener());
  const runDirWatch = new RunDirWatch(runDir, recheck, recheck);
  let retry: NodeJS.Timeout | undefined;
  let last: State = 'absent';
  const subscription = {
    on(event: string, listener: (event?: WatchEvent) => void) {
      if (event === 'event') listeners.add(listener);
    },
    close: async () => {
      clearTimeout(retry);
      runDirWatch.close();
    },
  };
  return settleWait<void>(subscription, options, {
    what: `namespace ${name} to be ${present ? 'present' : 'absent'}`,
    lastState: () => SAID[last],
    check: () => {
      last = stateOf(file);
      if (last === 'file') {
        // No event comes when the bind mount lands: look again shortly.
        clearTimeout(retry);
        retry = setTimeout(recheck, MOUNT_RECHECK_MS);
      }
      return (last === 'present') === present ? { done: true, value: undefined } : undefined;
    },
  });
}
