// A seam for tests (and for trying old-kernel behaviour on a new kernel; not
// for production: without pidfds a reused pid goes unnoticed):
// NETNS_NATIVE_TEST_WITHOUT=clone3,pidfd-netns,pidfd,fd-count makes the library
// act as if the kernel refused those calls (ENOSYS, ENOTTY) or lacked the
// feature, so that the fallbacks run for real: clone(CLONE_PIDFD) instead of
// clone3, /proc/PID/ns/net confirmed by a pidfd instead of
// PIDFD_GET_NET_NAMESPACE, the path alone without pidfds, every process's fd
// directory read (before Linux 6.2, stat of /proc/PID/fd did not count fds).
// Read on each call; nothing is cached.

type KernelFeature = 'clone3' | 'pidfd-netns' | 'pidfd' | 'fd-count';

export function simulatedMissing(feature: KernelFeature): boolean {
  const without = process.env.NETNS_NATIVE_TEST_WITHOUT;
  return without !== undefined && without.split(',').includes(feature);
}
