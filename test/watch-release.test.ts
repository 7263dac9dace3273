// A stopped native watch lets go of its callback: a callback that closes over
// the watch (the usual way to stop it from inside) must not keep the watch,
// and all it reaches, alive for the life of the process. Each case runs in a
// fresh node process with --expose-gc; its output is the verdict.
import { describe, expect, it } from 'vitest';
import { distEntry, runNode } from './helpers';

/**
 * Whether a pidfd watcher, whose callback closes over it, is collected after
 * a few gc() calls in a fresh node process; `then` is what is done with it
 * once it watches (stop it, or let it watch).
 */
function watcherCollected(then: string): boolean {
  const result = runNode(
    `const lib = require(${JSON.stringify(distEntry)});
    let collected = false;
    const registry = new FinalizationRegistry(() => { collected = true; });
    (() => {
      const pidfd = lib.sys.pidfdOpen(process.pid); // never exits while watched: only stop() ends the watch
      let watcher;
      watcher = lib.sys.waitPidfd(pidfd, () => watcher.stop());
      ${then}
      registry.register(watcher, 'watcher');
    })();
    (async () => {
      for (let i = 0; i < 50 && !collected; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10)); // the close callback runs on a later turn
        globalThis.gc();
      }
      console.log(JSON.stringify({ collected }));
    })();`,
    { nodeArgs: ['--expose-gc'] },
  );
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return (JSON.parse(result.stdout.trim()) as { collected: boolean }).collected;
}

describe('a stopped watch releases its callback', () => {
  it('sys.waitPidfd: a watcher whose callback closes over it is collected once stopped', () => {
    expect(watcherCollected('watcher.stop(); lib.sys.close(pidfd);')).toBe(true);
  });

  it('the control: a watcher still watching is not collected (what the first case proves is the stop)', () => {
    // unref: lets the process end while it watches.
    expect(watcherCollected('watcher.unref();')).toBe(false);
  });

  it('a stopped watch cannot be started again, and says so', () => {
    const result = runNode(`
      const lib = require(${JSON.stringify(distEntry)});
      const { native } = require(${JSON.stringify(distEntry.replace(/index\.js$/, 'binding.js'))});
      const pidfd = lib.sys.pidfdOpen(process.pid);
      const watch = native.watchPidfd(() => {});
      watch.start(pidfd);
      watch.stop();
      setTimeout(() => {
        const again = watch.start(pidfd);
        console.log(JSON.stringify({ name: again?.name, message: again?.message }));
        lib.sys.close(pidfd);
      }, 20);`);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout.trim())).toEqual({ name: 'TypeError', message: 'PidfdWatch was already started' });
  });
});
