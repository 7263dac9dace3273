// The namespaces of the host as the map reads them: for each one, a handle
// and an rtnetlink socket made inside it, opened when first needed and all
// closed together at the end, and what was read there (links, addresses, the
// nsids it gave the others), each read at most once. A namespace that cannot
// be opened or read keeps its error, for the map to report against it alone.
import { type NetNamespace, handleOn } from '../handle/net-namespace';
import type { NamespaceInfo } from '../proc/list-namespaces';
import type { Address, Link } from '../rtnl/model';
import { nsidAnswers, nsidIn, nsidsAtOnce } from '../rtnl/nsid';
import { readAddressesSteps, readLinksSteps } from '../rtnl/read';
import { RtnlSocket } from '../rtnl/transport';
import { Once } from './once';
import { PairMap } from './pair-map';
import { type Steps, runAtOnce } from '../steps';
import { openNamespace } from '../proc/open-namespace';
import { statIdentity } from '../nsfs/file-identity';
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
    // Read at once when asked for before readMapped reached them; in steps by readMapped.
    this.links = new Once(() => runAtOnce(this.#linksSteps()));
    this.addresses = new Once(() => runAtOnce(this.#addressesSteps()));
  }

  #linksSteps(): Steps<Link[]> {
    return readLinksSteps(this.socket.get());
  }

  #addressesSteps(): Steps<Address[]> {
    return readAddressesSteps(this.socket.get(), this.links.get());
  }

  /**
   * Reads `part` unless it was read already, in steps that yield between a
   * dump's datagrams (a host's thousand links are many); a failure is kept
   * as when it is read at once.
   */
  *readSteps(part: (typeof PASSES)[number]): Steps<void> {
    try {
      if (part === 'socket') {
        this.socket.get();
      } else if (part === 'links') {
        if (!this.links.done) this.links.keep({ value: yield* this.#linksSteps() });
      } else if (!this.addresses.done) {
        this.addresses.keep({ value: yield* this.#addressesSteps() });
      }
    } catch (error) {
      // Kept, and thrown again to whatever needs it (describeNamespace); the socket's Once keeps its own.
      if (part === 'links') this.links.keep({ error });
      if (part === 'addresses') this.addresses.keep({ error });
    }
  }

  close(): void {
    this.socket.peek()?.close();
    if (this.#ownsHandle) this.handle.peek()?.close();
  }
}

/** What readMapped reads of every namespace, one pass each, in this order. */
const PASSES = ['socket', 'links', 'addresses'] as const;

/** Every namespace the map knows of, by inode; answers the peer resolver's questions. */
export class HostNamespaces implements PeerOracle, Disposable {
  readonly #sources = new Map<number, NamespaceSource>();
  /** What each observer numbers each target, by (observer, target) inode. */
  readonly #nsids = new PairMap<Once<number | undefined>>();
  readonly #currentIno: number;
  /**
   * The calling thread's own namespace is read through a socket made at once,
   * on the thread, so that a map that goes on after the caller returned (in
   * slices, see steps.ts) still reads where the caller was when it asked.
   */
  readonly #currentSocket: RtnlSocket;
  mapped: number[] = [];

  constructor() {
    this.#currentIno = statIdentity('/proc/thread-self/ns/net').ino;
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
    let answer = this.#nsids.get(observer, target);
    if (!answer) {
      answer = new Once(() => nsidIn(this.source(observer).socket.get(), this.source(target).handle.get().fd));
      this.#nsids.set(observer, target, answer);
    }
    return answer.get();
  }

  /**
   * Asks the questions nsid() is about to be asked together, over the
   * calling thread's socket, in as few datagrams as its receive buffer
   * allows, where one at a time costs a send and two reads each (and a
   * question of another observer, one on that observer's socket). This
   * namespace's own questions are asked directly; another observer's table
   * is read through the nsid this namespace gave it (NETNSA_TARGET_NSID:
   * the same table, the same answer), so this namespace's nsid of each such
   * observer is asked first. A question that cannot be asked this way (no
   * such nsid here, a namespace that cannot be opened, a refusal of the
   * target) is left for nsid() to ask on the observer's own socket. Yields
   * after each datagram's answers (see steps.ts).
   */
  *expectNsidQuestions(questions: ReadonlyArray<readonly [observer: number, target: number]>): Steps<void> {
    const here = this.#currentIno;
    const unasked = questions.filter(([observer, target]) => !this.#nsids.has(observer, target));
    if (unasked.length === 0) return;
    const through = new Set(unasked.map(([observer]) => observer).filter((observer) => observer !== here));
    const direct = [
      ...unasked.filter(([observer]) => observer === here).map(([, target]) => target),
      ...[...through].filter((observer) => !this.#nsids.has(here, observer)),
    ];
    yield* this.#askTogether(
      [...new Set(direct)].map((target) => ({ observer: here, target })),
      true,
    );
    // Only now: the nsids just asked are the way to the other observers' tables.
    yield* this.#askTogether(
      unasked
        .filter(([observer]) => observer !== here)
        .map(([observer, target]) => ({ observer, target, targetNsid: this.#known(here, observer) })),
      false,
    );
  }

  /** The cached answer of nsid(observer, target), if it was asked and answered. */
  #known(observer: number, target: number): number | undefined {
    return this.#nsids.get(observer, target)?.peek();
  }

  /**
   * Asks `questions` on this namespace's socket and caches each answer as
   * nsid() would have; a refusal is cached too when it is the question's
   * own (`refusalsAreAnswers`), not one of the way it was asked.
   */
  *#askTogether(
    questions: ReadonlyArray<{ observer: number; target: number; targetNsid?: number }>,
    refusalsAreAnswers: boolean,
  ): Steps<void> {
    const asked: Array<{ observer: number; target: number; fd: number; targetNsid?: number }> = [];
    for (const { observer, target, targetNsid } of questions) {
      if (observer !== this.#currentIno && targetNsid === undefined) continue;
      let fd: number;
      try {
        fd = this.source(target).handle.get().fd;
      } catch {
        continue; // nsid() reports it
      }
      asked.push({ observer, target, fd, targetNsid });
    }
    const atOnce = nsidsAtOnce(this.#currentSocket);
    for (let from = 0; from < asked.length; from += atOnce) {
      const part = asked.slice(from, from + atOnce);
      const answers = nsidAnswers(this.#currentSocket, part);
      part.forEach(({ observer, target }, i) => {
        const answer = answers[i];
        if (answer === undefined || ('error' in answer && !refusalsAreAnswers)) return;
        this.#nsids.set(observer, target, Once.settled('error' in answer ? answer : { value: answer.nsid }));
      });
      yield;
    }
  }

  /**
   * Reads every mapped namespace, in passes: a handle and a socket for each,
   * then each one's links, then each one's addresses, yielding after each
   * namespace's part and between a dump's datagrams (see steps.ts; parsing
   * the dump of a namespace with hundreds of links is the longest step of a
   * map). Read in passes, a map of 200 namespaces
   * took a fifth less than read one namespace after another, start to end
   * (open, socket, both dumps), with the same calls. A failure is kept
   * (Once) and reported where the results are used (describeNamespace).
   */
  *readMapped(): Steps<void> {
    for (const pass of PASSES) {
      for (const ino of this.mapped) {
        // A failure is kept (Once), thrown again to describeNamespace.
        yield* this.source(ino).readSteps(pass);
        yield;
      }
    }
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
