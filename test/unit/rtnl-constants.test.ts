// Every number in lib/rtnl/constants.ts, checked against the kernel uapi
// headers of this machine by compiling a C program that prints them. Skipped
// where there is no C compiler or no headers (the numbers are kernel ABI, so
// one machine that checks them is enough).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as constants from '../../lib/rtnl/constants';

const HEADERS = [
  'sys/socket.h',
  'linux/netlink.h',
  'linux/rtnetlink.h',
  'linux/if_link.h',
  'linux/if_addr.h',
  'linux/net_namespace.h',
  'linux/veth.h',
  'linux/if_arp.h',
  'linux/if.h',
  'linux/icmpv6.h',
];

// Our names for struct sizes, which C spells as sizeof.
const C_EXPRESSION: Record<string, string> = {
  IFINFOMSG_LEN: 'sizeof(struct ifinfomsg)',
  IFADDRMSG_LEN: 'sizeof(struct ifaddrmsg)',
  RTMSG_LEN: 'sizeof(struct rtmsg)',
  RTGENMSG_LEN: 'NLMSG_ALIGN(sizeof(struct rtgenmsg))',
  RTNEXTHOP_LEN: 'sizeof(struct rtnexthop)',
  NLMSGERR_HDRLEN: 'sizeof(struct nlmsgerr)',
  NLMSG_HDRLEN: 'sizeof(struct nlmsghdr)',
  NLA_HDRLEN: 'sizeof(struct nlattr)',
  NLA_TYPE_MASK: '(NLA_TYPE_MASK & 0xffff)',
};

function compiler(): string | undefined {
  for (const cc of ['cc', 'gcc', 'clang']) {
    if (spawnSync(cc, ['--version']).status === 0) return cc;
  }
  return undefined;
}

const cc = compiler();
const haveHeaders = fs.existsSync('/usr/include/linux/rtnetlink.h');

describe.skipIf(!cc || !haveHeaders)('rtnl constants match the kernel headers', () => {
  it('every exported number equals its C value', () => {
    const entries = Object.entries(constants).filter(([, value]) => typeof value === 'number');
    expect(entries.length).toBeGreaterThan(200);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rtnl-constants-'));
    try {
      const source = [
        ...HEADERS.map((header) => `#include <${header}>`),
        '#include <stdio.h>',
        'int main(void) {',
        ...entries.map(([name]) => `  printf("%s %lld\\n", "${name}", (long long)(${C_EXPRESSION[name] ?? name}));`),
        '  return 0;',
        '}',
      ].join('\n');
      fs.writeFileSync(path.join(dir, 'c.c'), source);
      execFileSync(cc as string, ['-o', path.join(dir, 'c'), path.join(dir, 'c.c')], { stdio: 'pipe' });
      const printed = execFileSync(path.join(dir, 'c'), { encoding: 'utf8' }).trim().split('\n');
      const fromC = Object.fromEntries(
        printed.map((line) => {
          const [name, value] = line.split(' ');
          return [name, Number(value)];
        }),
      );
      expect(Object.fromEntries(entries)).toEqual(fromC);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
