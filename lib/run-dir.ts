// Where named namespaces live: an explicit option, else NETNS_RUN_DIR, else
// /run/netns (Debian's iproute2), or /var/run/netns where only that exists.
import fs from 'node:fs';
import path from 'node:path';
import { assertAbsolutePath, assertNetnsName } from './validate';

export interface RunDirOptions {
  /** Overrides NETNS_RUN_DIR and the defaults. */
  runDir?: string;
}

export function resolveRunDir(options: RunDirOptions = {}): string {
  if (options.runDir !== undefined) {
    assertAbsolutePath(options.runDir, 'runDir');
    return options.runDir;
  }
  const fromEnv = process.env.NETNS_RUN_DIR;
  if (fromEnv) {
    assertAbsolutePath(fromEnv, 'NETNS_RUN_DIR');
    return fromEnv;
  }
  if (!fs.existsSync('/run/netns') && fs.existsSync('/var/run/netns')) {
    return '/var/run/netns';
  }
  return '/run/netns';
}

/** The run-dir path for a validated name. */
export function namedPath(name: string, options: RunDirOptions = {}): string {
  assertNetnsName(name);
  return path.join(resolveRunDir(options), name);
}
