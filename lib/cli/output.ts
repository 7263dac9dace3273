// Where the command line writes, and how: the library prints nothing, so the
// command line owns stdout and stderr. Colour only on a terminal, and never
// when NO_COLOR is set to a non-empty value (https://no-color.org).
import { visibleText } from '../render/visible';

/** What the command line needs of a stream: process.stdout, or a collector in tests. */
interface TextSink {
  write(text: string): unknown;
}

export interface CliStreams {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  /** Asked once, without opening stdout (see main.ts). */
  stdoutIsTTY: boolean;
  env: NodeJS.ProcessEnv;
}

export const PROGRAM = 'netns-native';

export class Output {
  /** Whether stdout may carry ANSI colours. */
  readonly color: boolean;

  constructor(private readonly streams: CliStreams) {
    const noColor = streams.env.NO_COLOR !== undefined && streams.env.NO_COLOR !== '';
    this.color = streams.stdoutIsTTY && !noColor;
  }

  /** Text to stdout, ending with a newline unless it is empty. */
  print(text: string): void {
    if (text === '') return;
    this.streams.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Lines to stdout. */
  lines(lines: readonly string[]): void {
    if (lines.length > 0) this.print(lines.join('\n'));
  }

  /** JSON to stdout: on one line as `ip -j` prints it, or indented as `lsns -J` does (three spaces). */
  json(value: unknown, style: 'compact' | 'lsns' = 'compact'): void {
    this.print(JSON.stringify(value, null, style === 'lsns' ? 3 : undefined));
  }

  /** `netns-native: MESSAGE` on stderr, on one line whatever the message holds. */
  error(message: string): void {
    this.streams.stderr.write(`${PROGRAM}: ${oneLine(message)}\n`);
  }

  warning(message: string): void {
    this.error(`warning: ${message}`);
  }

  /** Text to stderr as it is (the usage text after a usage error). */
  errorText(text: string): void {
    this.streams.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  }
}

/** Newlines and other control characters shown as escapes, so that a message stays one line. */
function oneLine(text: string): string {
  return visibleText(text);
}
