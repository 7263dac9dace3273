// Every subcommand, in the order the usage text lists them.
import type { Command } from '../command';
import { addCommand } from './add';
import { attachCommand } from './attach';
import { deleteCommand } from './delete';
import { execCommand } from './exec';
import { graphCommand } from './graph';
import { identifyCommand } from './identify';
import { linksCommand } from './links';
import { monitorCommand } from './monitor';
import { nsidCommand } from './nsid';
import { listCommand } from './list';
import { namedCommand } from './named';
import { peerCommand } from './peer';
import { pidsCommand } from './pids';
import { waitCommand } from './wait';

export const COMMANDS: readonly Command[] = [
  listCommand,
  namedCommand,
  addCommand,
  attachCommand,
  deleteCommand,
  identifyCommand,
  pidsCommand,
  execCommand,
  linksCommand,
  peerCommand,
  graphCommand,
  monitorCommand,
  waitCommand,
  nsidCommand,
];
