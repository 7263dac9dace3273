// netns-native: Linux network namespaces for Node.js.
export { NetNamespace } from './net-namespace';
export { enterNetns, type NetnsTarget } from './enter';
export { NetnsError } from './errors';
export { sys, type Sys } from './sys';
export { resolveRunDir, type RunDirOptions } from './run-dir';
