// Puts /run/netns back the way the tests found it: the tests (and ip netns
// add) make it a mount point, and create it if it was missing.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const RUN_DIR = '/run/netns';

const isMountPoint = () =>
  fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((line) => line.split(' ')[4] === RUN_DIR);

export default function setup() {
  const existed = fs.existsSync(RUN_DIR);
  const wasMounted = isMountPoint();
  return function teardown() {
    if (!fs.existsSync(RUN_DIR) || fs.readdirSync(RUN_DIR).length > 0) return;
    if (!wasMounted) {
      for (let i = 0; i < 16 && isMountPoint(); i++) spawnSync('umount', ['-l', RUN_DIR]);
    }
    if (!existed) fs.rmdirSync(RUN_DIR);
  };
}
