// Waits built on watch(): subscribe first, then check, then check again on
// every event and after every resync, so that no change slips between the
// look and the subscription. A timeout rejects with the last state seen.
import { formatAddress, parseCidr } from '../rtnl/ip-address';
import { assertInterfaceName } from '../rtnl/link-codec';
import type { Address, Link } from '../rtnl/model';
import type { WatchEvent } from './events';
import { type WatchTarget, assertTarget } from './targets';
import { WaitTimeoutError, assertWaitOptions, settleWait } from './wait-common';
import { watch } from './watcher';

export type LinkState = 'present' | 'absent' | 'up' | 'carrier';
const LINK_STATES: readonly LinkState[] = ['present', 'absent', 'up', 'carrier'];

export interface WaitOptions {
  /** Milliseconds; default: no limit. */
  timeout?: number;
  signal?: AbortSignal;
}

export interface WaitForLinkOptions extends WaitOptions {
  /** Default 'present'. 'carrier': up with its lower layer up (LOWER_UP). */
  state?: LinkState;
}

export interface WaitForAddressOptions extends WaitOptions {
  ifname: string;
  /** The address, with or without /PREFIX; default: any address on the link. */
  address?: string;
  /** Wait until it is no longer tentative (IPv6 DAD over); a failed DAD rejects at once. */
  settled?: boolean;
}

const hasCarrier = (link: Link) => link.flags.includes('LOWER_UP');

/** "eth0 exists, down, no carrier", as a timeout tells it. */
export function describeLink(ifname: string, link: Link | undefined): string {
  if (link === undefined) return `${ifname} does not exist`;
  return `${ifname} exists, ${link.up ? 'up' : 'down'}, ${hasCarrier(link) ? 'carrier' : 'no carrier'}`;
}

function linkReached(link: Link | undefined, state: LinkState): boolean {
  switch (state) {
    case 'present':
      return link !== undefined;
    case 'absent':
      return link === undefined;
    case 'up':
      return link?.up === true;
    case 'carrier':
      return link !== undefined && link.up && hasCarrier(link);
  }
}

/**
 * Resolves once link `ifname` in `target` is in `state` (with the link, or
 * undefined for 'absent'); rejects with a WaitTimeoutError carrying the last
 * state seen, or the signal's reason.
 */
export async function waitForLink(
  target: WatchTarget,
  ifname: string,
  options: WaitForLinkOptions = {},
): Promise<Link | undefined> {
  assertTarget(target);
  assertInterfaceName(ifname, 'ifname');
  assertWaitOptions(options);
  const state = options.state ?? 'present';
  if (!LINK_STATES.includes(state)) throw new TypeError(`state must be one of ${LINK_STATES.join(', ')}`);
  const watcher = watch({ namespaces: [target], kinds: ['link', 'namespace'] });
  const { netns } = watcher.snapshot()[0]!;
  let last = '';
  return settleWait<Link | undefined>(watcher, options, {
    what: `${ifname} to be ${state}`,
    lastState: () => last,
    check: (event?: WatchEvent) => {
      if (event?.kind === 'namespace' && event.action === 'delete') {
        if (state === 'absent') return { done: true, value: undefined };
        return { error: new Error(`the namespace of ${ifname} went away while waiting for it to be ${state}`) };
      }
      const link = watcher.modelOf(netns.ino)?.link(ifname);
      last = describeLink(ifname, link);
      return linkReached(link, state) ? { done: true, value: link } : undefined;
    },
  });
}

/**
 * Resolves with the address once it is on `ifname` (and, with `settled`, no
 * longer tentative). A failed DAD (IFA_F_DADFAILED) rejects at once; a
 * timeout's error says why DAD may not end ("no carrier").
 */
export async function waitForAddress(target: WatchTarget, options: WaitForAddressOptions): Promise<Address> {
  assertTarget(target);
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  assertInterfaceName(options.ifname, 'ifname');
  assertWaitOptions(options);
  let wanted: { address: string; prefixLength?: number } | undefined;
  if (options.address !== undefined) {
    const cidr = parseCidr(options.address, { requirePrefix: false, what: 'address' });
    wanted = { address: formatAddress(cidr.family, cidr.address) };
    if (options.address.includes('/')) wanted.prefixLength = cidr.prefixLength;
  }
  const { ifname, settled = false } = options;
  const label = wanted === undefined ? `an address on ${ifname}` : `${options.address} on ${ifname}`;
  const watcher = watch({ namespaces: [target], kinds: ['link', 'address', 'namespace'] });
  const { netns } = watcher.snapshot()[0]!;
  let last = '';
  return settleWait<Address>(watcher, options, {
    what: `${label}${settled ? ' to settle' : ''}`,
    lastState: () => last,
    check: (event?: WatchEvent) => {
      if (event?.kind === 'namespace' && event.action === 'delete') {
        return { error: new Error(`the namespace went away while waiting for ${label}`) };
      }
      const model = watcher.modelOf(netns.ino);
      const link = model?.link(ifname);
      if (link === undefined) {
        last = `${ifname} does not exist`;
        return undefined;
      }
      const found = model!
        .addressesOf(link.ifindex)
        .find(
          (address) =>
            wanted === undefined ||
            (address.address === wanted.address &&
              (wanted.prefixLength === undefined || address.prefixLength === wanted.prefixLength)),
        );
      if (found === undefined) {
        last = `${ifname} has no ${wanted === undefined ? 'address' : `address ${options.address}`}`;
        return undefined;
      }
      if (found.flags.includes('dadfailed')) {
        return { error: new Error(`duplicate address detection failed for ${found.address} on ${ifname}`) };
      }
      if (settled && found.flags.includes('tentative')) {
        last =
          `${found.address} on ${ifname} is tentative` +
          (hasCarrier(link) ? '' : ` (${describeLink(ifname, link)}: DAD waits for carrier)`);
        return undefined;
      }
      return { done: true, value: found };
    },
  });
}

export { WaitTimeoutError };
