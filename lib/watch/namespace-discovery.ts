// watch({ namespaces: 'all' }): finding the namespaces no event announces.
// Nothing tells of a namespace's birth; the run dir is watched (inotify; its
// file appears before its bind mount, so nsfs is waited for), events from an
// nsid not followed yet and new nsids in the observer ask for a look, and a
// periodic rescan finds the rest (unnamed ones held by processes or mounts).
import fs from 'node:fs';
import path from 'node:path';
import { resolveRunDir } from '../named/run-dir';
import { type NamespaceInfo, listNamespaces } from '../proc/list-namespaces';
import type { Following } from './following';
import { RunDirWatch } from './run-dir-watch';

const NSFS_MAGIC = 0x6e736673;

/** What discovery needs of the watch. */
export interface DiscoveryHooks {
  observerIno: number;
  following: Following;
  report(error: Error): void;
  closed(): boolean;
}

export class NamespaceDiscovery {
  readonly #hooks: DiscoveryHooks;
  #refed = true;
  #rescanTimer: NodeJS.Timeout | undefined;
  #periodic: NodeJS.Timeout | undefined;
  #runDirWatch: RunDirWatch | undefined;
  readonly #confirming = new Set<string>();
  /** nsids heard from but not found by a rescan (held by an fd only, say). */
  readonly #unresolved = new Set<number>();

  constructor(hooks: DiscoveryHooks) {
    this.#hooks = hooks;
  }

  /** Starts watching the run dir, and rescanning every `interval` ms (0: never). */
  start(interval: number): void {
    const runDir = resolveRunDir();
    this.#runDirWatch = new RunDirWatch(
      runDir,
      (file) => (file === undefined ? this.#scheduleRescan(0) : this.#confirmNsfs(path.join(runDir, file))),
      (error) => this.#hooks.report(error),
    );
    if (!this.#refed) this.#runDirWatch.unref();
    if (interval > 0) {
      this.#periodic = setInterval(() => this.rescan('add'), interval);
      if (!this.#refed) this.#periodic.unref();
    }
  }

  /** Events came from `nsid`, which no followed namespace has: looked for once, not on each of its events. */
  heardFrom(nsid: number): void {
    if (this.#unresolved.has(nsid)) return;
    this.#unresolved.add(nsid);
    this.#scheduleRescan(0);
  }

  /** The observer assigned or dropped `nsid`: a new one not followed yet is looked for. */
  nsidChanged(nsid: number, added: boolean): void {
    this.#unresolved.delete(nsid);
    if (added && this.#hooks.following.byNsid(nsid) === undefined) this.#scheduleRescan(0);
  }

  /** The run dir's file appears before its bind mount does: wait (briefly) for nsfs, then look. */
  #confirmNsfs(file: string, tries = 40): void {
    if (this.#hooks.closed()) return;
    let magic: number | undefined;
    try {
      magic = fs.statfsSync(file).type;
    } catch {
      return; // removed: a namespace's death comes as RTM_DELNSID
    }
    if (magic === NSFS_MAGIC) {
      this.#confirming.delete(file);
      this.#scheduleRescan(0);
    } else if (tries > 0) {
      this.#confirming.add(file);
      const timer = setTimeout(() => this.#confirmNsfs(file, tries - 1), 25);
      if (!this.#refed) timer.unref();
    } else {
      this.#confirming.delete(file);
    }
  }

  #scheduleRescan(delay: number): void {
    if (this.#rescanTimer !== undefined || this.#hooks.closed()) return;
    this.#rescanTimer = setTimeout(() => {
      this.#rescanTimer = undefined;
      this.rescan('add');
    }, delay);
    if (!this.#refed) this.#rescanTimer.unref();
  }

  /** Follows every namespace a listing finds that is not followed yet; `action` says how to report it. */
  rescan(action: 'exists' | 'add' | undefined): void {
    if (this.#hooks.closed()) return;
    let found: NamespaceInfo[];
    try {
      found = listNamespaces({ nsid: false, owners: false });
    } catch (error) {
      this.#hooks.report(error as Error);
      return;
    }
    const { following, observerIno } = this.#hooks;
    for (const info of found) {
      if (info.ino === observerIno) continue;
      const known = following.get(info.ino);
      if (known !== undefined) {
        if (known.netns.name === undefined && info.names[0] !== undefined) known.netns.name = info.names[0];
        continue;
      }
      following.followFound(info, action);
    }
  }

  ref(): void {
    this.#refed = true;
    this.#runDirWatch?.ref();
    this.#periodic?.ref();
    this.#rescanTimer?.ref();
  }

  unref(): void {
    this.#refed = false;
    this.#runDirWatch?.unref();
    this.#periodic?.unref();
    this.#rescanTimer?.unref();
  }

  close(): void {
    clearInterval(this.#periodic);
    clearTimeout(this.#rescanTimer);
    this.#runDirWatch?.close();
  }
}
