// The enrichment step topology() runs by default: each namespace that
// belongs to a running container gets `container: { id, name, runtime }`,
// from whatever Docker- or Podman-compatible engine socket is reachable. A
// host without one maps as before.
import { containersByNetns } from '../containers/containers-by-netns';
import type { ContainerEngineOptions } from '../containers/engine-socket';
import type { TopologyEnricher } from './enrich';

/** A map should not wait on a stuck engine as long as a single lookup would. */
const MAP_TIMEOUT_MS = 3000;

export function containerNames(options: ContainerEngineOptions = {}): TopologyEnricher {
  return {
    name: 'containers',
    async enrich(namespaces) {
      const byInode = await containersByNetns({ timeoutMs: MAP_TIMEOUT_MS, ...options });
      for (const entry of namespaces) {
        const container = byInode.get(entry.ino);
        if (container !== undefined) entry.container = container;
      }
    },
  };
}
