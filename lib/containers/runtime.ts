// Which engine answered: Podman serves the Docker Engine API too, and says so
// in its /_ping headers.
/** Which engine answered (Podman serves the Docker Engine API too, and says so in `/_ping`). */
export type ContainerRuntime = 'docker' | 'podman';
