// What a namespace holds, read over one rtnetlink socket made there: links,
// addresses, routes, shaped as `ip -j -d link | addr | route` show them.
import type { IpFamily } from './ip-address';
import { parseAddressDump, addressDumpRequest } from './addr-codec';
import { getLinkByNameRequest, linkDumpRequest, linkNames, parseLinkDump, parseLinkMessage } from './link-codec';
import type { Address, Link, Route, RouteQuery } from './model';
import { isSingleRouteOutOf, parseRouteDump, parseRouteMessage, routeDumpRequest } from './route-codec';
import { type DumpResult, type Enterable, type Operation, RtnlSocket } from './transport';
import type { NetlinkMessage } from './wire';
import { type Steps, runAtOnce } from '../steps';

function dumped(socket: RtnlSocket, operation: Operation, build: (seq: number) => Buffer): DumpResult['messages'] {
  return warnedIfInterrupted(operation, socket.dump(operation, build));
}

function warnedIfInterrupted(operation: Operation, { messages, interrupted }: DumpResult): DumpResult['messages'] {
  if (interrupted) {
    process.emitWarning(
      `${operation.what} dump still raced changes after retries: ` + 'the result may be inconsistent',
      { code: 'NETNS_DUMP_INTERRUPTED' },
    );
  }
  return messages;
}

const LINKS: Operation = { what: 'RTM_GETLINK' };
const ADDRESSES: Operation = { what: 'RTM_GETADDR' };

export function readLinks(socket: RtnlSocket): Link[] {
  return runAtOnce(readLinksSteps(socket));
}

/** readLinks() as steps (steps.ts), for scans run in slices: yields between the dump's datagrams. */
export function* readLinksSteps(socket: RtnlSocket): Steps<Link[]> {
  return parseLinkDump(warnedIfInterrupted(LINKS, yield* socket.dumpSteps(LINKS, (seq) => linkDumpRequest(seq))));
}

/**
 * The link called `name` (RTM_GETLINK, no dump): ENODEV naming it when there
 * is none. `step` says what for, in errors of composite changes.
 */
export function readLink(socket: RtnlSocket, name: string, step?: string): Link {
  const [reply] = socket.request({ what: 'RTM_GETLINK', subject: name, step }, (seq) =>
    getLinkByNameRequest(seq, name, { ack: true }),
  );
  if (reply === undefined) throw new Error(`netlink: RTM_GETLINK '${name}' was acked without an answer`);
  return parseLinkMessage(reply);
}

export function readAddresses(socket: RtnlSocket, links: readonly Link[] = readLinks(socket)): Address[] {
  return runAtOnce(readAddressesSteps(socket, links));
}

/** readAddresses() as steps (see readLinksSteps). */
export function* readAddressesSteps(socket: RtnlSocket, links: readonly Link[]): Steps<Address[]> {
  const dump = yield* socket.dumpSteps(ADDRESSES, (seq) => addressDumpRequest(seq));
  return parseAddressDump(warnedIfInterrupted(ADDRESSES, dump), linkNames(links));
}

const TABLE_NUMBERS: Record<string, number> = { main: 254, local: 255, default: 253 };

/** A checked RouteQuery: the family to dump, and the table to keep (undefined: all). */
export interface RouteSelection {
  family?: IpFamily;
  table?: number;
}

/** Checks a RouteQuery before any I/O. */
export function selectRoutes(query: unknown = {}): RouteSelection {
  if (typeof query !== 'object' || query === null) throw new TypeError('query must be an object');
  const { family, table = 'main' } = query as RouteQuery;
  if (family !== undefined && family !== 4 && family !== 6) throw new TypeError(`family must be 4 or 6, got ${family}`);
  if (table === 'all') return { family };
  const wanted = typeof table === 'number' ? table : TABLE_NUMBERS[table as string];
  if (wanted === undefined || !Number.isInteger(wanted) || wanted < 0 || wanted > 0xffffffff) {
    throw new TypeError(`table must be 'main', 'local', 'all' or a table number, got ${String(table)}`);
  }
  return { family, table: wanted };
}

export function readRoutes(
  socket: RtnlSocket,
  selection: RouteSelection,
  links: readonly Link[] = readLinks(socket),
): Route[] {
  const { family, table } = selection;
  const routes = parseRouteDump(
    dumped(socket, { what: 'RTM_GETROUTE' }, (seq) => routeDumpRequest(seq, { family })),
    linkNames(links),
  );
  if (table === undefined) return routes;
  return routes.filter(
    (route) => (typeof route.table === 'number' ? route.table : TABLE_NUMBERS[route.table]) === table,
  );
}

/**
 * The routes of every table out of link `oif` alone (not multipath, not
 * through a nexthop object), each with the message it came in, to replay it.
 * Links unnamed. The other routes are passed over unparsed.
 */
export function readRouteMessagesOutOf(
  socket: RtnlSocket,
  oif: number,
): Array<{ route: Route; message: NetlinkMessage }> {
  return dumped(socket, { what: 'RTM_GETROUTE' }, (seq) => routeDumpRequest(seq))
    .filter((message) => isSingleRouteOutOf(message, oif))
    .flatMap((message) => {
      const route = parseRouteMessage(message, new Map());
      return route === undefined ? [] : [{ route, message }];
    });
}

/** Runs `read` over a socket made inside `ns`, closed afterwards. */
export function readInside<T>(ns: Enterable, read: (socket: RtnlSocket) => T): T {
  using socket = RtnlSocket.of(ns);
  return read(socket);
}
