#!/usr/bin/env node
// The `netns-native` command (package.json "bin"). The streams are reached
// lazily: touching process.stdout makes libuv set O_NONBLOCK on a pipe, which
// `exec` would hand on to its command, so only what is written opens them.
import tty from 'node:tty';
import { runCli } from './run';
import { type CliStreams, Output } from './output';

const guarded = new WeakSet<NodeJS.WriteStream>();

/** A reader that goes away (`netns-native list | head -1`) is no error of ours: the rest is dropped quietly. */
function withoutEpipe(stream: NodeJS.WriteStream): NodeJS.WriteStream {
  if (!guarded.has(stream)) {
    guarded.add(stream);
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
  return stream;
}

const streams: CliStreams = {
  get stdout() {
    return withoutEpipe(process.stdout);
  },
  get stderr() {
    return withoutEpipe(process.stderr);
  },
  stdoutIsTTY: tty.isatty(1),
  env: process.env,
};

// The library's warnings (a netlink dump raced by changes, ...) in our own one-line form.
process.removeAllListeners('warning');
process.on('warning', (warning) => new Output(streams).warning(warning.message));

void runCli(process.argv.slice(2), streams).then((status) => {
  process.exitCode = status;
});
