// After an overrun (the kernel dropped events: ENOBUFS): report it, read what
// is still queued, dump every followed namespace again and report the
// difference (the models emit it, marked synthetic) between 'resync' and
// 'synced'. One resync at a time; an overrun during one is counted, and
// the one in flight reads after it.
import type { WatchNotice } from './events';
import type { Following } from './following';
import type { WatchStats } from './watch-options';

/** What a resync needs of the watch. */
export interface ResyncHooks {
  stats: WatchStats;
  following: Following;
  notice(notice: WatchNotice): void;
  /** Reads every message still queued on the event socket. */
  drain(): void;
  closed(): boolean;
}

export class Resync {
  readonly #hooks: ResyncHooks;
  #resyncing = false;

  constructor(hooks: ResyncHooks) {
    this.#hooks = hooks;
  }

  overrun(reason: 'overrun' | 'overflow'): void {
    this.#hooks.stats.overruns++;
    if (this.#resyncing) return; // the resync in flight reads after this
    this.#resyncing = true;
    this.#hooks.notice({ kind: 'resync', reason });
    setImmediate(() => this.#resync());
  }

  #resync(): void {
    const hooks = this.#hooks;
    if (hooks.closed()) return;
    // Whatever is still queued is older than the dumps: read it first.
    hooks.drain();
    for (const followed of hooks.following.all()) hooks.following.dump(followed, false);
    hooks.stats.resyncs++;
    this.#resyncing = false;
    hooks.notice({ kind: 'synced' });
  }
}
