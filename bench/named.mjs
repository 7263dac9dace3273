// createNamed + delete against iproute2 doing the same in one process
// (`ip -batch -` of N `netns add` + `netns del` lines), in interleaved rounds
// of the same run. Ratios are paired per round. Nothing is left behind.
// The kernel frees a deleted namespace later, in a worker of its own, and
// that work holds locks a new namespace needs: each candidate starts after an
// untimed pause, so that neither pays for freeing the other's namespaces.
//
// Measured twice, both candidates in /run/netns each time (`ip` has its run
// dir built in; NETNS_RUN_DIR is the library's alone):
// - on tmpfs, as /run is on a systemd host: in a mount namespace of the
//   bench's own (`unshare --mount`), with a tmpfs over /run/netns that goes
//   away with it, and every name in it;
// - in /run/netns as this machine has it. This VM's / is ext4 without a
//   journal, where ext4 passes over an inode freed less than 60 s ago (360 s
//   while its inode-table block is dirty: recently_deleted()) while another
//   is free, looking from the start of the group each time, so making a file
//   costs more the more files were deleted in the last minutes, the bench's
//   own included.
// usage: sudo node bench/named.mjs [namespaces per round, default 50]
import fs from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NetNamespace } from 'netns-native';
import {
  inTmpfsRunDir,
  ipNetnsAddThenDelete,
  keepRunDirAsFound,
  mountTmpfsRunDir,
  report,
  rounds,
  runInTmpfsRunDir,
} from './harness.mjs';

const COUNT = Number(process.argv[2] ?? 50);
if (!Number.isInteger(COUNT) || COUNT < 1 || COUNT > 1000) throw new RangeError('namespaces per round: 1 to 1000');
const RUN_DIR = '/run/netns';
// ip has /run/netns built in; the library would follow NETNS_RUN_DIR elsewhere.
delete process.env.NETNS_RUN_DIR;
const prefix = `nn-bench-${process.pid}`;
let serial = 0;
const newNames = (n) => Array.from({ length: n }, () => `${prefix}-${serial++}`);

const SETTLE_MS = 300;
const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
const reference = 'ip -batch: netns add + netns del';

/**
 * What the run dir is on (the filesystem of its own device number: findmnt
 * -T would name the lowest of mounts stacked there), and for ext4 whether it
 * keeps a journal (recently_deleted() applies only without).
 */
function describeFilesystem(dir) {
  const { dev } = fs.statSync(dir, { bigint: true });
  // Linux's dev_t: the major number in bits 8-19 and 32-43, the minor in 0-7 and 20-31.
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  const majorMinor = `${major}:${minor}`;
  const mount = fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' '))
    .find((fields) => fields[2] === majorMinor);
  const type = mount?.[mount.indexOf('-') + 1] ?? 'unknown';
  if (type !== 'ext4') return type;
  try {
    const device = basename(fs.realpathSync(`/sys/dev/block/${majorMinor}`));
    const journal = fs.readFileSync(`/sys/fs/ext4/${device}/journal_task`, 'utf8').trim();
    return journal === '<none>' ? 'ext4 without a journal' : 'ext4 with a journal';
  } catch {
    return 'ext4 (journal unknown)';
  }
}

// V8 compiles a function with its optimizing compiler only after many calls:
// in one run (node --trace-opt, batches of 50) createNamed was marked after
// ~1,150 names; deleteNamed, the handle's constructor, the bind, the run
// dir's opening and the new namespace's between ~1,550 and ~2,300. A fresh
// process's rounds (2 + 13 of 50 names) all run before that. So the rounds
// are measured again after this many more names, made and deleted in batches
// with a pause after each, so that the kernel frees them as it goes.
const STEADY_AFTER = 3000;
// A fresh process's rounds stay few, to end before V8 optimizes; at steady
// state more rounds narrow the median (a round's ratio ranges over ±30%).
const FRESH_ROUNDS = 13;
const STEADY_ROUNDS = 25;
const WARM_BATCH = 50;
const WARM_PAUSE_MS = 60;

async function warmUpLibrary() {
  for (let made = 0; made < STEADY_AFTER; made += WARM_BATCH) {
    const names = newNames(WARM_BATCH);
    for (const name of names) NetNamespace.createNamed(name).close();
    for (const name of names) NetNamespace.delete(name);
    await new Promise((resolve) => setTimeout(resolve, WARM_PAUSE_MS));
  }
}

const measure = (count) =>
  rounds(
    [
      {
        name: reference,
        before: settle,
        run: (n) => ipNetnsAddThenDelete(newNames(n)),
      },
      {
        name: 'createNamed + delete (all made, then all deleted)',
        before: settle,
        run: (n) => {
          const names = newNames(n);
          for (const name of names) NetNamespace.createNamed(name).close();
          for (const name of names) NetNamespace.delete(name);
        },
      },
    ],
    { reference, iterations: COUNT, rounds: count },
  );

/** Every name of this run still in the run dir, each deleted on its own (one failure does not keep the others). */
function deleteLeftovers() {
  if (!fs.existsSync(RUN_DIR)) return;
  for (const name of fs.readdirSync(RUN_DIR).filter((entry) => entry.startsWith(prefix))) {
    try {
      NetNamespace.delete(name);
    } catch (error) {
      console.error(`could not delete ${name}: ${error.message}`);
    }
  }
}

async function measureIn(title) {
  const where = describeFilesystem(RUN_DIR);
  try {
    report(`${title}, run dir on ${where}; a fresh process`, await measure(FRESH_ROUNDS), reference);
    await warmUpLibrary();
    report(`the same at steady state: after ${STEADY_AFTER} more names`, await measure(STEADY_ROUNDS), reference);
  } finally {
    deleteLeftovers();
  }
}

if (inTmpfsRunDir()) {
  mountTmpfsRunDir();
  await measureIn(`name a new namespace and delete it, ${COUNT} a round`);
} else {
  console.log(`command: sudo node bench/named.mjs ${COUNT}   (time per namespace)`);
  const restoreRunDir = keepRunDirAsFound(RUN_DIR);
  try {
    fs.mkdirSync(RUN_DIR, { recursive: true, mode: 0o755 });
    runInTmpfsRunDir(fileURLToPath(import.meta.url), [String(COUNT)]);
    await measureIn('the same in /run/netns as this machine has it');
  } finally {
    restoreRunDir();
  }
}
