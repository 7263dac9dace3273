// netns-native wait link|address|netns|veth: blocks until a state is reached
// (exit 0) or the timeout passes (exit 1, with the last state seen).
import { type NetnsTarget, waitForAddress, waitForLink, waitForNamespace, waitForVethPeer } from '../../index';
import { HELP_OPTION, UsageError, expectPositionals, flag, parsePid, stringOption } from '../args';
import type { Command } from '../command';
import { EXIT_OK } from '../exit-status';
import { TARGET_HELP, TARGET_OPTIONS, openTarget, targetByOption } from '../target';

/** --timeout SEC (decimal seconds) in ms; undefined: no limit. */
function timeoutOf(values: Record<string, unknown>): number | undefined {
  const text = stringOption(values as never, 'timeout');
  if (text === undefined) return undefined;
  const seconds = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (!(seconds * 1000 <= 2 ** 31 - 1)) throw new UsageError(`--timeout must be a number of seconds, got '${text}'`);
  return Math.round(seconds * 1000);
}

/** The NS of a wait, as a target the library reopens (a container's handle is held for the wait). */
async function waitTarget(
  values: Record<string, unknown>,
  positional: string | undefined,
): Promise<{ target: NetnsTarget; close(): void }> {
  const pid = stringOption(values as never, 'pid');
  const container = stringOption(values as never, 'container');
  if (pid !== undefined) return { target: { pid: parsePid(pid, '--pid') }, close: () => {} };
  if (container !== undefined) {
    const handle = await openTarget({ kind: 'container', ref: container });
    return { target: handle, close: () => handle.close() };
  }
  if (positional === undefined) throw new UsageError('missing NS');
  return { target: positional, close: () => {} };
}

const STATES = ['up', 'carrier', 'absent'] as const;

export const waitCommand: Command = {
  name: 'wait',
  synopsis: 'link|address|netns|veth ...',
  summary: 'wait for a link, an address, a namespace or a veth pair',
  help: `Usage: netns-native wait link NS IFNAME [--up|--carrier|--absent]
       netns-native wait address NS IFNAME [ADDRESS] [--settled]
       netns-native wait netns NAME [--absent]
       netns-native wait veth NS IFNAME
       (each also takes --timeout SEC)

Waits until the link IFNAME in NS exists (or is up, has carrier, is gone),
until an address is on it (with --settled: no longer tentative, IPv6 duplicate
address detection over; a failed detection ends the wait at once), until the
named namespace exists (or is gone), or until both ends of the veth IFNAME in
NS are found (its peer, in whatever namespace, confirmed from both sides; it
is printed as 'peer IFNAME ifindex N in net:[INO] NAME'). Exit status 0 once
it is so; 1 on a timeout, saying the last state seen ("eth0 exists, down, no
carrier").

${TARGET_HELP}

Options:
  --timeout SEC   give up after SEC seconds (default: wait for ever)
  -h, --help      this help`,
  options: {
    ...HELP_OPTION,
    ...TARGET_OPTIONS,
    timeout: { type: 'string' },
    up: { type: 'boolean' },
    carrier: { type: 'boolean' },
    absent: { type: 'boolean' },
    settled: { type: 'boolean' },
  },
  async run({ values, positionals }, { out }) {
    const [what, ...rest] = positionals;
    const timeout = timeoutOf(values);
    const byOption = targetByOption(values);
    const refuse = (...names: string[]) => {
      for (const name of names)
        if (flag(values, name)) throw new UsageError(`--${name} does not apply to wait ${what}`);
    };
    if (what === 'link') {
      refuse('settled');
      const [ns, ifname] = byOption ? [undefined, ...rest] : rest;
      expectPositionals(rest, byOption ? ['IFNAME'] : ['NS', 'IFNAME']);
      const chosen = STATES.filter((state) => flag(values, state));
      if (chosen.length > 1) throw new UsageError('give one of --up, --carrier, --absent');
      const { target, close } = await waitTarget(values, ns);
      try {
        await waitForLink(target, ifname as string, { state: chosen[0] ?? 'present', timeout });
      } finally {
        close();
      }
      return EXIT_OK;
    }
    if (what === 'address') {
      refuse('up', 'carrier', 'absent');
      const [ns, ifname, address] = byOption ? [undefined, ...rest] : rest;
      expectPositionals(rest, byOption ? ['IFNAME'] : ['NS', 'IFNAME'], ['ADDRESS']);
      const { target, close } = await waitTarget(values, ns);
      try {
        const found = await waitForAddress(target, {
          ifname: ifname as string,
          address,
          settled: flag(values, 'settled'),
          timeout,
        });
        out.print(`${found.address}/${found.prefixLength} dev ${found.name}`);
      } finally {
        close();
      }
      return EXIT_OK;
    }
    if (what === 'netns') {
      refuse('up', 'carrier', 'settled');
      if (byOption) throw new UsageError('wait netns takes a NAME, not --pid or --container');
      expectPositionals(rest, ['NAME']);
      await waitForNamespace(rest[0] as string, { present: !flag(values, 'absent'), timeout });
      return EXIT_OK;
    }
    if (what === 'veth') {
      refuse('up', 'carrier', 'absent', 'settled');
      const [ns, ifname] = byOption ? [undefined, ...rest] : rest;
      expectPositionals(rest, byOption ? ['IFNAME'] : ['NS', 'IFNAME']);
      const { target, close } = await waitTarget(values, ns);
      try {
        const { peer } = await waitForVethPeer(target, ifname as string, { timeout });
        const named = peer.netns.name === undefined ? '' : ` ${peer.netns.name}`;
        out.print(`peer ${peer.link.name} ifindex ${peer.link.ifindex} in net:[${peer.netns.ino}]${named}`);
      } finally {
        close();
      }
      return EXIT_OK;
    }
    throw new UsageError(what === undefined ? 'missing link, address, netns or veth' : `unknown wait '${what}'`);
  },
};
