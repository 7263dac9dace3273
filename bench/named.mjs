// createNamed + delete against iproute2 doing the same in one process
// (`ip -batch -` of N `netns add` + `netns del` lines), in interleaved rounds
// of the same run. Ratios are paired per round. Nothing is left behind.
// The kernel frees a deleted namespace later, in a worker of its own, and
// that work holds locks a new namespace needs: each candidate starts after an
// untimed pause, so that neither pays for freeing the other's namespaces.
//
// Measured twice: in a run dir on tmpfs that the bench mounts (where /run is
// on a systemd host), and in /run/netns as this machine has it. On ext4
// without a journal (this VM's /), making a file steps over every inode freed
// in the last 30 seconds (ext4's recently_deleted()), so there a name costs
// more the faster names are deleted, the bench's own deletions included.
// usage: sudo node bench/named.mjs [namespaces per round, default 50]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { NetNamespace } from 'netns-native';
import { keepRunDirAsFound, mountedAt, report, rounds, sh } from './harness.mjs';

const COUNT = Number(process.argv[2] ?? 50);
if (!Number.isInteger(COUNT) || COUNT < 1 || COUNT > 1000) throw new RangeError('namespaces per round: 1 to 1000');
const prefix = `nn-bench-${process.pid}`;
let serial = 0;
const newNames = (n) => Array.from({ length: n }, () => `${prefix}-${serial++}`);

const SETTLE_MS = 300;
const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
const reference = 'ip -batch: netns add + netns del';

/** The filesystem a directory is on, and for ext4 whether it keeps a journal (recently_deleted() applies only without). */
function describeFilesystem(dir) {
  const [type, source] = sh('findmnt', ['-n', '-o', 'FSTYPE,SOURCE', '-T', dir]).trim().split(/\s+/);
  if (type !== 'ext4') return type;
  const device = source.replace(/\[.*$/, '').replace(/^\/dev\//, '');
  const journal = fs.readFileSync(`/sys/fs/ext4/${device}/journal_task`, 'utf8').trim();
  return journal === '<none>' ? 'ext4 without a journal' : 'ext4 with a journal';
}

async function measure(runDir) {
  const options = { runDir };
  const ipEnv = { ...process.env, NETNS_RUN_DIR: runDir };
  return rounds(
    [
      {
        name: reference,
        before: settle,
        run: (n) => {
          const names = newNames(n);
          const lines = [...names.map((name) => `netns add ${name}`), ...names.map((name) => `netns del ${name}`)];
          const result = spawnSync('ip', ['-batch', '-'], {
            input: `${lines.join('\n')}\n`,
            encoding: 'utf8',
            env: ipEnv,
          });
          if (result.status !== 0) throw new Error(`ip -batch failed: ${result.stderr}`);
        },
      },
      {
        name: 'createNamed + delete (all made, then all deleted)',
        before: settle,
        run: (n) => {
          const names = newNames(n);
          for (const name of names) NetNamespace.createNamed(name, options).close();
          for (const name of names) NetNamespace.delete(name, options);
        },
      },
    ],
    { reference, iterations: COUNT, rounds: 13 },
  );
}

function deleteLeftovers(runDir) {
  if (!fs.existsSync(runDir)) return;
  for (const name of fs.readdirSync(runDir).filter((entry) => entry.startsWith(prefix))) {
    NetNamespace.delete(name, { runDir });
  }
}

console.log(`command: sudo node bench/named.mjs ${COUNT}   (time per namespace)`);

// tmpfs: mounted by the bench; ip and the library each bind the dir onto itself (a shared mount point) on top.
const tmpfsRunDir = fs.mkdtempSync('/tmp/nn-bench-rundir-');
try {
  sh('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0755', 'nn-bench', tmpfsRunDir]);
  try {
    const results = await measure(tmpfsRunDir);
    report(
      `name a new namespace and delete it, ${COUNT} a round, run dir on ${describeFilesystem(tmpfsRunDir)}`,
      results,
      reference,
    );
  } finally {
    deleteLeftovers(tmpfsRunDir);
    for (let i = 0; i < 16 && mountedAt(tmpfsRunDir); i++) sh('umount', ['-l', tmpfsRunDir]);
  }
} finally {
  fs.rmdirSync(tmpfsRunDir);
}

const restoreRunDir = keepRunDirAsFound();
try {
  const results = await measure('/run/netns');
  report(`the same in /run/netns, on ${describeFilesystem('/run')}`, results, reference);
} finally {
  deleteLeftovers('/run/netns');
  restoreRunDir();
}
