// Enrichment: steps that add what the kernel cannot tell to each namespace of
// a finished map (a container runtime naming its containers, an orchestrator
// its pods). They run after every fd of the map is closed, may be async, and
// a step that fails is reported in a warning, not thrown: the map is
// returned with whatever the step had set before it failed.
import type { TopologyNamespace } from './model';

/**
 * A step that adds what the kernel cannot tell to each namespace of a
 * finished {@link topology} map (a container runtime naming its containers,
 * an orchestrator its pods); pass it in {@link TopologyOptions.enrich}. Steps
 * run in order after every fd of the map is closed and may be async; one
 * that fails is reported in a process warning, not thrown: the map is
 * returned with whatever the step had set before it failed.
 */
export interface TopologyEnricher {
  /** Names the step in warnings ('docker'). */
  readonly name: string;
  /**
   * Sets fields of the namespaces it knows (`container`, or `extra[name]`);
   * it is given all of them at once, so that it can ask its source once.
   */
  enrich(namespaces: TopologyNamespace[]): void | Promise<void>;
}

/** @internal */
export function assertEnrichers(value: unknown): asserts value is readonly TopologyEnricher[] {
  if (
    !Array.isArray(value) ||
    !value.every((step) => typeof step?.name === 'string' && typeof step?.enrich === 'function')
  ) {
    throw new TypeError('enrich must be an array of { name: string, enrich(namespaces) } steps');
  }
}

/** @internal */
export async function runEnrichers(namespaces: TopologyNamespace[], steps: readonly TopologyEnricher[]): Promise<void> {
  for (const step of steps) {
    try {
      await step.enrich(namespaces);
    } catch (error) {
      process.emitWarning(
        `topology: enrichment step '${step.name}' failed: ` + `${(error as Error)?.message ?? String(error)}`,
        { code: 'NETNS_TOPOLOGY_ENRICH_FAILED' },
      );
    }
  }
}
