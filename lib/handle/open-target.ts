// Opening the nsfs file a target names: an absolute path, a run-dir name or
// `{ pid }`. The class (net-namespace.ts) wraps what this opens in a handle.
import { type NamedFile, openNamed } from '../named/verbs';
import type { RunDirOptions } from '../named/run-dir';
import { openNetnsOfPid } from '../nsfs/from-pid';
import { type NsfsFile, openNetnsFile } from '../nsfs/nsfs-file';
import { assertAbsolutePath, assertPid } from '../validate';

/** An opened namespace file and where it came from. */
export type OpenedFile = Partial<NamedFile> & { file: NsfsFile };

export function openPath(path: string): OpenedFile {
  assertAbsolutePath(path);
  return { file: openNetnsFile(path), path };
}

export function openPid(pid: number): OpenedFile {
  assertPid(pid);
  return { file: openNetnsOfPid(pid) };
}

/** Opens a target that is not a handle; anything else is a TypeError. */
export function openTarget(target: unknown, options: RunDirOptions = {}): OpenedFile {
  if (typeof target === 'string') return target.startsWith('/') ? openPath(target) : openNamed(target, options);
  if (typeof target === 'object' && target !== null && 'pid' in target) return openPid(target.pid as number);
  throw new TypeError(
    'target must be a NetNamespace, a namespace name, an absolute ' +
      `path or { pid }, got ${target === null ? 'null' : typeof target}`,
  );
}
