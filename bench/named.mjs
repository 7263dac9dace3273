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
//   own included: the steady rounds there follow the warm-up's 3,000
//   deletions, which add the same cost to both candidates' files (bringing
//   their ratio nearer 1.0 than the same gap on tmpfs).
//
// Each pass is measured in a fresh process and at steady state, after 3,000
// more names (see STEADY_AFTER in harness.mjs).
// usage: sudo node bench/named.mjs [namespaces per round, default 50]
import fs from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NetNamespace } from 'netns-native';
import {
  NAMED_REFERENCE,
  RUN_DIR,
  STEADY_AFTER,
  deleteNamedLeftovers,
  inTmpfsThenOnHost,
  ipNamedReference,
  report,
  rounds,
  settleFreed,
  warmUpNamed,
} from './harness.mjs';

const COUNT = Number(process.argv[2] ?? 50);
if (!Number.isInteger(COUNT) || COUNT < 1 || COUNT > 1000) throw new RangeError('namespaces per round: 1 to 1000');
const prefix = `nn-bench-${process.pid}`;
let serial = 0;
const newNames = (n) => Array.from({ length: n }, () => `${prefix}-${serial++}`);

// A fresh process's rounds stay few, to end before V8 optimizes the library
// (STEADY_AFTER's note: with 50 names a round, 2 + 13 rounds end at the
// 750th name); at steady state more rounds narrow the median (a round's
// ratio ranges over +-30%).
const FRESH_ROUNDS = 13;
const STEADY_ROUNDS = 25;

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

function createThenDelete(n) {
  const names = newNames(n);
  for (const name of names) NetNamespace.createNamed(name).close();
  for (const name of names) NetNamespace.delete(name);
}

const measure = (count) =>
  rounds(
    [
      ipNamedReference(newNames),
      { name: 'createNamed + delete (all made, then all deleted)', before: settleFreed, run: createThenDelete },
    ],
    { reference: NAMED_REFERENCE, iterations: COUNT, rounds: count },
  );

async function measureIn(title) {
  const where = describeFilesystem(RUN_DIR);
  try {
    const fresh = `${title}, run dir on ${where}; a fresh process, names ${2 * COUNT + 1} to ${(2 + FRESH_ROUNDS) * COUNT}`;
    report(fresh, await measure(FRESH_ROUNDS), NAMED_REFERENCE);
    await warmUpNamed([createThenDelete]);
    const steady = `the same at steady state, after ${STEADY_AFTER} more names`;
    report(steady, await measure(STEADY_ROUNDS), NAMED_REFERENCE);
  } finally {
    deleteNamedLeftovers(prefix, (name) => NetNamespace.delete(name));
  }
}

await inTmpfsThenOnHost(fileURLToPath(import.meta.url), [String(COUNT)], {
  command: `sudo node bench/named.mjs ${COUNT}   (time per namespace)`,
  tmpfs: () => measureIn(`name a new namespace and delete it, ${COUNT} a round`),
  host: () => measureIn('the same in /run/netns as this machine has it'),
});
