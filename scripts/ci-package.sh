#!/usr/bin/env bash
# CI: the package as users get it. Packs the tarball (prepack builds the
# linux-x64 and linux-arm64 prebuilds), checks what it holds, then installs it
# into fresh projects the three ways people install: npm (scripts on), npm
# --ignore-scripts and pnpm 10 (build scripts ignored by default). Each one
# imports the package from ESM and from CommonJS and moves a thread into a new
# network namespace and back. Last, an optional check loads the arm64 prebuild
# under qemu-aarch64 with Debian's arm64 Node; when that cannot be had, it says
# so and the script still passes. Runs as root (namespaces), after the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
started=$SECONDS

section() { printf '\n== package: %s (%ds)\n' "$*" $((SECONDS - started)); }
fail() {
  echo "package check failed: $*" >&2
  exit 1
}
apt_install() { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" </dev/null; }

work=$(mktemp -d /tmp/nn-package-XXXXXX)
added_arm64=false
cleanup() {
  rm -rf "$work"
  # Leave apt as it was: the arm64 architecture was only needed to download.
  if $added_arm64; then dpkg --remove-architecture arm64 || echo "warning: arm64 stays a dpkg architecture"; fi
}
trap cleanup EXIT

section "tools: cross compiler for the arm64 prebuild, pnpm 10"
if ! command -v aarch64-linux-gnu-g++ >/dev/null || ! command -v aarch64-linux-gnu-strip >/dev/null; then
  apt-get update -qq
  apt_install g++-aarch64-linux-gnu binutils-aarch64-linux-gnu
fi
# pnpm in a directory of its own: nothing global changes.
npm install --silent --no-audit --no-fund --prefix "$work/tools" pnpm@10
pnpm=$work/tools/node_modules/.bin/pnpm
echo "pnpm $("$pnpm" --version)"

section "npm pack (prepack: prebuilds for linux-x64 and linux-arm64; prepare: TypeScript build)"
# Strict: a missing cross toolchain fails the pack instead of leaving an architecture out.
NETNS_NATIVE_PREBUILDS_STRICT=1 NETNS_NATIVE_PREBUILDS= npm pack --pack-destination "$work" >"$work/pack.log" || {
  cat "$work/pack.log"
  fail "npm pack"
}
tarballs=("$work"/netns-native-*.tgz)
((${#tarballs[@]} == 1)) || fail "expected one tarball, found: ${tarballs[*]}"
tarball=${tarballs[0]}
tar -tzf "$tarball" | sort >"$work/contents"
echo "$(basename "$tarball"): $(stat -c %s "$tarball") bytes packed, $(wc -l <"$work/contents") files"

section "tarball contents"
for arch in x64 arm64; do
  grep -qE "^package/prebuilds/linux-$arch/[^/]+\.node$" "$work/contents" || fail "no linux-$arch prebuild in the tarball"
done
for wanted in package/package.json package/dist/index.js package/dist/index.mjs package/dist/index.d.ts \
  package/binding.gyp package/README.md; do
  grep -qx "$wanted" "$work/contents" || fail "$wanted is missing from the tarball"
done
if [[ -f LICENSE ]]; then grep -qx package/LICENSE "$work/contents" || fail "LICENSE is missing from the tarball"; fi
grep -q '^package/native/.*\.cc$' "$work/contents" || fail "native/ sources are missing (the source build needs them)"
# The source maps carry their TypeScript (lib/ is not in the package): a map
# that names files the package lacks helps no debugger.
tar -xzOf "$tarball" package/dist/index.js.map | node -e '
  const map = JSON.parse(require("fs").readFileSync(0, "utf8"));
  if (!Array.isArray(map.sourcesContent) || map.sourcesContent.length !== map.sources.length) process.exit(1);' ||
  fail "dist/index.js.map does not carry its sources (inlineSources)"
if grep -E '^package/(CMakeLists\.txt|test/|bench/|build/|build-cmake/|lib/|scripts/|examples/|node_modules/)' \
  "$work/contents"; then
  fail "the tarball holds files users do not need (above)"
fi
mkdir "$work/unpacked"
tar -xzf "$tarball" -C "$work/unpacked"
for file in "$work"/unpacked/package/prebuilds/*/*.node; do
  arch=$(basename "$(dirname "$file")")
  echo "$arch: $(readelf -h "$file" | sed -n 's/^ *Machine: *//p'); needs:" \
    "$(readelf -W --dyn-syms "$file" | grep -oE '@GLIBC_[0-9.]+' | sort -uV | tail -1 | tr -d @)"
done
# Machine, stripped and symbol versions (glibc <= 2.28, libstdc++ of GCC 8), with the project's own checks.
node --input-type=module - "$work/unpacked/package/prebuilds" <<'EOF'
import fs from 'node:fs';
import path from 'node:path';
import { ELF_MACHINE, elfMachine, isStripped, symbolsAboveGlibcFloor } from './scripts/elf-checks.mjs';
const dir = process.argv[2];
for (const arch of ['x64', 'arm64']) {
  for (const name of fs.readdirSync(path.join(dir, `linux-${arch}`))) {
    const file = path.join(dir, `linux-${arch}`, name);
    if (elfMachine(file) !== ELF_MACHINE[arch]) throw new Error(`${file}: ${elfMachine(file)}, not ${arch}`);
    if (!isStripped(file)) throw new Error(`${file}: not stripped`);
    const newer = symbolsAboveGlibcFloor(file);
    if (newer.length) throw new Error(`${file} needs newer versions: ${newer.join(', ')}`);
  }
}
console.log('prebuilds: machines match their directories, stripped, glibc <= 2.28');
EOF

# The round trip, from ESM and from CommonJS, in a fresh project.
write_checks() {
  cat >"$1/check.mjs" <<'EOF'
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import * as esm from 'netns-native';
import { NetNamespace, enterNetns } from 'netns-native';

const cjs = createRequire(import.meta.url)('netns-native');
const names = (object, skip) => Object.keys(object).filter((name) => name !== skip).sort();
assert.deepEqual(names(esm, 'default'), names(cjs, '__esModule'), 'ESM named exports = CommonJS exports');
const netns = () => fs.readlinkSync('/proc/thread-self/ns/net');
const host = netns();
const ns = NetNamespace.create();
try {
  const inside = enterNetns(ns, () => netns());
  assert.equal(inside, ns.id);
  assert.notEqual(inside, host);
  assert.equal(netns(), host);
} finally {
  ns.close();
}
const addon = fs.readFileSync('/proc/self/maps', 'utf8').match(/\S+\.node$/m)?.[0];
console.log(`ESM: ${host} -> ${ns.id} -> ${netns()}; addon ${addon}`);
EOF
  cat >"$1/check.cjs" <<'EOF'
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { NetNamespace, enterNetns } = require('netns-native');

const netns = () => fs.readlinkSync('/proc/thread-self/ns/net');
const host = netns();
const ns = NetNamespace.create();
try {
  const inside = enterNetns(ns, () => netns());
  assert.equal(inside, ns.id);
  assert.notEqual(inside, host);
  assert.equal(netns(), host);
} finally {
  ns.close();
}
const addon = fs.readFileSync('/proc/self/maps', 'utf8').match(/\S+\.node$/m)?.[0];
console.log(`CommonJS: ${host} -> ${ns.id} -> ${netns()}; addon ${addon}`);
// Where the loader took the addon from: the package's prebuild for this host.
const pkg = fs.realpathSync('node_modules/netns-native');
assert.ok(addon.startsWith(`${pkg}/prebuilds/linux-${process.arch}/`), `addon ${addon} is not the prebuild`);
EOF
}

try_install() {
  local how=$1
  shift
  section "install with $how"
  local project=$work/project-${how//[^a-z0-9]/-}
  mkdir "$project"
  printf '{ "name": "nn-package-check", "version": "1.0.0", "private": true }\n' >"$project/package.json"
  (cd "$project" && "$@" 2>&1 | tail -8)
  write_checks "$project"
  (cd "$project" && node check.mjs)
  (cd "$project" && node check.cjs)
  local pkg
  pkg=$(realpath "$project/node_modules/netns-native")
  [[ ! -e $pkg/build ]] || fail "$how: a build/ directory was made in $pkg (the prebuild should have been used)"
  echo "$how: no build/ in the installed package: the prebuild was used"
}

try_install "npm" npm install --no-audit --no-fund "$tarball"
try_install "npm --ignore-scripts" npm install --no-audit --no-fund --ignore-scripts "$tarball"
try_install "pnpm 10" "$pnpm" add --store-dir "$work/pnpm-store" --cache-dir "$work/pnpm-cache" "$tarball"

section "optional: the arm64 prebuild under qemu-aarch64 with Debian's arm64 Node"
# Debian's nodejs:arm64 would replace this host's nodejs if installed, so its
# packages (and the libraries they need) are unpacked into a directory that
# qemu uses as the arm64 root instead.
qemu_check() {
  # Read whole first, not piped to grep -q: under pipefail grep's early exit
  # can fail the pipeline with the writer's SIGPIPE.
  local foreign
  foreign=$(dpkg --print-foreign-architectures)
  if ! grep -qx arm64 <<<"$foreign"; then
    dpkg --add-architecture arm64 && added_arm64=true
  fi
  apt-get update -qq || return 1
  command -v qemu-aarch64 >/dev/null || apt_install qemu-user || apt_install qemu-user-static || return 1
  local qemu
  qemu=$(command -v qemu-aarch64 || command -v qemu-aarch64-static) || return 1
  # The closure of nodejs:arm64's Depends among arm64 libraries and Node's own
  # JavaScript packages (Architecture: all, shown as providers of <node-x:arm64>),
  # one apt-cache call per level.
  local -A seen=([nodejs:arm64]=1)
  local level=(nodejs:arm64) next dep
  while ((${#level[@]})); do
    next=()
    while read -r dep; do
      [[ $dep =~ ^(lib|zlib|nodejs).*:arm64$ || $dep =~ ^node-[^:]*$ ]] || continue
      [[ -z ${seen[$dep]:-} ]] || continue
      seen[$dep]=1
      next+=("$dep")
    done < <(apt-cache depends --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces \
      --no-enhances "${level[@]}" 2>/dev/null |
      sed -n -e 's/^ *|\?\(Pre\)\?Depends: \([^<>]*\)$/\2/p' -e 's/^    \([^ <>]*\)$/\1/p')
    level=("${next[@]}")
  done
  mkdir -p "$work/arm64-debs" "$work/arm64-root"
  (cd "$work/arm64-debs" && apt-get download -qq -o APT::Sandbox::User=root "${!seen[@]}") || return 1
  for deb in "$work"/arm64-debs/*.deb; do dpkg-deb -x "$deb" "$work/arm64-root" || return 1; done
  local prebuild=("$work"/unpacked/package/prebuilds/linux-arm64/*.node)
  # Load it and move a thread into a new network namespace and back: unshare
  # and setns pass through qemu to this kernel (the nsfs ioctls that
  # scripts/smoke-addon.mjs also checks are unknown to qemu-user).
  "$qemu" -L "$work/arm64-root" "$work/arm64-root/usr/bin/node" - "${prebuild[0]}" <<'EOF' || return 1
const fs = require('node:fs');
const binding = require(process.argv[2]);
const netns = () => fs.readlinkSync(`/proc/${process.pid}/task/${binding.gettid()}/ns/net`);
const ok = (result, what) => {
  if (result instanceof Error) throw new Error(`${what}: ${result.message}`);
  return result;
};
const home = fs.openSync('/proc/thread-self/ns/net', 'r');
const before = netns();
ok(binding.unshare(binding.constants.CLONE_NEWNET), 'unshare');
const inside = netns();
ok(binding.setns(home, binding.constants.CLONE_NEWNET), 'setns');
fs.closeSync(home);
if (inside === before || netns() !== before) throw new Error(`no round trip: ${before} -> ${inside} -> ${netns()}`);
console.log(`${process.arch} Node ${process.version} (Node-API ${process.versions.napi}): ${before} -> ${inside} -> ${netns()}`);
EOF
}
if qemu_check; then
  echo "arm64 prebuild: loaded and exercised under qemu-aarch64"
else
  echo "NOTE: the arm64 prebuild could not be loaded under qemu-aarch64 here (see above);" \
    "it was checked statically only (ELF machine AArch64, glibc <= 2.28)"
fi

section "done"
