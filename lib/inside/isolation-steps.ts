// The steps `ip netns exec NAME` takes, in its order, for a child to run
// between clone and exec: join the netns, unshare the mount namespace, stop
// propagation back to the host (MS_SLAVE), mount a fresh /sys (which shows
// the namespace's devices) and bind /etc/netns/NAME/* over /etc/*.
import fs from 'node:fs';
import path from 'node:path';
import { type CloneStep, native } from '../binding';
import type { NamespaceRef } from '../ref';
import { mountOptionsAt } from '../proc/proc-scan';

const c = native.constants;

const sysIsReadOnly = (): boolean => mountOptionsAt('/sys')?.includes('ro') ?? false;

export function isolationSteps(ns: NamespaceRef): CloneStep[] {
  const steps: CloneStep[] = [
    { op: 'setns', fd: ns.fd, flags: c.CLONE_NEWNET },
    { op: 'unshare', flags: c.CLONE_NEWNS },
    { op: 'mount', target: '/', mountFlags: c.MS_SLAVE | c.MS_REC },
    { op: 'umount2', target: '/sys', flags: c.MNT_DETACH, optional: true },
    {
      op: 'mount',
      source: ns.name ?? 'sysfs',
      target: '/sys',
      fstype: 'sysfs',
      mountFlags: sysIsReadOnly() ? c.MS_RDONLY : 0,
    },
  ];
  if (ns.name === undefined) return steps;
  const etcDir = path.join('/etc/netns', ns.name);
  let entries: string[] = [];
  try {
    entries = fs.readdirSync(etcDir);
  } catch {
    // no per-namespace /etc files
  }
  for (const entry of entries) {
    steps.push({
      op: 'mount',
      source: path.join(etcDir, entry),
      target: path.join('/etc', entry),
      mountFlags: c.MS_BIND,
      optional: true,
    });
  }
  return steps;
}
