// Which container a handle from fromContainer() belongs to, kept beside the
// handle (a WeakMap) so that NetNamespace itself needs no container fields.
import type { ContainerRef } from './container-ref';
import type { NetNamespace } from '../handle/net-namespace';
import type { ContainerRuntime } from './runtime';

export interface ContainerNetnsInfo extends ContainerRef {
  runtime: ContainerRuntime;
  /** The container's main process, whose namespace the handle holds. */
  pid: number;
  /** HostConfig.NetworkMode as the engine gave it. */
  networkMode: string;
  /** For network mode container:<id>: the container whose namespace this one joined (followed to the end). */
  joined?: ContainerRef;
  /** The SandboxKey file the namespace was proven against (dev/ino), when there was one to see. */
  sandboxKey?: string;
}

const origins = new WeakMap<object, ContainerNetnsInfo>();

/** @internal */
export function rememberContainer(ns: NetNamespace, info: ContainerNetnsInfo): void {
  origins.set(ns, Object.freeze({ ...info }));
}

/** The container a handle from fromContainer() was opened for; undefined for any other handle. */
export function containerOf(ns: NetNamespace): ContainerNetnsInfo | undefined {
  if (typeof ns !== 'object' || ns === null) throw new TypeError('containerOf() takes a NetNamespace');
  return origins.get(ns);
}
