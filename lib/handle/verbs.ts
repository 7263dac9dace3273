// The verbs behind NetNamespace's methods: each is a free function taking the
// namespace reference first (lib/inside, lib/configure, lib/rtnl hold them),
// and this table binds them to the class. Adding a verb: its type in
// methods.ts and one line here; the class file does not change.
import { addAddressIn, deleteAddressIn } from '../configure/addresses';
import { batchIn } from '../configure/batch';
import { createBridgeIn, deleteLinkIn } from '../configure/links';
import type { LinkSettings } from '../configure/model';
import { addRouteIn } from '../configure/routes';
import { assertLinkSettings, setLinkIn } from '../configure/set-link';
import { spawnIsolated } from '../inside/isolated-spawn';
import { connectIn, listenIn, socketIn, udpSocketIn } from '../inside/sockets';
import { type NsSpawnOptions, spawnShared } from '../inside/spawn';
import { readSysctl, writeSysctl } from '../inside/sysctl';
import { workerIn } from '../inside/worker';
import type { NamespaceRef } from '../ref';
import type { RouteQuery } from '../rtnl/model';
import { readAddresses, readInside, readLinks, readRoutes, selectRoutes } from '../rtnl/read';
import { keepWith } from './kept';
import type { NamespaceMethods } from './methods';

type VerbTable = {
  [K in keyof NamespaceMethods]: (
    ns: NamespaceRef,
    ...args: Parameters<NamespaceMethods[K]>
  ) => ReturnType<NamespaceMethods[K]>;
};

function spawnIn(ns: NamespaceRef, command: string, args: readonly string[] = [], options: NsSpawnOptions = {}) {
  const { mountNamespace = 'shared', ...spawnOptions } = options ?? {};
  if (mountNamespace === 'isolated') return spawnIsolated(ns, command, args, spawnOptions);
  if (mountNamespace !== 'shared') {
    throw new TypeError(`mountNamespace must be 'shared' or 'isolated', got '${String(mountNamespace)}'`);
  }
  return spawnShared(ns, command, args, spawnOptions);
}

function routesIn(ns: NamespaceRef, query: RouteQuery = {}) {
  const selection = selectRoutes(query); // refused before the namespace is entered
  return readInside(ns, (socket) => readRoutes(socket, selection));
}

function setLink(ns: NamespaceRef, ifname: string, settings: LinkSettings): void {
  assertLinkSettings(ifname, settings);
  setLinkIn(ns, ifname, settings);
}

/** The handle's kept resources; a closed handle refuses (EBADF, from its fd). */
function keep<T extends { close(): void }>(ns: NamespaceRef, key: symbol, make: () => T): T {
  void ns.fd;
  return keepWith(ns, key, make);
}

const verbs: VerbTable = {
  keep,
  spawn: spawnIn,
  worker: workerIn,
  listen: listenIn,
  connect: connectIn,
  udpSocket: udpSocketIn,
  socket: socketIn,
  sysctl: readSysctl,
  setSysctl: writeSysctl,
  links: (ns) => readInside(ns, readLinks),
  addresses: (ns) => readInside(ns, (socket) => readAddresses(socket)),
  routes: routesIn,
  setLink,
  deleteLink: deleteLinkIn,
  createBridge: createBridgeIn,
  addAddress: addAddressIn,
  deleteAddress: deleteAddressIn,
  addRoute: addRouteIn,
  batch: batchIn,
};

/** Makes each verb a method of `prototype` that passes `this` as the namespace. */
export function installVerbs(prototype: NamespaceRef): void {
  for (const [name, verb] of Object.entries(verbs) as [string, (ns: NamespaceRef, ...args: unknown[]) => unknown][]) {
    const method = {
      [name](this: NamespaceRef, ...args: unknown[]) {
        return verb(this, ...args);
      },
    }[name];
    Object.defineProperty(prototype, name, { value: method, writable: true, configurable: true });
  }
}
