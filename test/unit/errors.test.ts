// NetnsError names errnos as Node does (libuv's table), and those libuv's
// table lacks (ENOEXEC, ECHILD, ...) from the C library's, never EUNKNOWN.
import os from 'node:os';
import { getSystemErrorMap } from 'node:util';
import { describe, expect, it } from 'vitest';
import { NetnsError } from '../../lib/errors';

describe('NetnsError', () => {
  it("takes code and text from Node's own table", () => {
    const error = new NetnsError({ errno: -1, syscall: 'setns', hint: '' });
    expect([error.code, error.message]).toEqual(['EPERM', `EPERM: ${getSystemErrorMap().get(-1)![1]}, setns`]);
    // Unprivileged, an EPERM says what is needed.
    const asUser = new NetnsError({ errno: -1, syscall: 'setns' });
    expect(asUser.message).toMatch(
      process.geteuid?.() === 0 ? /setns$/ : /setns \(needs CAP_SYS_ADMIN: run as root\)$/,
    );
  });

  it('names an errno one way where two names share it (EAGAIN, not EWOULDBLOCK)', () => {
    expect(new NetnsError({ errno: -os.constants.errno.EWOULDBLOCK, syscall: 'recv' }).code).toBe('EAGAIN');
  });

  it.each(['ENOEXEC', 'ECHILD', 'ESTALE', 'EDQUOT'])('names %s, which libuv does not know', (code) => {
    const errno = -os.constants.errno[code as keyof typeof os.constants.errno];
    const error = new NetnsError({ errno, syscall: 'execve', path: '/x' });
    expect(error.code).toBe(code);
    expect(error.message).not.toMatch(/errno \d|unknown/);
  });

  it("carries the kernel's text and the failed step", () => {
    const error = new NetnsError({
      errno: -17,
      syscall: 'RTM_NEWLINK',
      path: 'veth0',
      step: 'creating the peer end',
      kernelMessage: 'Device or resource busy',
    });
    expect(error.message).toBe(
      "EEXIST: file already exists, RTM_NEWLINK 'veth0', while creating the peer end: " + 'Device or resource busy',
    );
  });
});
