// The run-dir names of a namespace, found by inode: what a watch calls a
// namespace it was not given by name.
import fs from 'node:fs';
import path from 'node:path';
import { resolveRunDir } from '../named/run-dir';

/** Run-dir names of a namespace, by inode (a stat each). */
export function namesIn(ino: number): string[] {
  const runDir = resolveRunDir();
  let entries: string[];
  try {
    entries = fs.readdirSync(runDir);
  } catch {
    return [];
  }
  return entries.filter((entry) => {
    try {
      return fs.statSync(path.join(runDir, entry)).ino === ino;
    } catch {
      return false;
    }
  });
}
