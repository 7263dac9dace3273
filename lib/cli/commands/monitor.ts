// netns-native monitor: one line per event (`ip monitor` style, labelled with
// the namespace that sent it), or JSON lines with -J, until interrupted.
import { formatAddress } from '../../render/describe';
import { type Route, type WatchEvent, type WatchItem, type WatchKind, type WatchTarget, watch } from '../../index';
import { HELP_OPTION, JSON_OPTION, UsageError, flag, parsePid, stringOption } from '../args';
import type { Command } from '../command';
import { EXIT_OK } from '../exit-status';
import { TARGET_HELP, TARGET_OPTIONS, openTarget } from '../target';

/** Words on the command line → kinds (`netns` as `ip netns monitor` says it). */
const KIND_WORDS: Readonly<Record<string, WatchKind>> = {
  link: 'link',
  address: 'address',
  addr: 'address',
  route: 'route',
  nsid: 'nsid',
  netns: 'namespace',
};

function label(event: WatchEvent): string {
  const { netns } = event;
  const name = netns.name ?? `net:[${netns.ino}]`;
  return netns.nsid === undefined ? `[${name}]` : `[${name} nsid ${netns.nsid}]`;
}

function describeRoute(route: Route): string {
  const parts = [route.dst];
  if (route.gateway !== undefined) parts.push(`via ${route.gateway}`);
  if (route.dev !== undefined) parts.push(`dev ${route.dev}`);
  parts.push(`table ${route.table}`);
  if (route.type !== 'unicast') parts.unshift(route.type);
  return parts.join(' ');
}

/** One event as a line. */
export function eventLine(event: WatchEvent): string {
  let what = '';
  if (event.link !== undefined) {
    const link = event.link;
    what = `${link.ifindex}: ${link.name} ${link.kind} ${link.operstate} mtu ${link.mtu}`;
    if (event.to !== undefined) what += ` to nsid ${event.to.nsid ?? '?'} ifindex ${event.to.ifindex ?? '?'}`;
  } else if (event.address !== undefined) {
    what = `${formatAddress(event.address)} dev ${event.address.name}`;
    if (event.address.flags.includes('tentative')) what += ' tentative';
  } else if (event.route !== undefined) {
    what = describeRoute(event.route);
  } else if (event.nsid !== undefined) {
    what = String(event.nsid);
  }
  const changed = event.changed === undefined ? '' : ` (${event.changed.join(', ')})`;
  const synthetic = event.synthetic ? ' [synthetic]' : '';
  return `${label(event)} ${event.kind === 'namespace' ? 'netns' : event.kind} ${event.action} ${what}`
    .trimEnd()
    .concat(changed, synthetic);
}

function itemLine(item: WatchItem): string {
  if (item.kind === 'resync') return `resync: events were lost (${item.reason}); reading everything again`;
  if (item.kind === 'synced') return 'synced';
  return eventLine(item);
}

export const monitorCommand: Command = {
  name: 'monitor',
  synopsis: '[--all | NS] [link|address|route|nsid|netns ...]',
  summary: 'follow changes as they happen (ip monitor all-nsid)',
  help: `Usage: netns-native monitor [-J] [--all | NS] [KIND ...]

Prints one line per change of links, addresses, routes, nsids and namespaces
(or of the KINDs named: link, address, route, nsid, netns) in NS (by default
the caller's namespace), or with --all in every namespace on the host, also
those made later, until interrupted. Each line starts with the namespace that
sent it: [NAME nsid N]. When the kernel drops events (a full buffer), the
monitor says so, reads everything again and prints the difference, marked
[synthetic].

${TARGET_HELP}

Options:
  --all        every namespace (each gets an nsid in the caller's namespace)
  -J, --json   one JSON object per line (the library's event objects)
  -h, --help   this help`,
  options: { ...HELP_OPTION, ...JSON_OPTION, ...TARGET_OPTIONS, all: { type: 'boolean' } },
  async run({ values, positionals }, { out, json }) {
    const kinds = new Set<WatchKind>();
    const others: string[] = [];
    for (const word of positionals) {
      const kind = KIND_WORDS[word];
      if (kind !== undefined) kinds.add(kind);
      else others.push(word);
    }
    if (others.length > 1) throw new UsageError(`unexpected argument '${others[1]}'`);
    const pid = stringOption(values, 'pid');
    const container = stringOption(values, 'container');
    const given = [others[0], pid, container, flag(values, 'all') ? 'all' : undefined].filter(Boolean).length;
    if (given > 1) throw new UsageError('give one of NS, --pid, --container or --all');
    let namespaces: 'current' | 'all' | WatchTarget[] = 'current';
    let close = () => {};
    if (flag(values, 'all')) namespaces = 'all';
    else if (others[0] !== undefined) namespaces = [others[0]];
    else if (pid !== undefined) namespaces = [{ pid: parsePid(pid, '--pid') }];
    else if (container !== undefined) {
      const handle = await openTarget({ kind: 'container', ref: container });
      close = () => handle.close();
      namespaces = [handle];
    }
    const asJson = json || flag(values, 'json');
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      const watcher = watch({
        namespaces,
        kinds: kinds.size === 0 ? undefined : [...kinds],
        signal: controller.signal,
      });
      watcher.on('error', (error: Error) => out.warning(error.message));
      for await (const item of watcher) out.print(asJson ? JSON.stringify(item) : itemLine(item));
    } finally {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
      close();
    }
    return EXIT_OK;
  },
};
