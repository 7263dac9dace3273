// Checks on a built addon's ELF file, shared by the prebuild script, the smoke
// test and scripts/ci-package.sh: its machine, whether it is stripped, and the
// newest glibc symbol version it needs. GNU readelf reads any architecture.
import { execFileSync } from 'node:child_process';

// Node 20's own binaries need glibc 2.28: an addon that needs a newer one
// (a wrapper's new symbol version) would fail to load where Node runs. The
// C++ runtime of those systems (GCC 8: GLIBCXX_3.4.25, CXXABI_1.3.11) is the
// floor for libstdc++ symbols.
export const GLIBC_FLOOR = [2, 28];
const VERSION_FLOORS = { GLIBC: GLIBC_FLOOR, GLIBCXX: [3, 4, 25], CXXABI: [1, 3, 11] };

function newerThan(version, floor) {
  for (let i = 0; i < Math.max(version.length, floor.length); i++) {
    const difference = (version[i] ?? 0) - (floor[i] ?? 0);
    if (difference !== 0) return difference > 0;
  }
  return false;
}

/** readelf's Machine line for a Node `process.arch`, as written in the ELF header. */
export const ELF_MACHINE = { x64: 'Advanced Micro Devices X86-64', arm64: 'AArch64' };

const readelf = (...args) => execFileSync('readelf', ['-W', ...args], { encoding: 'utf8' });

/** The ELF header's Machine field ('AArch64', 'Advanced Micro Devices X86-64', ...). */
export function elfMachine(file) {
  const match = /^\s*Machine:\s*(.+?)\s*$/m.exec(readelf('-h', file));
  if (!match) throw new Error(`${file}: no Machine in its ELF header`);
  return match[1];
}

/** Whether the file has no symbol table left (strip --strip-all). */
export function isStripped(file) {
  return !readelf('-S', file).includes('.symtab');
}

/** The glibc/libstdc++ symbols the file needs that are newer than the floors above, as 'name@GLIBC_x.y'. */
export function symbolsAboveGlibcFloor(file) {
  return [...readelf('--dyn-syms', file).matchAll(/ (\w+)@(GLIBC|GLIBCXX|CXXABI)_([\d.]+)/g)]
    .filter(([, , library, version]) => newerThan(version.split('.').map(Number), VERSION_FLOORS[library]))
    .map(([, name, library, version]) => `${name}@${library}_${version}`);
}

/** The newest GLIBC_x.y version the file's dynamic symbols name, for reports. */
export function newestGlibcVersion(file) {
  const versions = [...readelf('--dyn-syms', file).matchAll(/@GLIBC_(\d+)\.(\d+)/g)].map(([, a, b]) => [+a, +b]);
  versions.sort(([a1, b1], [a2, b2]) => a2 - a1 || b2 - b1);
  return versions.length ? versions[0].join('.') : 'none';
}
