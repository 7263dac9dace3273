// Smoke test for a built addon (cmake-js build, prebuild): load it, move this
// thread into a new namespace and back, and check both moves with /proc.
// usage: node scripts/smoke-addon.mjs ADDON.node
//        node scripts/smoke-addon.mjs --prebuild   (installs a copy without build/)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

function check(condition, message) {
  if (!condition) throw new Error(`smoke test failed: ${message}`);
}

// Node 20's own binaries need glibc 2.28: an addon that needs a newer one
// (a wrapper's new symbol version) would fail to load where Node runs.
const GLIBC_FLOOR = [2, 28];

function checkGlibcFloor(file) {
  const symbols = execFileSync('readelf', ['--dyn-syms', '-W', file], { encoding: 'utf8' });
  const newer = [...symbols.matchAll(/ (\w+)@GLIBC_(\d+)\.(\d+)/g)]
    .filter(([, , major, minor]) => Number(major) * 1000 + Number(minor) > GLIBC_FLOOR[0] * 1000 + GLIBC_FLOOR[1])
    .map(([, name, major, minor]) => `${name}@GLIBC_${major}.${minor}`);
  check(
    newer.length === 0,
    `${path.basename(file)} needs a glibc newer than ${GLIBC_FLOOR.join('.')}: ${newer.join(', ')}`,
  );
}

function exercise(binding, label) {
  const threadLink = () => fs.readlinkSync(`/proc/${process.pid}/task/${binding.gettid()}/ns/net`);
  const home = fs.openSync('/proc/thread-self/ns/net', 'r');
  const before = threadLink();
  check(binding.nsGetNstype(home) === binding.constants.CLONE_NEWNET, 'NS_GET_NSTYPE');
  binding.unshare(binding.constants.CLONE_NEWNET);
  const inside = threadLink();
  binding.setns(home, binding.constants.CLONE_NEWNET);
  fs.closeSync(home);
  check(inside !== before, 'unshare did not move the thread');
  check(threadLink() === before, 'setns did not bring the thread back');
  console.log(`${label}: ok (${before} -> ${inside} -> ${threadLink()})`);
}

if (process.argv[2] === '--prebuild') {
  // A package as users get it: dist/ and prebuilds/, no build/ directory.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nn-prebuild-'));
  try {
    for (const part of ['package.json', 'prebuilds', 'dist', 'node_modules/node-gyp-build']) {
      fs.cpSync(path.join(root, part), path.join(dir, part), { recursive: true });
    }
    const resolved = require('node-gyp-build').resolve(dir);
    check(resolved.startsWith(path.join(dir, 'prebuilds')), `loader chose ${resolved}`);
    const sections = execFileSync('readelf', ['-S', resolved], { encoding: 'utf8' });
    check(!sections.includes('.symtab'), 'prebuild is not stripped');
    checkGlibcFloor(resolved);
    exercise(require(resolved), `prebuild ${path.relative(dir, resolved)}`);
    const lib = require(path.join(dir, 'dist', 'index.js'));
    const ns = lib.NetNamespace.create();
    const seen = lib.enterNetns(ns, () => fs.readlinkSync('/proc/thread-self/ns/net'));
    check(seen === ns.id, 'enterNetns via the prebuild');
    ns.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
} else {
  const addon = path.resolve(process.argv[2]);
  checkGlibcFloor(addon);
  exercise(require(addon), path.relative(root, addon));
}
