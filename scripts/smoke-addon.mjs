// Smoke test for a built addon (cmake-js build, prebuild): load it, move this
// thread into a new namespace and back, and check both moves with /proc.
// usage: node scripts/smoke-addon.mjs ADDON.node
//        node scripts/smoke-addon.mjs --prebuild   (installs a copy without build/)
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GLIBC_FLOOR, isStripped, symbolsAboveGlibcFloor } from './elf-checks.mjs';

const require = createRequire(import.meta.url);
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

function check(condition, message) {
  if (!condition) throw new Error(`smoke test failed: ${message}`);
}

function checkGlibcFloor(file) {
  const newer = symbolsAboveGlibcFloor(file);
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
    check(isStripped(resolved), 'prebuild is not stripped');
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
