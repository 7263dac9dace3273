// The words every renderer uses for a namespace, an interface and an address,
// so that the text tree, DOT and Mermaid say the same thing the same way.
// Everything returned here has been through visibleText: safe to display,
// though each output format still applies its own quoting.
import type { Address, Link } from '../rtnl/model';
import type { ContainerRef, TopologyNamespace } from '../topology/model';
import { compareText } from './order';
import { truncate, visibleText } from './visible';

/** How many pids a header lists before "+N more". */
const MAX_PIDS = 5;
/** Command lines (a java or node invocation) can be kilobytes long. */
const MAX_COMMAND = 60;
/** Docker shows 12 hex digits of a container id. */
const SHORT_CONTAINER_ID = 12;

/** plotnetcfg's three fills: down (grey), up without carrier (pink), up and running (green). */
export type LinkState = 'up' | 'no-carrier' | 'down';

export function linkState(link: Link): LinkState {
  if (!link.up) return 'down';
  const carrier = link.flags.includes('LOWER_UP') || link.operstate === 'UP';
  return carrier ? 'up' : 'no-carrier';
}

/** As ip prints it: `10.0.0.1/24`, or `10.0.0.1 peer 10.0.0.2/32` for a point-to-point address. */
export function formatAddress(address: Address): string {
  const text =
    address.peer !== undefined
      ? `${address.address} peer ${address.peer}/${address.prefixLength}`
      : `${address.address}/${address.prefixLength}`;
  return visibleText(text);
}

/** `eth0 (veth)`: plotnetcfg's node headline, the name and its driver. */
export function linkHeadline(link: Link): string {
  return `${visibleText(link.name)} (${visibleText(link.kind)})`;
}

/** The MTU is worth showing only when it is unusual (plotnetcfg's rule): not 1500, not on loopback. */
export function unusualMtu(link: Link): number | undefined {
  return link.mtu !== 1500 && link.kind !== 'loopback' ? link.mtu : undefined;
}

export function operstateText(link: Link): string {
  return visibleText(link.operstate);
}

/** `net:[4026531840]`, with `(current)` for the namespace that made the map. */
export function namespaceHeadline(ns: TopologyNamespace): string {
  return ns.current === true ? `${visibleText(ns.id)} (current)` : visibleText(ns.id);
}

/**
 * What identifies a namespace to a person, one `key: value` per entry: its
 * names, container, pids and command; its nsfs mounts only when it has no name
 * (a name is itself a mount under the run dir).
 */
export function namespaceFacts(ns: TopologyNamespace): string[] {
  const facts: string[] = [];
  if (ns.names.length > 0) facts.push(`names: ${listText(ns.names)}`);
  if (ns.container !== undefined) facts.push(`container: ${containerText(ns.container)}`);
  if (ns.pids.length > 0) facts.push(`pids: ${pidsText(ns.pids)}`);
  if (ns.command !== undefined && ns.command !== '')
    facts.push(`cmd: ${visibleText(truncate(ns.command, MAX_COMMAND))}`);
  if (ns.names.length === 0 && ns.nsfs.length > 0) facts.push(`nsfs: ${listText(ns.nsfs)}`);
  return facts;
}

/**
 * A short way to tell which namespace a veth's other end is in, after its id:
 * its container, else its names, else "current", else its first pid. The
 * container first: Podman names each of its namespaces netns-<uuid> in the run
 * dir (Docker keeps its own elsewhere), and the name says less than the container.
 */
export function namespaceAlias(ns: TopologyNamespace): string | undefined {
  if (ns.container !== undefined) return `container ${visibleText(ns.container.name || ns.container.id)}`;
  if (ns.names.length > 0) return listText(ns.names);
  if (ns.current === true) return 'current';
  const first = sortedPids(ns.pids)[0];
  return first === undefined ? undefined : `pid ${first}`;
}

/** `EACCES: permission denied`, without repeating a code the message already starts with. */
export function errorText(error: { code: string; message: string }): string {
  const text = error.message.startsWith(error.code) ? error.message : `${error.code}: ${error.message}`;
  return visibleText(text);
}

function containerText(container: ContainerRef): string {
  const name = container.name || container.id;
  const id = container.id.slice(0, SHORT_CONTAINER_ID);
  const origin = [container.runtime, id].filter((part) => part !== undefined && part !== '').join(' ');
  return visibleText(origin === '' || id === name ? name : `${name} (${origin})`);
}

/** `1, 523, 870 +38 more` in ascending order. */
export function pidsText(pids: readonly number[]): string {
  const sorted = sortedPids(pids);
  const shown = sorted.slice(0, MAX_PIDS).join(', ');
  return sorted.length > MAX_PIDS ? `${shown} +${sorted.length - MAX_PIDS} more` : shown;
}

function sortedPids(pids: readonly number[]): number[] {
  return [...pids].sort((a, b) => a - b);
}

/** Names and mount paths are sets: sorted, so that the output does not depend on discovery order. */
function listText(items: readonly string[]): string {
  return [...items].sort(compareText).map(visibleText).join(', ');
}
