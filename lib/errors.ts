// One error class for every failed system call, shaped like Node's own
// (code, negative errno, syscall, path), with a hint where one helps.
import os from 'node:os';
import { getSystemErrorMap } from 'node:util';
import type { NativeFailure } from './binding';

const systemErrors = getSystemErrorMap();
// libuv's table (Node's own) lacks a few errnos, ENOEXEC among them: their
// names come from os.constants, which has every errno of the C library.
const libcNames = new Map(Object.entries(os.constants.errno).map(([name, errno]) => [-errno, name]));

// glibc's texts for those, in libuv's style (lower case).
const libcDescriptions: Record<string, string> = {
  EBADMSG: 'bad message',
  ECHILD: 'no child processes',
  EDEADLK: 'resource deadlock avoided',
  EDOM: 'numerical argument out of domain',
  EDQUOT: 'disk quota exceeded',
  EIDRM: 'identifier removed',
  EINPROGRESS: 'operation now in progress',
  EMULTIHOP: 'multihop attempted',
  ENETRESET: 'network dropped connection on reset',
  ENOEXEC: 'exec format error',
  ENOLCK: 'no locks available',
  ENOLINK: 'link has been severed',
  ENOMSG: 'no message of desired type',
  ENOSR: 'out of streams resources',
  ENOSTR: 'device not a stream',
  ESTALE: 'stale file handle',
  ETIME: 'timer expired',
};

/** [code, description] for a negative errno: libuv's names first, as Node's own errors. */
function describeErrno(errno: number): [string, string] {
  const known = systemErrors.get(errno);
  if (known) return known;
  const name = libcNames.get(errno);
  return name ? [name, libcDescriptions[name] ?? `errno ${-errno}`] : ['EUNKNOWN', 'unknown error'];
}

// Permission errors as root come from elsewhere (a more privileged target
// process, a read-only mount): the root hint would mislead there.
function defaultHint(code: string): string | undefined {
  const permission = code === 'EPERM' || code === 'EACCES';
  return permission && process.geteuid?.() !== 0 ? 'needs CAP_SYS_ADMIN: run as root' : undefined;
}

export interface SystemErrorFields {
  errno: number;
  syscall: string;
  path?: string;
  /** Replaces the standard description of the errno. */
  description?: string;
  /**
   * Appended in parentheses. Absent: none, except that EPERM and EACCES get
   * "needs CAP_SYS_ADMIN: run as root" when not running as root. '' is none
   * even then (kept for callers that still write it).
   */
  hint?: string;
  /** The kernel's own explanation (a netlink extended ack). */
  kernelMessage?: string;
  /** Which step of a composite change failed ('creating the peer end in net:[...]'). */
  step?: string;
  cause?: unknown;
}

/**
 * A failed system call, shaped like Node's own system errors: `code`
 * (`'EPERM'`, named from Node's own table, libuv's), `errno` (negative),
 * `syscall`, `path` where there is one, a `hint` where one helps, and for
 * rtnetlink the kernel's own explanation (`kernelMessage`, from the extended
 * ack) and, in a change of several steps, which one failed (`step`):
 *
 * ```
 * NetnsError: EPERM: operation not permitted, unshare (needs CAP_SYS_ADMIN: run as root)
 * NetnsError: EEXIST: file already exists, RTM_NEWLINK 'vb', while moving it from net:[4026532301] into net:[4026532379]: An interface with the same name exists in the target netns
 * ```
 *
 * Invalid arguments throw `TypeError` or `RangeError` instead, before any
 * system call. The addon itself never throws: a native throw would abort a
 * process run with `--abort-on-uncaught-exception` even inside `try/catch`
 * (nodejs/node#28409), so failures come back as values and are thrown from
 * JavaScript.
 */
export class NetnsError extends Error {
  /** 'EPERM', 'ENOENT', ... */
  readonly code: string;
  /** Negative, as in Node's own system errors. */
  readonly errno: number;
  /** The system call (or netlink request, `RTM_NEWLINK`) that failed. */
  readonly syscall: string;
  /** The path or name the caller asked for, where there is one. */
  readonly path?: string;
  /** What to do about it, where something helps ('needs CAP_SYS_ADMIN: run as root'). */
  readonly hint?: string;
  /** The kernel's own explanation (a netlink extended ack). */
  readonly kernelMessage?: string;
  /** Which step of a composite change failed ('moving it from net:[…] into net:[…]'). */
  readonly step?: string;
  readonly #fields: SystemErrorFields;

  constructor(fields: SystemErrorFields) {
    const [code, standard] = describeErrno(fields.errno);
    const hint = fields.hint ?? defaultHint(code);
    let message = `${code}: ${fields.description ?? standard}, ${fields.syscall}`;
    if (fields.path !== undefined) message += ` '${fields.path}'`;
    if (fields.step !== undefined) message += `, while ${fields.step}`;
    if (fields.kernelMessage) message += `: ${fields.kernelMessage}`;
    if (hint) message += ` (${hint})`;
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.name = 'NetnsError';
    this.code = code;
    this.errno = fields.errno;
    this.syscall = fields.syscall;
    if (fields.path !== undefined) this.path = fields.path;
    if (hint) this.hint = hint;
    if (fields.kernelMessage) this.kernelMessage = fields.kernelMessage;
    if (fields.step !== undefined) this.step = fields.step;
    this.#fields = fields;
  }

  /** @internal The same error, with a hint added (what could not be undone after it) and this one as cause. */
  withHint(hint: string): NetnsError {
    const own = this.#fields.hint ?? this.hint;
    return new NetnsError({ ...this.#fields, hint: own ? `${own}; ${hint}` : hint, cause: this });
  }
}

interface NodeSystemError {
  errno: number;
  syscall: string;
  path?: string;
}

function isNodeSystemError(error: unknown): error is NodeSystemError {
  const e = error as Partial<NodeSystemError> | null;
  return typeof e === 'object' && e !== null && typeof e.errno === 'number' && typeof e.syscall === 'string';
}

/** @internal
 * Turns an error thrown by the addon or by node:fs into a NetnsError;
 * anything else (a TypeError from argument checks) is returned unchanged.
 * `path`, when given, names what the caller asked for and wins over the path
 * the call used (often a /proc/self/fd/N link).
 */
export function toNetnsError(error: unknown, path?: string): unknown {
  if (error instanceof NetnsError || !isNodeSystemError(error)) return error;
  return new NetnsError({
    errno: error.errno,
    syscall: error.syscall,
    path: path ?? error.path,
    cause: error,
  });
}

/** @internal
 * The value of a native call, or its failure thrown from here, in
 * JavaScript (the addon never throws: see binding.ts). `path` names what the
 * caller asked for when the call used another path.
 */
export function check<T>(result: T | NativeFailure, path?: string): T {
  if (result instanceof Error) throw toNetnsError(result, path);
  return result;
}

/** @internal Whether a native result is a failure with one of these codes ('ENOSYS', ...). */
export function failedWith(result: unknown, ...codes: string[]): result is NativeFailure {
  if (!(result instanceof Error)) return false;
  const errno = (result as NativeFailure).errno;
  return typeof errno === 'number' && codes.includes(describeErrno(errno)[0]);
}

/** @internal Runs `action` (node:fs calls), rethrowing any system error as a NetnsError. */
export function rethrowing<T>(action: () => T, path?: string): T {
  try {
    return action();
  } catch (error) {
    throw toNetnsError(error, path);
  }
}

const errnoByCode = new Map([
  ...[...libcNames].map(([errno, code]) => [code, errno] as const),
  ...[...systemErrors].map(([errno, [code]]) => [code, errno] as const),
]);

/** @internal The (negative) errno Node's table gives a code such as 'EINVAL'. */
export function errnoOf(code: string): number {
  const errno = errnoByCode.get(code);
  if (errno === undefined) throw new Error(`unknown errno code ${code}`);
  return errno;
}
