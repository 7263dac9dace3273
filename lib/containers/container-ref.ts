// A container as the topology model names it (moved from topology/model.ts, which
// re-exports it: containers/ sits below topology/ and must not import it).

export interface ContainerRef {
  id: string;
  name: string;
  /** 'docker', 'podman', ... as the runtime answered. */
  runtime?: string;
}
