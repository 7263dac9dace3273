// A batch: many changes sent in one go, all or nothing. The steps are
// recorded and checked first (bad input is refused before anything is
// sent), then sent in order, each with NLM_F_ACK, without waiting for the
// answers: rtnetlink does a request in the sender's context, so by the time
// send() returns the change is made (or refused) and its ack waits in the
// socket's queue. The acks are read only when a step needs an ifindex that an
// earlier step's answer gives (an address on a link the batch created: its
// index comes from the creation's echo), when the queued answers near the
// socket's receive buffer, and at the end. Consecutive steps on one socket
// go out in one datagram (RtnlSocket.post/flush); a `setLink(X, {up: true})`
// right after X's creation is done by the creation (batch-steps.ts, foldUps).
//
// Links are named by name wherever the kernel takes a name (setLink up and
// mtu, deletes: ifi_index 0 + IFLA_IFNAME). A link the batch did not create
// is looked up once per batch (its old state is what a rollback puts back);
// one it created needs no lookup and no undo of its settings: deleting it
// takes them along. But a change by name to a link the batch creates waits
// for that creation's answer: a refused creation (EEXIST) would otherwise
// let the change land on the link that already had the name, which no undo
// would put back. The peer of a veth asked `up` is set up the same way,
// after its creation's answer (the kernel refuses to create a peer up), and
// late: just before the next step in the peer's namespace that is not a
// creation, or at the end, so that the peers of many pairs come up
// together. One at a time right after each creation cost 10-15% more at 100
// pairs (measured with plain setLink steps in either order): the kernel's
// work as each pair gets its carrier then falls between the creations.
//
// A refusal is found when its ack is read; by then later steps may have been
// made too. Every answer still queued is read, each step that was made is
// undone, last first, and the error names the step that was refused.
import type { NetnsError } from '../errors';
import type { NamespaceRef } from '../ref';
import { addAddressRequest, deleteAddressRequest } from '../rtnl/addr-codec';
import { createBridgeRequest, createVethRequest, setLinkRequest } from '../rtnl/link-codec';
import type { Link } from '../rtnl/model';
import { readLink } from '../rtnl/read';
import { addRouteRequest, deleteRouteRequest } from '../rtnl/route-codec';
import { type Operation, RtnlSocket } from '../rtnl/transport';
import type { NetlinkMessage } from '../rtnl/wire';
import { type BatchResult, type BatchSteps, type Step, describe, foldUps, record } from './batch-steps';
import { echoedLink } from './echo';
import { deleteByName } from './links';
import { quoted } from './lookup';
import { Rollback } from './rollback';

export type { BatchLinkSettings, BatchResult, BatchSteps, BatchVethOptions, BatchVethPeer } from './batch-steps';

/**
 * How much of a socket's receive buffer an unread answer takes, by the
 * kernel's accounting (measured on 6.18 from /proc/net/netlink's Rmem: a
 * veth creation's echo and ack 3.1 KiB, an ack 0.8 KiB), with room to
 * spare. Unread answers may fill half the buffer the kernel granted; past
 * that they are read before more is sent, so none is dropped (a dropped ack
 * would lose track of what was done).
 */
const ECHO_COST = 4 * 1024;
const ACK_COST = 1024;
/** What a batch asks of a socket's receive buffer (the kernel caps it at rmem_max). */
export const BATCH_RECEIVE_BUFFER = 1024 * 1024;

interface Posted {
  socket: RtnlSocket;
  seq: number;
  operation: Operation;
  index: number;
  /** Called with the answer's data when it was accepted: learns indices, registers the undo. */
  accepted: (data: NetlinkMessage[]) => void;
}

class Run {
  readonly #sockets = new Map<string, RtnlSocket>();
  /**
   * Links this batch creates, by namespace id and name: whether the
   * creation's answer was read (it was made), and the ifindex its echo gave.
   */
  readonly #created = new Map<string, { answered: boolean; ifindex?: number }>();
  /** Links found by lookup (not created here), by namespace id and name. */
  readonly #found = new Map<string, Link>();
  readonly #undos: Array<{ what: string; run: () => void } | undefined> = [];
  /** Veth peers to set up, by namespace id: sent before the next step there (upsIn), or at the end. */
  readonly #pendingUps = new Map<string, Array<() => void>>();
  #unread: Posted[] = [];
  #unreadCost = 0;
  /** The socket the last request was posted on (its queue may be unsent). */
  #lastSocket: RtnlSocket | undefined;
  /** Half the smallest receive buffer of the sockets in use. */
  #budget = Infinity;
  requests = 0;

  socketOf(ns: NamespaceRef): RtnlSocket {
    let socket = this.#sockets.get(ns.id);
    if (socket === undefined) {
      socket = RtnlSocket.of(ns);
      this.#budget = Math.min(this.#budget, socket.growReceiveBuffer(BATCH_RECEIVE_BUFFER) / 2);
      this.#sockets.set(ns.id, socket);
    }
    return socket;
  }

  close(): void {
    for (const socket of this.#sockets.values()) socket[Symbol.dispose]();
  }

  isCreated(ns: NamespaceRef, name: string): boolean {
    return this.#created.has(`${ns.id}/${name}`);
  }

  /** Registers what sets a new veth peer up, to be sent later (see upsIn). */
  pendingUp(ns: NamespaceRef, post: () => void): void {
    const pending = this.#pendingUps.get(ns.id);
    if (pending === undefined) this.#pendingUps.set(ns.id, [post]);
    else pending.push(post);
  }

  /** Sends the pending ups of a namespace (undefined: of every namespace), before a step there. */
  upsIn(ns: NamespaceRef | undefined): void {
    if (this.#pendingUps.size === 0) return;
    const ids = ns === undefined ? [...this.#pendingUps.keys()] : [ns.id];
    for (const id of ids) {
      const pending = this.#pendingUps.get(id);
      if (pending === undefined) continue;
      this.#pendingUps.delete(id);
      for (const post of pending) post();
    }
  }

  /** A link this batch creates is made: its creation's answer is read (a refusal throws). */
  confirmCreated(ns: NamespaceRef, name: string): void {
    if (this.#created.get(`${ns.id}/${name}`)?.answered === false) this.readAll();
  }

  /** The ifindex of a link by name: created here (read from its echo), or looked up once. */
  indexOf(ns: NamespaceRef, name: string, doing: string): number {
    this.confirmCreated(ns, name);
    const known = this.#created.get(`${ns.id}/${name}`)?.ifindex;
    return known ?? this.linkOf(ns, name, doing).ifindex;
  }

  /** A link the batch did not create, as it was when first needed (for undos). */
  linkOf(ns: NamespaceRef, name: string, doing: string): Link {
    const key = `${ns.id}/${name}`;
    let link = this.#found.get(key);
    if (link === undefined) {
      // A lookup is a request of its own: the answers queued before it are read first.
      this.readAll();
      link = readLink(this.socketOf(ns), name, doing);
      this.#found.set(key, link);
    }
    return link;
  }

  /** A creation was sent (answered false), or its answer read (with the echoed ifindex, if any). */
  created(ns: NamespaceRef, name: string, answered: boolean, ifindex?: number): void {
    this.#created.set(`${ns.id}/${name}`, { answered, ifindex });
  }

  undo(index: number, what: string, run: () => void): void {
    this.#undos[index] = { what, run };
  }

  post(posted: Omit<Posted, 'seq'> & { build: (seq: number) => Buffer; echoes?: boolean }): void {
    const cost = posted.echoes ? ECHO_COST : ACK_COST;
    if (this.#unreadCost + cost > this.#budget) this.readAll();
    // Requests queued on another socket go out first: a step may act on what an earlier one made.
    if (this.#lastSocket !== posted.socket) this.#lastSocket?.flush();
    this.#lastSocket = posted.socket;
    const seq = posted.socket.post(posted.build);
    this.requests++;
    // Fields named one by one: an object spread per request showed in a 100-pair batch's profile.
    const { socket, operation, index, accepted } = posted;
    this.#unread.push({ socket, seq, operation, index, accepted });
    this.#unreadCost += cost;
  }

  /** Reads every queued answer, in the order sent; throws the first refusal once all are read. */
  readAll(): void {
    this.#lastSocket?.flush();
    const unread = this.#unread;
    this.#unread = [];
    this.#unreadCost = 0;
    let refused: NetnsError | undefined;
    for (const posted of unread) {
      const answer = posted.socket.readAck(posted.seq, posted.operation);
      if (answer.error === undefined) posted.accepted(answer.data);
      else refused ??= answer.error;
    }
    if (refused !== undefined) throw refused;
  }

  /** Undoes what was made, last step first; returns the error to throw. */
  rollBack(error: unknown): unknown {
    try {
      this.readAll(); // what is still queued was made too (or refused): learn which
    } catch {
      // A later refusal: the first one is the error to report.
    }
    const rollback = new Rollback();
    for (const undo of this.#undos) if (undo !== undefined) rollback.add(undo.what, undo.run);
    return rollback.undo(error);
  }
}

function send(run: Run, step: Step, index: number): void {
  const { ns, spec } = step;
  // A step that can depend on link state sees the veth peers asked up in its
  // namespace up; a creation depends on none, and sending them before each
  // would read every queued answer per pair.
  if (spec.kind !== 'veth' && spec.kind !== 'bridge') run.upsIn(ns);
  const socket = run.socketOf(ns);
  const operation = (what: string, subject: string): Operation => ({ what, subject, step: step.doing });
  switch (spec.kind) {
    case 'veth': {
      const away = spec.peerNs.equals(ns) ? undefined : spec.peerNs.fd;
      run.created(ns, spec.name, false);
      run.created(spec.peerNs, spec.peer, false);
      run.post({
        socket,
        index,
        echoes: true,
        operation: operation('RTM_NEWLINK', spec.name),
        build: (seq) =>
          createVethRequest(seq, { name: spec.name, up: spec.up }, { name: spec.peer, nsFd: away }, { echo: true }),
        accepted(data) {
          const made = echoedLink(data, spec.name);
          run.created(ns, spec.name, true, made?.ifindex);
          // IFLA_LINK is the peer's index; older kernels leave it out when both are equal.
          run.created(spec.peerNs, spec.peer, true, made === undefined ? undefined : (made.linkIndex ?? made.ifindex));
          run.undo(index, `the creation of ${quoted(spec.name)}/${quoted(spec.peer)}`, () =>
            deleteByName(socket, spec.name, 'deleting the new pair again'),
          );
        },
      });
      if (spec.peerUp === true) {
        run.pendingUp(spec.peerNs, () => {
          // After the creation's answer: the name is then surely the new peer's.
          run.confirmCreated(spec.peerNs, spec.peer);
          run.post({
            socket: run.socketOf(spec.peerNs),
            index,
            operation: {
              what: 'RTM_NEWLINK',
              subject: spec.peer,
              step: `${step.doing}: setting ${quoted(spec.peer)} up`,
            },
            build: (seq) => setLinkRequest(seq, { name: spec.peer }, { up: true }),
            accepted: () => undefined,
          });
        });
      }
      return;
    }
    case 'bridge':
      run.created(ns, spec.name, false);
      run.post({
        socket,
        index,
        echoes: true,
        operation: operation('RTM_NEWLINK', spec.name),
        build: (seq) => createBridgeRequest(seq, spec.name, { echo: true }),
        accepted(data) {
          run.created(ns, spec.name, true, echoedLink(data, spec.name)?.ifindex);
          run.undo(index, `the creation of bridge ${quoted(spec.name)}`, () =>
            deleteByName(socket, spec.name, 'deleting the new bridge again'),
          );
        },
      });
      return;
    case 'link': {
      const { up, mtu, master } = spec.settings;
      const masterIndex = master === undefined ? undefined : master === null ? 0 : run.indexOf(ns, master, step.doing);
      if (!run.isCreated(ns, spec.name)) {
        // Registered before it is sent: setting old values back is harmless if
        // nothing changed, and covers a master the kernel left before refusing the new one.
        const old = run.linkOf(ns, spec.name, step.doing);
        const restore = {
          up: up === undefined || up === old.up ? undefined : old.up,
          mtu: mtu === undefined || mtu === old.mtu ? undefined : old.mtu,
          masterIndex: masterIndex === undefined ? undefined : (old.masterIndex ?? 0),
        };
        if (Object.values(restore).some((value) => value !== undefined)) {
          run.undo(index, `setting ${quoted(spec.name)} ${JSON.stringify(spec.settings)}`, () => {
            socket.request({ what: 'RTM_NEWLINK', subject: spec.name, step: `undoing ${step.doing}` }, (seq) =>
              setLinkRequest(seq, old.ifindex, restore),
            );
          });
        }
      } else {
        run.confirmCreated(ns, spec.name);
      }
      run.post({
        socket,
        index,
        operation: operation('RTM_NEWLINK', spec.name),
        build: (seq) => setLinkRequest(seq, { name: spec.name }, { up, mtu, masterIndex }),
        accepted: () => undefined,
      });
      return;
    }
    case 'address': {
      const cidr = spec.parsed;
      const ifindex = run.indexOf(ns, spec.name, step.doing);
      run.post({
        socket,
        index,
        operation: operation('RTM_NEWADDR', `${spec.cidr} dev ${spec.name}`),
        build: (seq) => addAddressRequest(seq, ifindex, cidr),
        accepted() {
          run.undo(index, `adding ${spec.cidr} to ${quoted(spec.name)}`, () =>
            socket.request(
              { what: 'RTM_DELADDR', subject: `${spec.cidr} dev ${spec.name}`, step: `undoing ${step.doing}` },
              (seq) => deleteAddressRequest(seq, ifindex, cidr),
            ),
          );
        },
      });
      return;
    }
    case 'route': {
      const { dev, ...rest } = spec.route;
      const route = { ...rest, dev: dev === undefined ? undefined : run.indexOf(ns, dev, step.doing) };
      run.post({
        socket,
        index,
        operation: operation('RTM_NEWROUTE', spec.route.to),
        build: (seq) => addRouteRequest(seq, route),
        accepted() {
          run.undo(index, `adding route ${spec.route.to}`, () =>
            socket.request({ what: 'RTM_DELROUTE', subject: spec.route.to, step: `undoing ${step.doing}` }, (seq) =>
              deleteRouteRequest(seq, route),
            ),
          );
        },
      });
      return;
    }
  }
}

/**
 * Records the steps `recorder` gives, checks them all, then sends them
 * pipelined and all or nothing (see the top of this file). Steps are done in
 * the order recorded; `steps.in(other)` records steps done in another namespace.
 */
export function batchIn(ns: NamespaceRef, recorder: (steps: BatchSteps) => void): BatchResult {
  const recorded = record(ns, recorder);
  const steps: Step[] = recorded.map((step, i) => ({
    ns: step.ns,
    spec: step.spec,
    doing: `step ${i + 1} of ${recorded.length}: ${describe(step.ns, step.spec)}`,
  }));
  foldUps(steps);
  const run = new Run();
  try {
    try {
      steps.forEach((step, index) => {
        if (!step.folded) send(run, step, index);
      });
      run.upsIn(undefined);
      run.readAll();
    } catch (error) {
      throw run.rollBack(error);
    }
    return { steps: steps.length, requests: run.requests };
  } finally {
    run.close();
  }
}
