// Every number in lib/rtnl/constants.ts, and every fixed struct layout in
// lib/rtnl/headers.ts (size, and each member's offset, width and
// signedness), checked against the kernel uapi headers of this machine by
// compiling a C program that prints them. Skipped where there is no C
// compiler or no headers (the numbers are kernel ABI, so one machine that
// checks them is enough).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as constants from '../../lib/rtnl/constants';
import { LAYOUTS } from '../../lib/rtnl/headers';

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

// Our names for what C spells otherwise.
const C_EXPRESSION: Record<string, string> = {
  NLA_HDRLEN: 'sizeof(struct nlattr)',
  NLA_TYPE_MASK: '(NLA_TYPE_MASK & 0xffff)',
};

const WIDTHS = { u8: [1, 0], u16: [2, 0], u32: [4, 0], bits32: [4, 0], s32: [4, 1] } as const;

/** The C program that prints the numbers to compare, and what it must print. */
function program(entries: Array<[string, number]>): { source: string; expected: Record<string, number> } {
  const lines = entries.map(
    ([name]) => `  printf("%s %lld\\n", "${name}", (long long)(${C_EXPRESSION[name] ?? name}));`,
  );
  const expected: Record<string, number> = Object.fromEntries(entries);
  for (const layout of LAYOUTS) {
    const struct = `struct ${layout.name}`;
    const print = (key: string, expression: string, value: number) => {
      lines.push(`  printf("%s %lld\\n", "${key}", (long long)(${expression}));`);
      expected[key] = value;
    };
    print(`${layout.name}.size`, `NLMSG_ALIGN(sizeof(${struct}))`, layout.size);
    for (const { c, offset, width } of Object.values(layout.fields)) {
      const member = `((${struct} *)0)->${c}`;
      print(`${layout.name}.${c}.offset`, `offsetof(${struct}, ${c})`, offset);
      print(`${layout.name}.${c}.width`, `sizeof(${member})`, WIDTHS[width][0]);
      print(`${layout.name}.${c}.signed`, `(__typeof__(${member}))-1 < 0`, WIDTHS[width][1]);
    }
  }
  const source = [
    ...HEADERS.map((header) => `#include <${header}>`),
    '#include <stddef.h>',
    '#include <stdio.h>',
    'int main(void) {',
    ...lines,
    '  return 0;',
    '}',
  ].join('\n');
  return { source, expected };
}

function compiler(): string | undefined {
  for (const cc of ['cc', 'gcc', 'clang']) {
    if (spawnSync(cc, ['--version']).status === 0) return cc;
  }
  return undefined;
}

const cc = compiler();
const haveHeaders = fs.existsSync('/usr/include/linux/rtnetlink.h');

describe.skipIf(!cc || !haveHeaders)('rtnl constants match the kernel headers', () => {
  it('every exported number and every struct layout equals its C value', () => {
    const entries = Object.entries(constants).filter(
      (entry): entry is [string, number] => typeof entry[1] === 'number',
    );
    expect(entries.length).toBeGreaterThan(200);
    expect(LAYOUTS.map((layout) => layout.name)).toEqual(
      expect.arrayContaining(['nlmsghdr', 'ifinfomsg', 'ifaddrmsg', 'rtmsg', 'rtgenmsg', 'rtnexthop']),
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rtnl-constants-'));
    try {
      const { source, expected } = program(entries);
      fs.writeFileSync(path.join(dir, 'c.c'), source);
      execFileSync(cc as string, ['-o', path.join(dir, 'c'), path.join(dir, 'c.c')], { stdio: 'pipe' });
      const printed = execFileSync(path.join(dir, 'c'), { encoding: 'utf8' }).trim().split('\n');
      const fromC = Object.fromEntries(
        printed.map((line) => {
          const [name, value] = line.split(' ');
          return [name, Number(value)];
        }),
      );
      expect(expected).toEqual(fromC);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
