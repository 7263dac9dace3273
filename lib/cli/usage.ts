// The global usage text and the version, both made from what they describe
// (the list of commands, package.json), so that neither can drift.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from './command';
import { DEBUG_ENV } from './exit-status';
import { PROGRAM } from './output';

export function globalUsage(commands: readonly Command[]): string {
  const entries = commands.map((command) => [`${command.name} ${command.synopsis}`.trim(), command.summary]);
  entries.push(['help [COMMAND]', 'this text, or the help of a command']);
  const width = Math.max(...entries.map(([left]) => left.length));
  return `Usage: ${PROGRAM} [-J] COMMAND [ARGS...]

Linux network namespaces, as ip netns, nsenter and lsns show them.

Commands:
${entries.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`).join('\n')}

NS is a name in /run/netns, an absolute path to an nsfs file (/proc/PID/ns/net),
--pid PID or --container C (Docker or Podman, by id or name).

Options:
  -J, --json      JSON output (list, named, identify, pids, links, peer, graph,
                  nsid list; JSON lines for monitor)
  -h, --help      this help; COMMAND --help for a command's
  -V, --version   the version

Exit status: 0 success, 1 a failed operation, 2 bad usage; exec passes on its
command's. Colour only on a terminal, and not when NO_COLOR is set.
${DEBUG_ENV}=1 prints the stack of an error after its message.`;
}

/** The version in package.json, two levels up from lib/cli (and from dist/cli once built). */
export function packageVersion(): string {
  const file = path.join(__dirname, '..', '..', 'package.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}
