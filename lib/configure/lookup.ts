// A link by name in the namespace of a socket (RTM_GETLINK, no dump): the
// first step of every change, so an unknown name fails before anything is
// changed, as ENODEV naming it.
import { NetnsError } from '../errors';
import type { Link } from '../rtnl/model';
import { readLink } from '../rtnl/read';
import type { RtnlSocket } from '../rtnl/transport';

export function findLink(socket: RtnlSocket, name: string, nsId: string, role = ''): Link {
  return readLink(socket, name, `looking up ${role}${quoted(name)} in ${nsId}`);
}

/** 'va', for step texts. */
export function quoted(name: string): string {
  return `'${name}'`;
}

/** The link of that name, or undefined when the kernel answers ENODEV. */
export function findLinkIfAny(socket: RtnlSocket, name: string, nsId: string, role = ''): Link | undefined {
  try {
    return findLink(socket, name, nsId, role);
  } catch (error) {
    if (error instanceof NetnsError && error.code === 'ENODEV') return undefined;
    throw error;
  }
}
