// netns-native: Linux network namespaces for Node.js.
export { NetNamespace } from './handle/net-namespace';
export type { NamespaceMethods } from './handle/methods';
export type { NamespaceRef, Target } from './ref';
export { enterNetns, type NetnsTarget } from './handle/targets';
export { NetnsError } from './errors';
export { sys, type Sys, type PidfdWatcher, type ChildExitCallback } from './sys';
export { resolveRunDir, type RunDirOptions } from './named/run-dir';
export { identify, listNamed, type NamedNamespace } from './proc/registry';
export { pidsOf } from './handle/targets';
export { listNamespaces, type ListNamespacesOptions, type NamespaceInfo } from './proc/list-namespaces';
export type { NsSpawnOptions } from './inside/spawn';
export type { NsConnectOptions, NsListenOptions, NsUdpOptions } from './inside/sockets';
export type { CloneSpec, CloneStep, ClonedChild } from './binding';
export type { Address, AddressScope, Link, LinkRef, Route, RouteQuery, VethPair } from './rtnl/model';
export { fromContainer } from './containers/from-container';
export { containersByNetns } from './containers/containers-by-netns';
export { containerOf, type ContainerNetnsInfo } from './containers/containers-by-netns';
export type { ContainerEngineOptions } from './containers/engine-socket';
export type { ContainerRuntime } from './containers/engine-client';
export { createVeth, type VethEndSpec } from './handle/targets';
export type { LinkSettings, MoveLinkOptions, RouteSpec } from './configure/model';
export type { BatchLinkSettings, BatchResult, BatchSteps, BatchVethOptions, BatchVethPeer } from './configure/batch';
export { topology, type TopologyOptions } from './topology/topology';
export { findPeer, type VethPeer } from './topology/find-peer';
export type { TopologyEnricher } from './topology/enrich';
export type { NamespaceId, NamespaceSelector } from './topology/select';
export {
  renderDot,
  renderJson,
  renderMermaid,
  renderSvg,
  renderText,
  type DotOptions,
  type MermaidOptions,
  type SvgOptions,
  type TextOptions,
} from './render/index';
export type {
  ContainerRef,
  Topology,
  TopologyNamespace,
  UnresolvedCode,
  UnresolvedPeer,
  VethEnd,
} from './topology/model';
// Live: nsids, watch(), waits (issue 17).
export {
  setNsid,
  listNsids,
  type ListNsidsOptions,
  type NsidEntry,
  type NsidNamespace,
  type NsidOptions,
  type TargetNsidEntry,
} from './watch/nsids';
export type { WatchTarget } from './watch/targets';
export { watch, Watcher } from './watch/watcher';
export type { WatchOptions, WatchStats } from './watch/watch-options';
export type { ModelSnapshot } from './watch/namespace-model';
export type { WatchEvent, WatchKind, WatchNotice, WatchedNetns } from './watch/events';
export type { WatchItem } from './watch/event-queue';
export {
  waitForLink,
  waitForAddress,
  WaitTimeoutError,
  type LinkState,
  type WaitOptions,
  type WaitForLinkOptions,
  type WaitForAddressOptions,
} from './watch/waits';
export { waitForNamespace, type WaitForNamespaceOptions } from './watch/namespace-wait';
export { waitForVethPeer, type VethEnds, type VethEndState } from './topology/veth-wait';
export { serveTopology, type TopologyServer, type ServeTopologyOptions } from './serve/server';
export {
  topologyHandler,
  type TopologyHandler,
  type TopologyHandlerOptions,
  type TopologyHandlerStats,
} from './serve/handler';
export type { LiveTopologyOptions } from './serve/live-topology';
