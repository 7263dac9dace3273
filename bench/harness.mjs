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

const TMPFS_PASS = 'NETNS_BENCH_TMPFS_PASS';

/** Whether this process is the pass that runInTmpfsRunDir() started. */
export const inTmpfsRunDir = () => process.env[TMPFS_PASS] === '1';

/**
 * Runs `script` again, in a mount namespace of its own with a tmpfs over
 * /run/netns (mounted there by the pass: mountTmpfsRunDir), and throws if it
 * fails. The tmpfs and every name bound onto it go when that process ends.
 * A slave of this mount namespace, so that a name deleted here meanwhile is
 * unmounted there too (and its namespace freed), while nothing mounted there
 * reaches this one. /run/netns must exist.
 */
export function runInTmpfsRunDir(script, args) {
  const pass = spawnSync(
    'unshare',
    ['--mount', '--propagation', 'slave', process.execPath, ...process.execArgv, script, ...args],
    {
      stdio: 'inherit',
      env: { ...process.env, [TMPFS_PASS]: '1' },
    },
  );
  if (pass.status !== 0)
    throw new Error(`the tmpfs pass failed (${pass.error?.message ?? pass.status ?? pass.signal})`);
}

/** In the pass runInTmpfsRunDir() started: the tmpfs over /run/netns. */
export function mountTmpfsRunDir() {
  sh('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0755', 'nn-bench', '/run/netns']);
}

/** The reference for named namespaces: one `ip -batch -` that adds every name, then deletes them. */
export function ipNetnsAddThenDelete(names) {
  const lines = [...names.map((name) => `netns add ${name}`), ...names.map((name) => `netns del ${name}`)];
  const result = spawnSync('ip', ['-batch', '-'], { input: `${lines.join('\n')}\n`, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ip -batch failed: ${result.stderr}`);
}
