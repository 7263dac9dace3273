// /proc/self/mountinfo escapes, as the kernel's show_mountinfo writes them.
import { describe, expect, it } from 'vitest';
import { nsfsMountsIn, unescapeMountinfo } from '../../lib/proc/proc-scan';

describe('unescapeMountinfo', () => {
  it.each([
    ['/run/netns/plain', '/run/netns/plain'],
    ['/run/netns/with\\040space', '/run/netns/with space'],
    ['/run/netns/tab\\011and\\012newline', '/run/netns/tab\tand\nnewline'],
    ['/run/netns/back\\134slash', '/run/netns/back\\slash'],
    ['/run/netns/ünïcode', '/run/netns/ünïcode'],
    ['/run/netns/not\\08escape', '/run/netns/not\\08escape'],
  ])('%s', (field, path) => {
    expect(unescapeMountinfo(field)).toBe(path);
  });
});

describe('nsfsMountsIn', () => {
  const lines = [
    '24 1 0:22 / /proc rw,nosuid shared:5 - proc proc rw',
    '512 26 0:4 net:[4026532301] /run/netns/a rw shared:181 - nsfs nsfs rw',
    '513 26 0:4 net:[4026532302] /run/netns/with\\040space rw - nsfs nsfs rw',
    '514 26 0:4 mnt:[4026532303] /run/mnt-ns rw - nsfs nsfs rw', // another namespace type
    '515 26 0:4 net:[4026532304] /var/lib/x rw shared:1 master:2 - nsfs nsfs rw',
    '516 26 0:50 / /run/netns/b rw - tmpfs tmpfs rw', // not nsfs
    '517 26 0:4 net:[4026532305] /run/netns/back\\134slash\\011tab rw - nsfs nsfs rw',
    '518 26 0:4 net:[4026532306] /srv/nsfs rw - nsfs nsfs rw', // "nsfs" in the mount point
    '519 26 0:4 net:[4026532307] - nsfs nsfs rw', // too short: no mount point
    '',
  ];

  it('lists only network namespaces mounted on nsfs, their mount points unescaped', () => {
    expect(nsfsMountsIn(lines.join('\n'))).toEqual([
      { ino: 4026532301, mountPoint: '/run/netns/a' },
      { ino: 4026532302, mountPoint: '/run/netns/with space' },
      { ino: 4026532304, mountPoint: '/var/lib/x' },
      { ino: 4026532305, mountPoint: '/run/netns/back\\slash\ttab' },
      { ino: 4026532306, mountPoint: '/srv/nsfs' },
    ]);
  });
});
