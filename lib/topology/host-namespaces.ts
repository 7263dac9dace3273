// The namespaces of the host as the map reads them: for each one, a handle
// and an rtnetlink socket made inside it, opened when first needed and all
// closed together at the end, and what was read there (links, addresses, the
// nsids it gave the others), each read at most once. A namespace that cannot
// be opened or read keeps its error, for the map to report against it alone.
import fs from 'node:fs';
import { type NetNamespace, handleOn } from '../handle/net-namespace';
import type { NamespaceInfo } from '../proc/list-namespaces';
import type { Address, Link } from '../rtnl/model';
import { nsidIn } from '../rtnl/nsid';
import { readAddresses, readLinks } from '../rtnl/read';
import { RtnlSocket } from '../rtnl/transport';
import { Once } from './once';
import type { Steps } from '../steps';
import { openNamespace } from '../proc/open-namespace';
import type { PeerOracle } from './veth-peers';

export class NamespaceSource {
  info: NamespaceInfo;
  /** The calling thread's own namespace: its socket is made without a switch. */
  readonly current: boolean;
  readonly handle: Once<NetNamespace>;
  readonly socket: Once<RtnlSocket>;
  readonly links: Once<Link[]>;
  readonly addresses: Once<Address[]>;
  readonly #ownsHandle: boolean;

  constructor(info: NamespaceInfo, current: RtnlSocket | undefined, given?: NetNamespace) {
    this.info = info;
    this.current = current !== undefined;
    this.#ownsHandle = given === undefined;
    this.handle = new Once(() => given ?? handleOn(openNamespace(this.info)));
    this.socket = new Once(() => current ?? RtnlSocket.inside(this.handle.get()));
    this.links = new Once(() => readLinks(this.socket.get()));
    this.addresses = new Once(() => readAddresses(this.socket.get(), this.links.get()));
  }

  /**
   * Reads links, then addresses, yielding between them (a namespace with
   * hundreds of links is the longest step of a map); a failure is kept
   * (Once) and reported where they are used.
   */
  *readAhead(): Steps<void> {
    for (const read of [this.links, this.addresses]) {
      try {
        read.get();
      } catch {
        return; // kept by Once, thrown again to describeNamespace
      }
      yield;
    }
  }

  close(): void {
    this.socket.peek()?.close();
    if (this.#ownsHandle) this.handle.peek()?.close();
  }
}

/** Every namespace the map knows of, by inode; answers the peer resolver's questions. */
export class HostNamespaces implements PeerOracle, Disposable {
  readonly #sources = new Map<number, NamespaceSource>();
  readonly #nsids = new Map<string, Once<number | undefined>>();
  readonly #currentIno: number;
  /**
   * The calling thread's own namespace is read through a socket made at once,
   * on the thread, so that a map that goes on after the caller returned (in
   * slices, see steps.ts) still reads where the caller was when it asked.
   */
  readonly #currentSocket: RtnlSocket;
  mapped: number[] = [];

  constructor() {
    this.#currentIno = fs.statSync('/proc/thread-self/ns/net').ino;
    this.#currentSocket = RtnlSocket.here();
  }

  get known(): Iterable<number> {
    return this.#sources.keys();
  }

  /** Adds a namespace (or updates what is known of it); `handle` is used as is and not closed. */
  add(info: NamespaceInfo, handle?: NetNamespace): NamespaceSource {
    const existing = this.#sources.get(info.ino);
    if (existing) {
      existing.info = info;
      return existing;
    }
    const source = new NamespaceSource(info, info.ino === this.#currentIno ? this.#currentSocket : undefined, handle);
    this.#sources.set(info.ino, source);
    return source;
  }

  source(ino: number): NamespaceSource {
    const source = this.#sources.get(ino);
    if (!source) throw new Error(`namespace net:[${ino}] is not known to this map`);
    return source;
  }

  links(ino: number): Link[] {
    return this.source(ino).links.get();
  }

  nsid(observer: number, target: number): number | undefined {
    const key = `${observer}>${target}`;
    let answer = this.#nsids.get(key);
    if (!answer) {
      answer = new Once(() => nsidIn(this.source(observer).socket.get(), this.source(target).handle.get().fd));
      this.#nsids.set(key, answer);
    }
    return answer.get();
  }

  /** Closes every socket and handle opened, even if closing one of them fails. */
  close(): void {
    const failures: unknown[] = [];
    for (const source of this.#sources.values()) {
      try {
        source.close();
      } catch (error) {
        failures.push(error);
      }
    }
    this.#sources.clear();
    this.#currentSocket.close(); // closing twice is harmless: the source of the current namespace closed it too
    if (failures.length > 0) throw failures[0];
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
