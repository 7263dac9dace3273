// Benchmarks that can be trusted on a noisy 2-core VM: candidates run in
// rounds, interleaved (the order rotates every round), the first rounds are
// thrown away as warm-up, and every ratio is taken within one round (paired)
// before the median of those ratios is reported with its spread.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

// A bench whose output is cut short (`node bench/X.mjs | head`) goes on to its
// end, output lost, so that its own clean-up removes the namespaces it made:
// an EPIPE left unheard would end the process at once, clean-up skipped.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Re-runs this script pinned to one CPU (taskset), so that both sides of a
 * CPU-sensitive comparison, and the children they spawn, share that CPU.
 * Returns only in the pinned run.
 */
export function pinToCpu(cpu = 1) {
  if (process.env.NETNS_BENCH_PINNED === String(cpu)) return;
  const result = spawnSync(
    'taskset',
    ['-c', String(cpu), process.execPath, ...process.execArgv, ...process.argv.slice(1)],
    { stdio: 'inherit', env: { ...process.env, NETNS_BENCH_PINNED: String(cpu) } },
  );
  process.exit(result.status ?? 1);
}

/**
 * candidates: [{ name, run(iterations), iterations?, before?(iterations),
 * after?(iterations) }], each may be async; each round runs every candidate
 * once, for its own `iterations` or the common one, and records the time per
 * iteration (or what `run` returns: an external program's own measurement in
 * ns per iteration). `before` and `after` run untimed around each run
 * (setting up and tearing down what a run needs or leaves).
 * Returns { perIteration: { name: [ns per iteration, by round] }, ratios:
 * { name: [ratio to reference, by round] } } for the kept rounds.
 */
export async function rounds(candidates, { reference, rounds: count = 9, warmup = 2, iterations = 1 }) {
  const perIteration = Object.fromEntries(candidates.map((c) => [c.name, []]));
  for (let round = 0; round < warmup + count; round++) {
    const order = candidates.map((_, i) => candidates[(i + round) % candidates.length]);
    const times = {};
    for (const candidate of order) {
      const n = candidate.iterations ?? iterations;
      await candidate.before?.(n);
      const start = process.hrtime.bigint();
      // A candidate that times itself (an external program's own loop) returns ns per iteration.
      const own = await candidate.run(n);
      times[candidate.name] = typeof own === 'number' ? own : Number(process.hrtime.bigint() - start) / n;
      await candidate.after?.(n);
    }
    if (round < warmup) continue;
    for (const name of Object.keys(times)) perIteration[name].push(times[name]);
  }
  return withRatiosTo({ perIteration }, reference);
}

/**
 * CPU time (ms) of this process's threads other than the main one: V8's
 * compiler and GC helpers, libuv's pool, the addon's own. In clock ticks of
 * 10 ms: over a batch of 25 calls, about 0.4 ms a call either way.
 */
export function otherThreadsCpuMs() {
  const ticks = 1000 / 100; // USER_HZ is 100 on Linux
  let total = 0;
  for (const tid of fs.readdirSync('/proc/self/task')) {
    if (Number(tid) === process.pid) continue;
    try {
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12])) * ticks; // utime, stime
    } catch {
      // a thread that ended meanwhile
    }
  }
  return total;
}

/**
 * Runs `run` in batches until its time per call stops falling: V8 compiles a
 * function on its helper threads only after it ran many times, and a fresh
 * process's first calls run slower code while paying for that compilation on
 * the other CPU (one run: the first 25 maps of topology() at 50 namespaces,
 * 20.8 ms each with 20.8 ms of the other threads' CPU a map; after 175, 8.1
 * ms with 1.6). Settled: two batches in a row not 3% faster than the best
 * batch so far. Returns the first and last batches, and whether it settled.
 */
export async function warmUp(run, { batch = 25, maxBatches = 24 } = {}) {
  const batches = [];
  let best = Infinity;
  let notFaster = 0;
  while (batches.length < maxBatches && notFaster < 2) {
    const helpersBefore = otherThreadsCpuMs();
    const times = [];
    for (let i = 0; i < batch; i++) {
      const start = process.hrtime.bigint();
      await run();
      times.push(Number(process.hrtime.bigint() - start));
    }
    const perCall = median(times);
    batches.push({ perCall, otherThreadsCpuMsPerCall: (otherThreadsCpuMs() - helpersBefore) / batch });
    notFaster = perCall < best * 0.97 ? 0 : notFaster + 1;
    best = Math.min(best, perCall);
  }
  return { batch, calls: batches.length * batch, first: batches[0], last: batches.at(-1), settled: notFaster >= 2 };
}

/** One line for a warmUp() result, with a loud warning when it did not settle. */
export function reportWarmUp(name, { calls, first, last, settled }) {
  const batch = ({ perCall, otherThreadsCpuMsPerCall }) =>
    `${unit(perCall)} (other threads ${otherThreadsCpuMsPerCall.toFixed(1)} ms CPU a call)`;
  console.log(`  warm-up of ${name}: ${calls} calls; first batch ${batch(first)}, last ${batch(last)}`);
  if (!settled) console.log(`  WARNING: ${name} was still getting faster after ${calls} calls: not at steady state`);
}

/** The same rounds' times, with each ratio taken against another reference (paired per round, as rounds() does). */
export function withRatiosTo({ perIteration }, reference) {
  const ratios = Object.fromEntries(
    Object.entries(perIteration).map(([name, values]) => [
      name,
      values.map((value, i) => value / perIteration[reference][i]),
    ]),
  );
  return { perIteration, ratios };
}

const unit = (ns) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : `${(ns / 1e3).toFixed(2)} µs`);

/** One line per candidate: median time, and the median paired ratio with its range. */
export function report(title, { perIteration, ratios }, reference) {
  console.log(
    `${title} (${os.cpus().length} cpus, ${os.release()}, node ${process.version}; ` +
      `${perIteration[reference].length} rounds kept, ratios paired per round)`,
  );
  for (const name of Object.keys(perIteration)) {
    const r = ratios[name];
    console.log(
      `  ${name.padEnd(44)} ${unit(median(perIteration[name])).padStart(11)}  ` +
        `${median(r).toFixed(3)}x ${reference === name ? '(reference)' : `[${Math.min(...r).toFixed(3)}-${Math.max(...r).toFixed(3)}]`}`,
    );
  }
}

/** Runs a command and throws with its stderr if it fails. */
export function sh(command, args) {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const mountedAt = (dir) =>
  fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((line) => line.split(' ')[4] === dir);

/**
 * Named namespaces (ours and `ip netns add`'s) make /run/netns a mount
 * point, creating it if needed: call the returned function at the end to put
 * it back as it was, once it is empty again.
 */
export function keepRunDirAsFound(dir = '/run/netns') {
  const existed = fs.existsSync(dir);
  const wasMounted = mountedAt(dir);
  return () => {
    if (!fs.existsSync(dir) || fs.readdirSync(dir).length > 0) return;
    if (!wasMounted) for (let i = 0; i < 16 && mountedAt(dir); i++) spawnSync('umount', ['-l', dir]);
    if (!existed) fs.rmdirSync(dir);
  };
}

// Named namespaces: both candidates in /run/netns (ip has it built in and
// reads no NETNS_RUN_DIR), on a tmpfs in a mount namespace of the bench's
// own, then on the host's own /run/netns.

const TMPFS_PASS = 'NETNS_BENCH_TMPFS_PASS';
export const RUN_DIR = '/run/netns';
export const NAMED_REFERENCE = 'ip -batch: netns add + netns del';

/**
 * The kernel frees a deleted namespace later, in a worker that holds locks a
 * new namespace needs: a candidate that starts right after another pays at
 * random for freeing the other's (ranges of 0.87-1.52x in one run).
 */
export const settleFreed = () => new Promise((resolve) => setTimeout(resolve, 300));

/** The reference: one `ip -batch -` that adds every name, then deletes them; after settleFreed(). */
export function ipNamedReference(newNames) {
  return {
    name: NAMED_REFERENCE,
    before: settleFreed,
    run: (n) => {
      const names = newNames(n);
      const lines = [...names.map((name) => `netns add ${name}`), ...names.map((name) => `netns del ${name}`)];
      const result = spawnSync('ip', ['-batch', '-'], { input: `${lines.join('\n')}\n`, encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`ip -batch failed: ${result.stderr}`);
    },
  };
}

/**
 * V8 compiles a function with its optimizing compiler only after many calls:
 * in one run (node --trace-opt, batches of 50) createNamed was marked after
 * ~1,150 names; deleteNamed, the handle's constructor, the bind, the run
 * dir's opening and the new namespace's between ~1,550 and ~2,300. So steady
 * state is measured after each of `runs` made and deleted this many names,
 * in batches with a pause after each (so that the kernel frees them as it
 * goes) and a longer one at the end. A fixed count, not warmUp()'s rule: a
 * batch's time ranges over +-30% with the kernel's, and that rule would stop
 * at the first lucky batch.
 */
export const STEADY_AFTER = 3000;

export async function warmUpNamed(runs) {
  const batch = 50;
  for (let made = 0; made < STEADY_AFTER; made += batch) {
    for (const run of runs) run(batch);
    await new Promise((resolve) => setTimeout(resolve, 60));
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));
}

/**
 * Prints the command, and runs `tmpfs()` in this script run again in a mount
 * namespace of its own, with a tmpfs over /run/netns; then, here, `host()`
 * (if given) in the host's own /run/netns, put back as it was found. The pass's tmpfs and
 * every name bound onto it go when it ends. Its mount namespace is a slave of
 * this one, so that a name deleted here meanwhile is unmounted there too (and
 * its namespace freed), while nothing mounted there reaches this one.
 */
export async function inTmpfsThenOnHost(script, args, { command, tmpfs, host }) {
  delete process.env.NETNS_RUN_DIR; // the library would follow it, ip would not
  if (process.env[TMPFS_PASS] === '1') {
    sh('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0755', 'nn-bench', RUN_DIR]);
    await tmpfs();
    return;
  }
  console.log(`command: ${command}`);
  const restoreRunDir = keepRunDirAsFound(RUN_DIR);
  try {
    fs.mkdirSync(RUN_DIR, { recursive: true, mode: 0o755 });
    const pass = spawnSync(
      'unshare',
      ['--mount', '--propagation', 'slave', process.execPath, ...process.execArgv, script, ...args],
      { stdio: 'inherit', env: { ...process.env, [TMPFS_PASS]: '1' } },
    );
    if (pass.status !== 0) {
      throw new Error(`the tmpfs pass failed (${pass.error?.message ?? pass.status ?? pass.signal})`);
    }
    await host?.();
  } finally {
    restoreRunDir();
  }
}

/** Deletes each name left in the run dir with this prefix, on its own (one failure does not keep the others). */
export function deleteNamedLeftovers(prefix, deleteName) {
  if (!fs.existsSync(RUN_DIR)) return;
  for (const name of fs.readdirSync(RUN_DIR).filter((entry) => entry.startsWith(prefix))) {
    try {
      deleteName(name);
    } catch (error) {
      console.error(`could not delete ${name}: ${error.message}`);
    }
  }
}
