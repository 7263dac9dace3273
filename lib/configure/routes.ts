// `ip route add TO [via GW] [dev NAME] [metric N]` in the main table.
import type { NamespaceRef } from '../ref';
import { assertInterfaceName } from '../rtnl/link-codec';
import { addRouteRequest } from '../rtnl/route-codec';
import { RtnlSocket } from '../rtnl/transport';
import { findLink } from './lookup';
import type { RouteSpec } from './model';

const ROUTE_FIELDS = new Set(['to', 'via', 'dev', 'metric', 'family']);

/** Checks a route completely (destination, gateway, families) before anything is opened. */
export function assertRoute(route: unknown): asserts route is RouteSpec {
  if (typeof route !== 'object' || route === null) throw new TypeError('route must be an object { to, via?, dev? }');
  const unknown = Object.keys(route).filter((key) => !ROUTE_FIELDS.has(key));
  if (unknown.length > 0)
    throw new TypeError(`unknown route field(s): ${unknown.join(', ')} (known: ${[...ROUTE_FIELDS].join(', ')})`);
  const { dev, ...rest } = route as RouteSpec;
  if (dev !== undefined) assertInterfaceName(dev, 'dev');
  // The codec's own checks, on a stand-in ifindex: a bad route fails here, not after the lookup.
  addRouteRequest(0, { ...rest, dev: dev === undefined ? undefined : 1 });
}

/** Adds a route; one already there is EEXIST, a gateway not reachable is ENETUNREACH. */
export function addRouteIn(ns: NamespaceRef, route: RouteSpec): void {
  assertRoute(route);
  const { dev, ...rest } = route;
  const description = `${route.to}${route.via ? ` via ${route.via}` : ''}${dev ? ` dev ${dev}` : ''}`;
  using socket = RtnlSocket.of(ns);
  const ifindex = dev === undefined ? undefined : findLink(socket, dev, ns.id).ifindex;
  socket.request(
    { what: 'RTM_NEWROUTE', subject: description, step: `adding route ${description} in ${ns.id}` },
    (seq) => addRouteRequest(seq, { ...rest, dev: ifindex }),
  );
}
