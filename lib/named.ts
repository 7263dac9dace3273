// Named namespaces, as `ip netns add | attach | delete` make them: a file in
// the run dir with the namespace bind-mounted onto it.
import fs from 'node:fs';
import path from 'node:path';
import { bindMount, discardBindMount } from './bind-mount';
import { native } from './binding';
import { NetnsError, errnoOf, toNetnsError } from './errors';
import { NetNamespace } from './net-namespace';
import { closeFd, openNetnsFile } from './nsfs-file';
import { type RunDirOptions, resolveRunDir } from './run-dir';
import { prepareRunDir } from './run-dir-mount';
import { unshareDetached } from './thread-switch';
import { assertNetnsName, assertPid } from './validate';

const { MNT_DETACH, UMOUNT_NOFOLLOW } = native.constants;

function namedTarget(name: string, options: RunDirOptions): { runDir: string; file: string } {
  assertNetnsName(name);
  const runDir = resolveRunDir(options);
  return { runDir, file: path.join(runDir, name) };
}

/** ip netns add NAME: a new namespace, kept alive by its name until deleted. */
export function createNamed(name: string, options: RunDirOptions = {}): NetNamespace {
  const { runDir, file } = namedTarget(name, options);
  prepareRunDir(runDir);
  const created = unshareDetached();
  try {
    bindMount(`/proc/self/fd/${created.fd}`, file);
  } catch (error) {
    closeFd(created.fd, created.openedBy);
    throw error;
  }
  return NetNamespace.adopt(created, { path: file, name });
}

/**
 * ip netns attach NAME PID: gives a running process's namespace a name. The
 * namespace is taken through a pidfd and bound from the held fd, so a pid
 * that exits (and is reused) meanwhile can never bind someone else's.
 */
export function attachNamed(name: string, source: number | NetNamespace,
  options: RunDirOptions = {}): NetNamespace {
  const { runDir, file } = namedTarget(name, options);
  if (typeof source === 'number') assertPid(source);
  else if (!(source instanceof NetNamespace)) {
    throw new TypeError('attach() takes a pid or a NetNamespace');
  }
  const held = typeof source === 'number' ? NetNamespace.fromPid(source) : source;
  try {
    const fd = held.fd; // a closed handle fails here, before anything is made
    prepareRunDir(runDir);
    bindMount(`/proc/self/fd/${fd}`, file);
    try {
      return NetNamespace.adopt(openNetnsFile(file), { path: file, name });
    } catch (error) {
      discardBindMount(file);
      throw error;
    }
  } finally {
    if (held !== source) held.close();
  }
}

/**
 * ip netns delete NAME: detaches the mount and removes the file. A file left
 * without a mount (a failed add by another tool) is removed too. The
 * namespace itself lives on while processes or open handles still use it.
 */
export function deleteNamed(name: string, options: RunDirOptions = {}): void {
  const { file } = namedTarget(name, options);
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(file);
  } catch (error) {
    throw toNetnsError(error, file);
  }
  if (!stat.isFile()) {
    throw new NetnsError({ errno: errnoOf('EINVAL'), syscall: 'unlink', path: file,
      description: 'not a named namespace (not a regular file)', hint: '' });
  }
  try {
    native.umount2(file, MNT_DETACH | UMOUNT_NOFOLLOW);
  } catch (error) {
    // EINVAL: nothing mounted there, an empty placeholder: remove it all the same.
    if ((error as { code?: string }).code !== 'EINVAL') throw toNetnsError(error, file);
  }
  try {
    fs.unlinkSync(file);
  } catch (error) {
    const hint = (error as { code?: string }).code === 'EBUSY'
      ? 'another mount namespace still holds a mount of it; make the run dir shared, ' +
        'or delete it from there'
      : undefined;
    const converted = toNetnsError(error, file) as NetnsError;
    if (!hint) throw converted;
    throw new NetnsError({ errno: converted.errno, syscall: 'unlink', path: file, hint });
  }
}
