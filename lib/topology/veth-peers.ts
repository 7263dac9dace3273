// Which link is the other end of each veth, across namespaces (DESIGN.md §5,
// plotnetcfg's method). A veth L in namespace N says its peer's ifindex
// (IFLA_LINK) and, when the peer is elsewhere, which namespace as an nsid
// *that N gave* (IFLA_LINK_NETNSID). ifindex is unique only per namespace and
// nsids only per observer, so neither names the peer alone: the peer of L is
// the link whose ifindex is L.linkIndex in the namespace M that N numbers
// L.linkNetnsid, accepted only if it names L back the same way (its own
// linkIndex is L's ifindex and M numbers N as its linkNetnsid).
//
// Asking N's socket for the nsid of every namespace (RTM_GETNSID) costs
// N×N requests on a host with N namespaces. So M is first looked for among
// the candidates that could be it: mapped namespaces holding a veth whose
// ifindex is L's peer index and whose peer index is L's ifindex. Only when
// none of them has that nsid are the other namespaces asked, once per N.
import type { Link } from '../rtnl/model';
import { runAtOnce, type Steps } from '../steps';
import type { UnresolvedCode, UnresolvedPeer, VethEnd, VethPair } from './model';
import { PairMap } from './pair-map';

/** What the resolver asks of the host. Answers come from the kernel; the caller caches them. */
export interface PeerOracle {
  /** Namespaces (by inode) whose veths are to be paired, in output order. */
  readonly mapped: readonly number[];
  /** Every namespace found on the host (mapped or not): where a peer may live. */
  readonly known: Iterable<number>;
  /** The links of a namespace, read when first asked; throws when it cannot be read. */
  links(ino: number): readonly Link[];
  /** The nsid `observer` gave `target`, undefined when none; throws when it cannot be asked. */
  nsid(observer: number, target: number): number | undefined;
  /**
   * Optional: told in advance of questions nsid() will likely be asked
   * (observer, target), so that it can ask many at once, as a scan that
   * yields between its exchanges (steps.ts). nsid() still answers each; one
   * not answered here is asked then.
   */
  expectNsidQuestions?(questions: ReadonlyArray<readonly [observer: number, target: number]>): Steps<void>;
}

type EndResolution = { peer: { ino: number; link: Link } } | { code: UnresolvedCode; reason: string };

interface SeenEnd {
  ino: number;
  link: Link;
}

/** What one namespace numbers the others, as far as it has been asked. */
interface NsidTable {
  byNsid: Map<number, number>;
  asked: Set<number>;
  failures: number;
}

const namespaceId = (ino: number): string => `net:[${ino}]`;
const isVeth = (link: Link) => link.kind === 'veth';
/** Beyond this many candidate peers for one veth, asking all of them ahead would ask more than pairing needs. */
const MOST_CANDIDATES_ASKED_AHEAD = 4;

export class VethResolver {
  readonly #oracle: PeerOracle;
  /** Cross-namespace veth ends of mapped namespaces, by (ifindex, peer index). */
  readonly #candidates = new PairMap<SeenEnd[]>();
  readonly #tables = new Map<number, NsidTable>();

  constructor(oracle: PeerOracle) {
    this.#oracle = oracle;
    for (const ino of oracle.mapped) {
      for (const link of this.#linksOrNone(ino)) {
        if (!isVeth(link) || link.linkIndex === undefined || link.linkNetnsid === undefined) continue;
        const list = this.#candidates.get(link.ifindex, link.linkIndex);
        if (list) list.push({ ino, link });
        else this.#candidates.set(link.ifindex, link.linkIndex, [{ ino, link }]);
      }
    }
  }

  /** Pairs every veth of the mapped namespaces; each pair once, each failure with its reason. */
  pairAll(): { vethPairs: VethPair[]; unresolved: UnresolvedPeer[] } {
    return runAtOnce(this.pairSteps());
  }

  /**
   * pairAll as a scan that yields after each namespace's veths (see
   * steps.ts): confirming every pair asks the kernel twice, which on a big
   * host is too long a stretch for the event loop to wait.
   */
  *pairSteps(): Steps<{ vethPairs: VethPair[]; unresolved: UnresolvedPeer[] }> {
    if (this.#oracle.expectNsidQuestions) yield* this.#oracle.expectNsidQuestions(this.#likelyQuestions());
    const vethPairs: VethPair[] = [];
    const unresolved: UnresolvedPeer[] = [];
    const paired = new PairMap<true>(); // (namespace, ifindex) of every end paired
    for (const ino of this.#oracle.mapped) {
      for (const link of this.#linksOrNone(ino)) {
        if (!isVeth(link) || paired.has(ino, link.ifindex)) continue;
        const found = this.resolve(ino, link);
        if ('peer' in found) {
          paired.set(ino, link.ifindex, true);
          paired.set(found.peer.ino, found.peer.link.ifindex, true);
          vethPairs.push({ a: vethEnd(ino, link), b: vethEnd(found.peer.ino, found.peer.link) });
        } else {
          unresolved.push(unresolvedEnd(ino, link, found));
        }
      }
      yield;
    }
    return { vethPairs, unresolved };
  }

  /**
   * The nsid questions that pairing will ask when the candidates are right:
   * for each cross-namespace veth of N whose candidate peer namespace is M,
   * which nsid N gave M (to name M) and which M gave N (to confirm from M's
   * side). Both ways for every candidate pair, whichever end is met first.
   */
  #likelyQuestions(): Array<[observer: number, target: number]> {
    const questions: Array<[number, number]> = [];
    const seen = new PairMap<true>();
    const add = (observer: number, target: number) => {
      if (seen.has(observer, target)) return;
      seen.set(observer, target, true);
      questions.push([observer, target]);
    };
    for (const ends of this.#candidates.values()) {
      for (const { ino, link } of ends) {
        if ((link.linkNetnsid as number) < 0) continue; // no nsid: nothing to ask
        // Its candidate peers: the ends whose ifindex and peer index are its own swapped.
        // Many (a pattern repeated across namespaces) are left to be asked one by one, until found.
        const others = this.#candidates.get(link.linkIndex as number, link.ifindex) ?? [];
        if (others.length > MOST_CANDIDATES_ASKED_AHEAD) continue;
        for (const other of others) {
          if (other.ino === ino) continue;
          add(ino, other.ino);
          add(other.ino, ino);
        }
      }
    }
    return questions;
  }

  /** The other end of veth `link` of namespace `ino`, confirmed from both sides. */
  resolve(ino: number, link: Link): EndResolution {
    if (link.linkIndex === undefined) {
      return { code: 'no-peer-index', reason: 'the kernel names no peer (IFLA_LINK is absent: it is being deleted)' };
    }
    if (link.linkNetnsid === undefined) return this.#confirm(ino, link, ino);
    if (link.linkNetnsid < 0) {
      return {
        code: 'nsid-unknown',
        reason:
          `its peer is in another namespace, which ${namespaceId(ino)} ` +
          'gave no nsid (the kernel could not assign one)',
      };
    }
    const peerNamespace = this.#namespaceWithNsid(ino, link.linkNetnsid, link);
    if (typeof peerNamespace !== 'number') return peerNamespace;
    return this.#confirm(ino, link, peerNamespace);
  }

  /** M, the namespace that `observer` numbers `nsid`: likely candidates first, then the rest. */
  #namespaceWithNsid(observer: number, nsid: number, link: Link): number | EndResolution {
    const table = this.#table(observer);
    const known = table.byNsid.get(nsid);
    if (known !== undefined) return known;
    // Whether `ino` is the one: asked once per observer, every answer kept.
    const isIt = (ino: number): boolean => {
      if (ino === observer || table.asked.has(ino)) return false;
      table.asked.add(ino);
      let answer: number | undefined;
      try {
        answer = this.#oracle.nsid(observer, ino);
      } catch {
        table.failures++;
        return false;
      }
      if (answer !== undefined) table.byNsid.set(answer, ino);
      return answer === nsid;
    };
    for (const end of this.#candidates.get(link.linkIndex as number, link.ifindex) ?? []) {
      if (isIt(end.ino)) return end.ino;
    }
    for (const ino of this.#oracle.known) {
      if (isIt(ino)) return ino;
    }
    const unasked = table.failures > 0 ? ` (${table.failures} could not be asked)` : '';
    return {
      code: 'peer-namespace-not-visible',
      reason:
        `no namespace found on this host has nsid ${nsid} ` +
        `in ${namespaceId(observer)}${unasked}: its peer is in a namespace this process cannot see`,
    };
  }

  #table(observer: number): NsidTable {
    let table = this.#tables.get(observer);
    if (!table) this.#tables.set(observer, (table = { byNsid: new Map(), asked: new Set(), failures: 0 }));
    return table;
  }

  /** Accepts the link at L's peer index in `peerIno` only if it names L back. */
  #confirm(ino: number, link: Link, peerIno: number): EndResolution {
    const where = namespaceId(peerIno);
    let peerLinks: readonly Link[];
    try {
      peerLinks = this.#oracle.links(peerIno);
    } catch (error) {
      return {
        code: 'peer-namespace-unreadable',
        reason: `its peer's namespace ${where} could not be read: ` + `${(error as Error).message}`,
      };
    }
    const peer = peerLinks.find((candidate) => candidate.ifindex === link.linkIndex);
    if (!peer) {
      return { code: 'no-such-ifindex', reason: `${where} has no link with ifindex ${link.linkIndex}` };
    }
    if (!isVeth(peer)) {
      return {
        code: 'not-a-veth',
        reason: `ifindex ${peer.ifindex} in ${where} is ${peer.name}, a ${peer.kind}, not a veth`,
      };
    }
    const pointsBack = this.#pointsBack(ino, link, peerIno, peer);
    return pointsBack === true ? { peer: { ino: peerIno, link: peer } } : pointsBack;
  }

  #pointsBack(ino: number, link: Link, peerIno: number, peer: Link): true | EndResolution {
    const notBack = (why: string): EndResolution => ({
      code: 'does-not-point-back',
      reason: `${peer.name} (ifindex ${peer.ifindex} in ${namespaceId(peerIno)}) ${why}`,
    });
    if (peer.linkIndex !== link.ifindex) {
      return notBack(`names ifindex ${peer.linkIndex ?? 'none'} as its peer, not ${link.ifindex}`);
    }
    if (peerIno === ino) {
      return peer.linkNetnsid === undefined ? true : notBack('has its peer in another namespace');
    }
    if (peer.linkNetnsid === undefined) return notBack('has its peer in its own namespace');
    let back: number | undefined;
    try {
      back = this.#oracle.nsid(peerIno, ino);
    } catch (error) {
      return {
        code: 'nsid-unknown',
        reason:
          `could not ask ${namespaceId(peerIno)} which nsid it gave ` +
          `${namespaceId(ino)}: ${(error as Error).message}`,
      };
    }
    if (back === undefined) {
      return {
        code: 'nsid-unknown',
        reason:
          `${namespaceId(peerIno)} gave ${namespaceId(ino)} no nsid, ` +
          `so its peer (nsid ${peer.linkNetnsid}) cannot be this one`,
      };
    }
    return back === peer.linkNetnsid
      ? true
      : notBack(`has its peer in nsid ${peer.linkNetnsid}, but ${namespaceId(ino)} is nsid ${back} there`);
  }

  #linksOrNone(ino: number): readonly Link[] {
    try {
      return this.#oracle.links(ino);
    } catch {
      return []; // reported as the namespace's own error
    }
  }
}

function vethEnd(ino: number, link: Link): VethEnd {
  return { ns: namespaceId(ino), ifindex: link.ifindex, name: link.name };
}

function unresolvedEnd(ino: number, link: Link, why: { code: UnresolvedCode; reason: string }): UnresolvedPeer {
  const entry: UnresolvedPeer = { end: vethEnd(ino, link), reason: why.reason, code: why.code };
  if (link.linkIndex !== undefined) entry.linkIndex = link.linkIndex;
  if (link.linkNetnsid !== undefined) entry.linkNetnsid = link.linkNetnsid;
  return entry;
}
