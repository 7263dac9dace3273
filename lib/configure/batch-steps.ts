// The steps of a batch (configure/batch.ts): recording them, every one
// checked before anything is opened or sent, and described for errors
// ('step 7 of 9: creating veth pair ...'); and folding a step into an
// earlier one's request where the kernel does both at once.
import type { NamespaceRef } from '../ref';
import { assertMtu } from '../rtnl/fields';
import { type Cidr, parseCidr } from '../rtnl/ip-address';
import { assertInterfaceName } from '../rtnl/link-codec';
import { assertKnownKeys } from '../validate';
import { quoted } from './lookup';
import type { RouteSpec } from './model';
import { assertRoute } from './routes';
import { VETH_END_KEYS } from './veth';

/** What a batch's setLink changes: `up`, `mtu`, `master` (a name in the same namespace, or null). */
export interface BatchLinkSettings {
  up?: boolean;
  mtu?: number;
  master?: string | null;
}

/** The peer of a veth pair made in a batch: its name, its namespace (default: the step's), and whether it is up. */
export interface BatchVethPeer {
  name: string;
  ns?: NamespaceRef;
  /**
   * Set up once the pair exists (as `ip -n NS link set B up` after the
   * `ip link add`): a request of its own, since the kernel refuses to create
   * a veth peer up (ENOTCONN).
   */
  up?: boolean;
}

/** The first end of a veth pair made in a batch. */
export interface BatchVethOptions {
  /** Created up, by the creating request itself (`ip link add A up type veth ...`). */
  up?: boolean;
}

/** Records the steps of a batch, in one namespace (`in` gives the steps of another). */
export interface BatchSteps {
  /**
   * `ip link add NAME [up] type veth peer name PEER [netns NS]`: NAME here,
   * the peer here or in `peer.ns`. `options.up` creates NAME up;
   * `peer.up` sets the peer up afterwards (`ip [-n NS] link set PEER up`).
   */
  createVeth(name: string, peer: BatchVethPeer, options?: BatchVethOptions): BatchSteps;
  /** `ip link add NAME type bridge`. */
  createBridge(name: string): BatchSteps;
  /** `ip link set NAME [up|down] [mtu N] [master BR|nomaster]`. */
  setLink(ifname: string, settings: BatchLinkSettings): BatchSteps;
  /** `ip addr add CIDR dev NAME`. */
  addAddress(ifname: string, cidr: string): BatchSteps;
  /** `ip route add TO [via GW] [dev NAME] [metric N]`. */
  addRoute(route: RouteSpec): BatchSteps;
  /** The same steps, done in another namespace (a handle), in the same batch. */
  in(ns: NamespaceRef): BatchSteps;
}

/** How a batch went: its steps, the requests it sent, and how often it read the answers. */
export interface BatchResult {
  steps: number;
  requests: number;
}

const LINK_SETTINGS = new Set(['up', 'mtu', 'master']);
const VETH_OPTION_KEYS = new Set(['up']);

function assertBatchLinkSettings(ifname: unknown, settings: unknown): asserts settings is BatchLinkSettings {
  assertInterfaceName(ifname);
  if (typeof settings !== 'object' || settings === null) {
    throw new TypeError('settings must be an object { up?, mtu?, master? }');
  }
  const given = Object.keys(settings).filter((key) => (settings as Record<string, unknown>)[key] !== undefined);
  const unknown = given.filter((key) => !LINK_SETTINGS.has(key));
  if (unknown.length > 0) {
    throw new TypeError(`unknown batch link setting(s): ${unknown.join(', ')} (known: up, mtu, master)`);
  }
  if (given.length === 0) throw new TypeError('setLink needs at least one of up, mtu, master');
  const { up, mtu, master } = settings as BatchLinkSettings;
  if (up !== undefined && typeof up !== 'boolean') throw new TypeError(`up must be a boolean, got ${typeof up}`);
  if (mtu !== undefined) assertMtu(mtu);
  if (master !== undefined && master !== null) assertInterfaceName(master, 'master');
}

export type StepSpec =
  | { kind: 'veth'; name: string; peer: string; peerNs: NamespaceRef; up?: boolean; peerUp?: boolean }
  | { kind: 'bridge'; name: string }
  | { kind: 'link'; name: string; settings: BatchLinkSettings }
  | { kind: 'address'; name: string; cidr: string; parsed: Cidr }
  | { kind: 'route'; route: RouteSpec };

export interface Step {
  ns: NamespaceRef;
  spec: StepSpec;
  /** Done by an earlier step's request (see foldUps): nothing of its own is sent. */
  folded?: boolean;
  /** 'step 3 of 7: creating ...', for errors. */
  doing: string;
}

export function describe(ns: NamespaceRef, spec: StepSpec): string {
  const here = `in ${ns.id}`;
  switch (spec.kind) {
    case 'veth':
      return `creating veth pair ${quoted(spec.name)} in ${ns.id} and ${quoted(spec.peer)} in ${spec.peerNs.id}`;
    case 'bridge':
      return `creating bridge ${quoted(spec.name)} ${here}`;
    case 'link':
      return `setting ${quoted(spec.name)} ${JSON.stringify(spec.settings)} ${here}`;
    case 'address':
      return `adding ${spec.cidr} to ${quoted(spec.name)} ${here}`;
    case 'route':
      return `adding route ${spec.route.to}${spec.route.via ? ` via ${spec.route.via}` : ''}${spec.route.dev ? ` dev ${spec.route.dev}` : ''} ${here}`;
  }
}

/** Runs the recorder and checks every step, before anything is opened or sent. */
export function record(home: NamespaceRef, recorder: (steps: BatchSteps) => void): Array<Omit<Step, 'doing'>> {
  if (typeof recorder !== 'function') throw new TypeError('batch needs a function that records the steps');
  const recorded: Array<Omit<Step, 'doing'>> = [];
  let open = true;
  const stepsIn = (ns: NamespaceRef): BatchSteps => {
    const add = (spec: StepSpec): BatchSteps => {
      if (!open) throw new TypeError('a batch records steps only while its function runs');
      recorded.push({ ns, spec });
      return steps;
    };
    const steps: BatchSteps = {
      createVeth(name, peer, options = {}) {
        assertInterfaceName(name, 'veth name');
        if (typeof peer !== 'object' || peer === null) throw new TypeError('peer must be an object { name, ns?, up? }');
        assertKnownKeys(peer, VETH_END_KEYS, 'veth peer');
        assertInterfaceName(peer.name, 'veth peer name');
        if (peer.ns !== undefined) assertNamespaceRef(peer.ns);
        assertOptionalBoolean(peer.up, 'veth peer up');
        if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object { up? }');
        assertKnownKeys(options, VETH_OPTION_KEYS, 'veth option');
        assertOptionalBoolean(options.up, 'veth up');
        return add({
          kind: 'veth',
          name,
          peer: peer.name,
          peerNs: peer.ns ?? ns,
          up: options.up === true,
          peerUp: peer.up === true,
        });
      },
      createBridge(name) {
        assertInterfaceName(name, 'bridge name');
        return add({ kind: 'bridge', name });
      },
      setLink(ifname, settings) {
        assertBatchLinkSettings(ifname, settings);
        return add({ kind: 'link', name: ifname, settings: { ...settings } });
      },
      addAddress(ifname, cidr) {
        assertInterfaceName(ifname);
        const parsed = parseCidr(cidr, { what: 'address' });
        return add({ kind: 'address', name: ifname, cidr, parsed });
      },
      addRoute(route) {
        assertRoute(route);
        return add({ kind: 'route', route: { ...route } });
      },
      in(other) {
        assertNamespaceRef(other);
        return stepsIn(other);
      },
    };
    return steps;
  };
  try {
    const returned: unknown = recorder(stepsIn(home));
    if (returned instanceof Promise || (typeof returned === 'object' && returned !== null && 'then' in returned)) {
      throw new TypeError('a batch records its steps synchronously: the function must not be async');
    }
  } finally {
    open = false;
  }
  return recorded;
}

function assertOptionalBoolean(value: unknown, what: string): void {
  if (value !== undefined && typeof value !== 'boolean')
    throw new TypeError(`${what} must be a boolean, got ${typeof value}`);
}

function assertNamespaceRef(ns: unknown): asserts ns is NamespaceRef {
  const candidate = ns as Partial<NamespaceRef> | null;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.enter !== 'function') {
    throw new TypeError('a namespace for a batch step must be a NetNamespace');
  }
}

/** The interface names a step acts on or refers to, in its own namespace. */
function namesIn(spec: StepSpec): string[] {
  switch (spec.kind) {
    case 'veth':
      return [spec.name, spec.peer];
    case 'link':
      return typeof spec.settings.master === 'string' ? [spec.name, spec.settings.master] : [spec.name];
    case 'route':
      return spec.route.dev === undefined ? [] : [spec.route.dev];
    default:
      return [spec.name];
  }
}

/**
 * `setLink(X, { up: true })` on the first end of a veth pair this batch
 * creates, with no step in between that names X, is done by the creation
 * itself (X is created up: one request fewer, and the same end state). The step
 * keeps its number; a refused creation names the creation.
 *
 * One pass, remembering the last step that named each name (in any
 * namespace): a fold needs that step to be X's creation, as the first end
 * (the kernel opens a peer before the two are joined, and veth_open refuses
 * that: ENOTCONN), in the same namespace. A batch of hundreds of pairs went
 * back over every earlier step for each `up` before.
 */
export function foldUps(steps: Step[]): void {
  const lastNaming = new Map<string, Step>();
  for (const step of steps) {
    const { spec } = step;
    if (spec.kind === 'link' && spec.settings.up === true && onlyUp(spec.settings)) {
      const earlier = lastNaming.get(spec.name);
      const created = earlier?.spec;
      if (created?.kind === 'veth' && created.name === spec.name && earlier!.ns.equals(step.ns)) {
        created.up = true;
        step.folded = true;
      }
    }
    for (const name of namesIn(spec)) lastNaming.set(name, step);
  }
}

function onlyUp(settings: BatchLinkSettings): boolean {
  for (const key in settings) if (key !== 'up') return false;
  return true;
}
