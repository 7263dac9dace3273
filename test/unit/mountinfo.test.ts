// /proc/self/mountinfo escapes, as the kernel's show_mountinfo writes them.
import { describe, expect, it } from 'vitest';
import { unescapeMountinfo } from '../../lib/proc/proc-scan';

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
