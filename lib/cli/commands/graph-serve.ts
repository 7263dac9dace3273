// netns-native graph --serve: the live page (serveTopology) until SIGINT or
// SIGTERM; then the watch, the event streams and the server are closed and
// the command ends with status 0.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { type TopologyOptions, serveTopology } from '../../index';
import { UsageError, stringOption, stringOptions, type ParsedArgs } from '../args';
import { EXIT_OK } from '../exit-status';
import { DEFAULT_LISTEN, parseListen, urlOf } from '../listen-address';
import type { Output } from '../output';

export async function serveGraph(
  values: ParsedArgs['values'],
  positionals: readonly string[],
  topology: Omit<TopologyOptions, 'namespaces'>,
  out: Output,
): Promise<number> {
  if (
    positionals.length > 0 ||
    stringOptions(values, 'pid').length > 0 ||
    stringOptions(values, 'container').length > 0
  ) {
    throw new UsageError('--serve maps the whole host: give no NS, --pid or --container');
  }
  for (const option of ['format', 'direction', 'json', 'ascii'] as const) {
    if (values[option] !== undefined) throw new UsageError(`--serve draws its own picture: --${option} does not apply`);
  }
  const listen = stringOption(values, 'listen');
  const { host, port } = listen === undefined ? DEFAULT_LISTEN : parseListen(listen);
  const server = serveTopology({ host, port, topology });
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await Promise.race([once(server, 'listening'), stopped]);
    const address = server.address() as AddressInfo | null;
    if (address !== null) out.print(urlOf(address.address, address.port));
    await stopped;
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  return EXIT_OK;
}
