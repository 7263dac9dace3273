// net.* sysctl keys to /proc/sys paths, as sysctl(8) maps them, without root.
import { describe, expect, it } from 'vitest';
import { sysctlPath } from '../../lib/inside/sysctl';

describe('sysctlPath', () => {
  it.each([
    ['net.ipv4.ip_forward', '/proc/sys/net/ipv4/ip_forward'],
    ['net/ipv4/ip_forward', '/proc/sys/net/ipv4/ip_forward'],
    // A '/' in dotted form stands for a '.' inside a name (a VLAN interface).
    ['net.ipv4.conf.eth0/100.rp_filter', '/proc/sys/net/ipv4/conf/eth0.100/rp_filter'],
    ['net/ipv4/conf/eth0.100/rp_filter', '/proc/sys/net/ipv4/conf/eth0.100/rp_filter'],
    ['net.ipv6.conf.all.disable_ipv6', '/proc/sys/net/ipv6/conf/all/disable_ipv6'],
  ])('%s -> %s', (key, file) => {
    expect(sysctlPath(key)).toBe(file);
  });

  it.each(['kernel.hostname', 'net', 'net..ipv4', 'net/../kernel', '/proc/sys/net/x', 'net.a b', 'net.x\0', 7])(
    'refuses %j',
    (key) => {
      expect(() => sysctlPath(key)).toThrow(TypeError);
    },
  );
});
