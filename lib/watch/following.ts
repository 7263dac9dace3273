// The namespaces a watch follows, by inode and by the nsid the observer gave
// each: the observer itself, the targets it was given, and (for 'all') those
// found later. Each is given an nsid in the observer ("auto") so that the one
// event socket hears it, and a model filled by a dump made after the
// subscription, so nothing slips between. A dump is read through a socket
// inside the namespace, not on the event socket with IFLA_TARGET_NETNSID:
// such a dump numbers IFLA_LINK_NETNSID in the *observer's* table, while the
// namespace's own events number it in its own, and a model fed both would
// flip. Nothing here holds a namespace open between uses: each is reopened
// (and checked by inode) when it is to be read again.
import { handleOn } from '../handle/net-namespace';
import { type NamespaceInfo, listNamespaces } from '../proc/list-namespaces';
import { openNamespace } from '../proc/open-namespace';
import { addressDumpRequest } from '../rtnl/addr-codec';
import { linkDumpRequest } from '../rtnl/link-codec';
import { nsidIn } from '../rtnl/nsid';
import { routeDumpRequest } from '../rtnl/route-codec';
import { RtnlSocket } from '../rtnl/transport';
import type { WatchEvent, WatchKind, WatchedNetns } from './events';
import { NamespaceModel } from './namespace-model';
import { assignNsid } from './nsids';
import { namesIn } from './run-dir-names';
import { type NamespaceRef, type OpenedTarget, type WatchTarget, openSocketNamespace, openTarget } from './targets';

/** One namespace followed, with its model and a way to get back into it. */
export interface Followed {
  netns: WatchedNetns;
  model: NamespaceModel;
  observer: boolean;
  /** Opens it again (for a dump); undefined once nothing leads there. */
  reopen(): OpenedTarget | undefined;
}

/** What following needs of the watch. */
export interface FollowingHooks {
  /** The event socket's fd: the observer is the namespace it was made in. */
  socketFd(): number;
  observerIno: number;
  kinds: ReadonlySet<WatchKind>;
  deliver(event: WatchEvent): void;
  report(error: Error): void;
  closed(): boolean;
}

export class Following {
  readonly #hooks: FollowingHooks;
  readonly #byIno = new Map<number, Followed>();
  readonly #byNsid = new Map<number, Followed>();
  #self: Followed | undefined;
  /** While a first dump fills a model: its events are not reported. */
  #silent = false;

  constructor(hooks: FollowingHooks) {
    this.#hooks = hooks;
  }

  /** The observer, when it is followed (mode 'current' or 'all', or listed). */
  get self(): Followed | undefined {
    return this.#self;
  }

  get(ino: number): Followed | undefined {
    return this.#byIno.get(ino);
  }

  byNsid(nsid: number): Followed | undefined {
    return this.#byNsid.get(nsid);
  }

  all(): Followed[] {
    return [...this.#byIno.values()];
  }

  /**
   * Whether the namespace followed under `nsid` can still be opened and the
   * observer still numbers it so. A dying namespace's RTM_DELNSID can come
   * after its id went to another one: the kernel frees the id, then tells
   * (unhash_nsid), and meanwhile this watch may have given the id to a
   * namespace it follows. That namespace did not die.
   */
  stillNumbers(nsid: number): boolean {
    const followed = this.#byNsid.get(nsid);
    const opened = followed?.reopen();
    if (opened === undefined) return false;
    try {
      return this.#inObserver((socket) => nsidIn(socket, opened.ref.fd)) === nsid;
    } catch {
      return false; // cannot be asked: taken as the death the kernel told of
    } finally {
      opened.close();
    }
  }

  /** The observer dropped `nsid`: its namespace died. It is no longer followed; returned if it was. */
  died(nsid: number): Followed | undefined {
    const dead = this.#byNsid.get(nsid);
    if (dead === undefined) return undefined;
    this.#byNsid.delete(nsid);
    this.#byIno.delete(dead.netns.ino);
    return dead;
  }

  #newFollowed(netns: WatchedNetns, observer: boolean, reopen: () => OpenedTarget | undefined): Followed {
    const followed: Followed = {
      netns,
      observer,
      reopen,
      model: new NamespaceModel(netns, (event) => {
        if (!this.#silent) this.#hooks.deliver(event);
      }),
    };
    this.#byIno.set(netns.ino, followed);
    if (netns.nsid !== undefined) this.#byNsid.set(netns.nsid, followed);
    return followed;
  }

  /** The observer, opened for one use through the event socket. */
  #openObserver = (): OpenedTarget | undefined => {
    if (this.#hooks.closed()) return undefined;
    return openSocketNamespace(this.#hooks.socketFd());
  };

  /** Runs `use` over an rtnetlink socket made in the observer, for that use only. */
  #inObserver<T>(use: (socket: RtnlSocket) => T): T {
    const observer = openSocketNamespace(this.#hooks.socketFd());
    try {
      using socket = RtnlSocket.inside(observer.ref);
      return use(socket);
    } finally {
      observer.close();
    }
  }

  #assignNsid(ref: NamespaceRef): number {
    return this.#inObserver((socket) => assignNsid(socket, ref, 'auto'));
  }

  /** The observer itself ('current' and 'all'). */
  followObserver(listed: boolean): void {
    const ino = this.#hooks.observerIno;
    const names = namesIn(ino);
    const netns: WatchedNetns = { ino, ...(names[0] === undefined ? {} : { name: names[0] }) };
    this.#self = this.#newFollowed(netns, true, this.#openObserver);
    if (listed) this.#hooks.deliver({ kind: 'namespace', action: 'exists', netns });
    this.dump(this.#self, true, !listed);
  }

  /** A target of the list: followed through its handle, or reopened by name, path or pid (checked by inode). */
  followTarget(ref: NamespaceRef, original: WatchTarget, listed: boolean): void {
    if (this.#byIno.has(ref.ino)) return;
    const { ino, dev } = ref;
    const reopen = (): OpenedTarget | undefined => {
      try {
        const again = openTarget(original);
        if (again.ref.ino === ino && again.ref.dev === dev) return again;
        again.close();
      } catch {
        // gone, or the name now leads elsewhere
      }
      return undefined;
    };
    const isObserver = ino === this.#hooks.observerIno;
    const name = ref.name ?? (typeof original === 'string' && !original.startsWith('/') ? original : namesIn(ino)[0]);
    const nsid = isObserver ? undefined : this.#assignNsid(ref);
    const netns: WatchedNetns = {
      ino,
      ...(name === undefined ? {} : { name }),
      ...(nsid === undefined ? {} : { nsid }),
    };
    const followed = this.#newFollowed(netns, isObserver, isObserver ? this.#openObserver : reopen);
    if (isObserver) this.#self = followed;
    if (listed) this.#hooks.deliver({ kind: 'namespace', action: 'exists', netns });
    this.dump(followed, true, !listed);
  }

  /** 'all': a namespace found by a listing; `action` says how to report it (undefined: silently). */
  followFound(info: NamespaceInfo, action: 'exists' | 'add' | undefined): void {
    if (this.#byIno.has(info.ino)) return;
    let handle;
    try {
      handle = handleOn(openNamespace(info));
    } catch {
      return; // gone since it was listed
    }
    let followed: Followed;
    try {
      const nsid = this.#assignNsid(handle);
      const netns: WatchedNetns = {
        ino: info.ino,
        ...(info.names[0] === undefined ? {} : { name: info.names[0] }),
        nsid,
      };
      followed = this.#newFollowed(netns, false, () => reopenFound(info));
      if (action !== undefined) this.#hooks.deliver({ kind: 'namespace', action, netns });
    } catch (error) {
      this.#hooks.report(error as Error);
      return;
    } finally {
      handle.close();
    }
    this.dump(followed, true, action === undefined);
  }

  /** Reads links, addresses and routes of a followed namespace into its model. */
  dump(followed: Followed, first: boolean, silent = false): boolean {
    const opened = followed.reopen();
    if (opened === undefined) return false;
    const { kinds } = this.#hooks;
    let socket: RtnlSocket | undefined;
    try {
      socket = RtnlSocket.inside(opened.ref);
      const read = (what: string, build: (seq: number) => Buffer) => socket!.dump({ what }, build).messages;
      const links = read('RTM_GETLINK', (seq) => linkDumpRequest(seq));
      const withAddresses = kinds.has('address');
      const withRoutes = kinds.has('route');
      const addresses = withAddresses ? read('RTM_GETADDR', (seq) => addressDumpRequest(seq)) : [];
      const routes = withRoutes ? read('RTM_GETROUTE', (seq) => routeDumpRequest(seq)) : [];
      const { model } = followed;
      this.#silently(silent, () => {
        model.beginDump();
        for (const message of [...links, ...addresses, ...routes]) model.applyDumped(message, first);
        model.endDump({ links: true, addresses: withAddresses, routes: withRoutes });
      });
      return true;
    } catch (error) {
      this.#hooks.report(error as Error);
      return false;
    } finally {
      socket?.close();
      opened.close();
    }
  }

  #silently(silent: boolean, fn: () => void): void {
    const before = this.#silent;
    this.#silent = silent;
    try {
      fn();
    } finally {
      this.#silent = before;
    }
  }
}

/** A namespace found by a listing, opened again as the listing found it, or as a new listing finds it now. */
function reopenFound(info: NamespaceInfo): OpenedTarget | undefined {
  try {
    const again = handleOn(openNamespace(info));
    return { ref: again, close: () => again.close() };
  } catch {
    const now = listNamespaces({ nsid: false, owners: false }).find((other) => other.ino === info.ino);
    if (now === undefined) return undefined;
    Object.assign(info, now);
    try {
      const again = handleOn(openNamespace(now));
      return { ref: again, close: () => again.close() };
    } catch {
      return undefined;
    }
  }
}
