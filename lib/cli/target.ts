// "NS" on the command line: a name in the run dir or an absolute path to an
// nsfs file as a positional, or `--pid P`, or `--container C` (Docker or
// Podman, through DOCKER_HOST or the default sockets). At most one of them;
// some subcommands fall back to the caller's own namespace.
import { NetNamespace, fromContainer } from '../index';
import { checkContainerRef } from '../containers/from-container';
import { assertAbsolutePath, assertNetnsName } from '../validate';
import { type OptionSpecs, type ParsedArgs, UsageError, checkArgument, parsePid, stringOption } from './args';

export const TARGET_OPTIONS: OptionSpecs = {
  pid: { type: 'string' },
  container: { type: 'string' },
};

export const TARGET_HELP = [
  'NS is a name in /run/netns (NETNS_RUN_DIR) or an absolute path to an nsfs file',
  '(/proc/PID/ns/net, a bind mount), or one of:',
  '  --pid PID        the namespace of a process',
  '  --container C    the namespace of a Docker or Podman container (id or name;',
  '                   the engine socket: DOCKER_HOST=unix://..., else the default)',
].join('\n');

type TargetSpec =
  | { kind: 'path-or-name'; value: string }
  | { kind: 'pid'; pid: number }
  | { kind: 'container'; ref: string }
  | { kind: 'current' };

/**
 * The target given by options or by `positional` (undefined when the
 * subcommand's positionals hold none); `current` when none was given and the
 * subcommand allows it.
 */
export function targetSpec(
  values: ParsedArgs['values'],
  positional: string | undefined,
  whenNone: 'current' | 'required',
): TargetSpec {
  const pid = stringOption(values, 'pid');
  const container = stringOption(values, 'container');
  const given = [positional, pid, container].filter((value) => value !== undefined).length;
  if (given > 1) throw new UsageError('give one namespace: NS, --pid or --container');
  if (pid !== undefined) return { kind: 'pid', pid: parsePid(pid, '--pid') };
  if (container !== undefined) {
    checkArgument(() => checkContainerRef(container));
    return { kind: 'container', ref: container };
  }
  if (positional !== undefined) {
    checkNsArgument(positional);
    return { kind: 'path-or-name', value: positional };
  }
  if (whenNone === 'required') throw new UsageError('missing NS');
  return { kind: 'current' };
}

/** A name in the run dir or an absolute path, as the library checks them; what it refuses is bad usage. */
export function checkNsArgument(value: string): void {
  checkArgument(() => (value.startsWith('/') ? assertAbsolutePath(value) : assertNetnsName(value)));
}

/** Whether options (not a positional) name the target. */
export function targetByOption(values: ParsedArgs['values']): boolean {
  return stringOption(values, 'pid') !== undefined || stringOption(values, 'container') !== undefined;
}

/**
 * A container's namespace, with hints in a shell user's words (DOCKER_HOST;
 * the library's socketPath option is not theirs to pass).
 */
export function openContainer(ref: string): Promise<NetNamespace> {
  return fromContainer(ref, { hintsFor: 'shell' });
}

/** Opens the target; the handle is the caller's to close. */
export async function openTarget(spec: TargetSpec): Promise<NetNamespace> {
  switch (spec.kind) {
    case 'pid':
      return NetNamespace.fromPid(spec.pid);
    case 'container':
      return openContainer(spec.ref);
    case 'path-or-name':
      return spec.value.startsWith('/') ? NetNamespace.fromPath(spec.value) : NetNamespace.fromName(spec.value);
    case 'current':
      return NetNamespace.current();
  }
}

/** Runs `use` with the opened target, closing it after, whatever happens. */
export async function withTarget<T>(spec: TargetSpec, use: (ns: NetNamespace) => T | Promise<T>): Promise<T> {
  const ns = await openTarget(spec);
  try {
    return await use(ns);
  } finally {
    ns.close();
  }
}
