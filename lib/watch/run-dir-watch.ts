// An inotify watch (fs.watch) on the run dir that survives the run dir being
// removed and made again (or made only later): inotify follows an inode, and
// a new directory is a new one (or the same number reused). So the
// directory's identity is checked on a slow tick, and the watch is made
// again when it changed, appeared, or reported its own removal.
import fs from 'node:fs';
import path from 'node:path';

/** How often the run dir's identity is checked (ms); a cheap stat. */
const IDENTITY_CHECK_MS = 250;

export class RunDirWatch {
  #watcher: fs.FSWatcher | undefined;
  #identity = '';
  readonly #timer: NodeJS.Timeout;
  #closed = false;

  constructor(
    readonly runDir: string,
    /** A file changed (`file` known) or the watch was made again (missed changes possible). */
    readonly onChange: (file: string | undefined) => void,
    readonly onError: (error: Error) => void = () => {},
  ) {
    this.#ensure();
    this.#timer = setInterval(() => this.#ensure(true), IDENTITY_CHECK_MS);
  }

  #ensure(tick = false): void {
    if (this.#closed) return;
    let identity = '';
    try {
      const stat = fs.statSync(this.runDir);
      identity = `${stat.dev}:${stat.ino}`;
    } catch {
      // not there (yet)
    }
    if (identity === this.#identity) return;
    this.#identity = identity;
    this.#watcher?.close();
    this.#watcher = undefined;
    if (identity !== '') {
      try {
        this.#watcher = fs.watch(this.runDir, (type, file) => {
          // The directory itself went away (a new one may reuse its inode): watch again on the next tick.
          if (type === 'rename' && file === path.basename(this.runDir)) this.#identity = 'gone';
          this.onChange(typeof file === 'string' ? file : undefined);
        });
        this.#watcher.on('error', (error) => this.onError(error));
        if (!this.#refed) this.#watcher.unref();
      } catch (error) {
        this.onError(error as Error);
      }
    }
    if (tick) this.onChange(undefined);
  }

  #refed = true;

  ref(): void {
    this.#refed = true;
    this.#timer.ref();
    this.#watcher?.ref();
  }

  unref(): void {
    this.#refed = false;
    this.#timer.unref();
    this.#watcher?.unref();
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#watcher?.close();
    this.#watcher = undefined;
  }
}
