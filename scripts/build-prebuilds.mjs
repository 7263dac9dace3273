// Builds the stripped Node-API prebuilds the package carries, one per
// supported architecture (prebuilds/linux-x64, prebuilds/linux-arm64), so
// that installs with scripts disabled (pnpm 10, npm --ignore-scripts) need no
// compiler. The architecture that is not the host's is cross-compiled with
// Debian's toolchain (g++-aarch64-linux-gnu or g++-x86-64-linux-gnu). Each
// result is checked: its ELF machine, stripped, and glibc no newer than 2.28.
//
// The build runs in a temporary copy of binding.gyp and native/, so the
// checkout's own build/ (which node-gyp-build prefers to prebuilds/) is never
// replaced by a foreign-architecture addon.
//
// A missing cross toolchain skips that architecture with a warning, so that
// `npm pack` works on any machine (test/cli.test.ts packs the repo); it is an
// error for `npm publish` and with NETNS_NATIVE_PREBUILDS_STRICT=1
// (scripts/ci-package.sh), which then also checks the tarball holds both.
// usage: node scripts/build-prebuilds.mjs [ARCH...]   (default: x64 arm64)
//        NETNS_NATIVE_PREBUILDS=x64,arm64 | host | none  (the default list, e.g. for tests that pack;
//        none packs no prebuilds: installs build from source)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ELF_MACHINE,
  GLIBC_FLOOR,
  elfMachine,
  isStripped,
  newestGlibcVersion,
  symbolsAboveGlibcFloor,
} from './elf-checks.mjs';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const SUPPORTED = ['x64', 'arm64'];
// Debian's cross toolchains, by Node's name of the target architecture.
const TOOLCHAIN_PREFIX = { x64: 'x86_64-linux-gnu-', arm64: 'aarch64-linux-gnu-' };
const APT_PACKAGE = { x64: 'g++-x86-64-linux-gnu', arm64: 'g++-aarch64-linux-gnu' };
const BINUTILS_PACKAGE = { x64: 'binutils-x86-64-linux-gnu', arm64: 'binutils-aarch64-linux-gnu' };

const strict = process.env.NETNS_NATIVE_PREBUILDS_STRICT === '1' || process.env.npm_command === 'publish';

function defaultArches() {
  const wanted = process.env.NETNS_NATIVE_PREBUILDS;
  if (wanted === undefined || wanted === '') return SUPPORTED;
  if (wanted === 'none') return [];
  return wanted.split(',').map((arch) => (arch === 'host' ? os.arch() : arch));
}

const requested = process.argv.length > 2 ? process.argv.slice(2) : defaultArches();
for (const arch of requested) {
  if (!SUPPORTED.includes(arch)) throw new Error(`unsupported architecture ${arch}: one of ${SUPPORTED.join(', ')}`);
}

function onPath(command) {
  return (process.env.PATH ?? '').split(':').some((dir) => dir && fs.existsSync(path.join(dir, command)));
}

/** The environment and prebuildify options that build for `arch` on this host; undefined: skip it. */
function toolchainFor(arch) {
  if (arch === os.arch()) return { env: {}, stripBin: 'strip' };
  const prefix = TOOLCHAIN_PREFIX[arch];
  if (!onPath(`${prefix}g++`) || !onPath(`${prefix}strip`)) {
    const missing = `no ${prefix}g++ and ${prefix}strip to cross-compile the ${arch} prebuild`;
    const fix = `apt-get install ${APT_PACKAGE[arch]} ${BINUTILS_PACKAGE[arch]}`;
    if (strict) throw new Error(`${missing}: ${fix}`);
    console.warn(`build-prebuilds: WARNING: ${missing}, skipped (the package will lack it): ${fix}`);
    return undefined;
  }
  return {
    env: { CC: `${prefix}gcc`, CXX: `${prefix}g++`, LINK: `${prefix}g++`, AR: `${prefix}ar` },
    stripBin: `${prefix}strip`,
  };
}

function verify(file, arch) {
  const machine = elfMachine(file);
  if (machine !== ELF_MACHINE[arch]) throw new Error(`${file}: built for ${machine}, not ${arch}`);
  if (!isStripped(file)) throw new Error(`${file}: not stripped`);
  const newer = symbolsAboveGlibcFloor(file);
  if (newer.length) throw new Error(`${file} needs a glibc newer than ${GLIBC_FLOOR.join('.')}: ${newer.join(', ')}`);
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'nn-prebuilds-'));
try {
  for (const part of ['package.json', 'binding.gyp', 'native']) {
    fs.cpSync(path.join(root, part), path.join(work, part), { recursive: true });
  }
  // binding.gyp asks node-addon-api (resolved from the build directory) for its headers.
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(work, 'node_modules'));
  const prebuildify = path.join(root, 'node_modules', 'prebuildify', 'bin.js');
  const built = [];
  for (const arch of requested) {
    const toolchain = toolchainFor(arch);
    if (!toolchain) continue;
    const { env, stripBin } = toolchain;
    execFileSync(
      process.execPath,
      [prebuildify, '--napi', '--strip', `--strip-bin=${stripBin}`, '--tag-libc', `--arch=${arch}`, '--cache=cache'],
      // JOBS: node-gyp runs make on every core.
      { cwd: work, env: { JOBS: 'max', ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] },
    );
    const dir = path.join(work, 'prebuilds', `linux-${arch}`);
    for (const name of fs.readdirSync(dir)) {
      verify(path.join(dir, name), arch);
      built.push({ arch, dir: `linux-${arch}`, name });
    }
  }
  // The old prebuild of every architecture asked for goes, built or skipped
  // (a stale one must not be packed); 'none' clears them all.
  const cleared = process.argv.length <= 2 && process.env.NETNS_NATIVE_PREBUILDS === 'none' ? SUPPORTED : requested;
  for (const arch of cleared)
    fs.rmSync(path.join(root, 'prebuilds', `linux-${arch}`), { recursive: true, force: true });
  for (const { dir, name } of built) {
    fs.mkdirSync(path.join(root, 'prebuilds', dir), { recursive: true });
    fs.copyFileSync(path.join(work, 'prebuilds', dir, name), path.join(root, 'prebuilds', dir, name));
    const file = path.join(root, 'prebuilds', dir, name);
    const size = (fs.statSync(file).size / 1024).toFixed(0);
    console.log(`prebuilds/${dir}/${name}: ${elfMachine(file)}, ${size} KiB, glibc ≥ ${newestGlibcVersion(file)}`);
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
