// netns-native: Linux network namespaces for Node.js.
export { NetNamespace } from './net-namespace';
export { enterNetns, type NetnsTarget } from './enter';
export { NetnsError } from './errors';
export { sys, type Sys } from './sys';
export { resolveRunDir, type RunDirOptions } from './run-dir';
export { bindMount, unmount } from './bind-mount';
export { identify, listNamed, pidsOf, type NamedNamespace } from './registry';
export { listNamespaces, type ListNamespacesOptions, type NamespaceInfo } from './list-namespaces';
export type { NsSpawnOptions } from './spawn';
export type { NsConnectOptions, NsListenOptions, NsUdpOptions } from './sockets';
export type { CloneSpec, CloneStep } from './binding';
