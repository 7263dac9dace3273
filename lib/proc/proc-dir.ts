// The processes in /proc and the network namespace of each, read for scans
// of every process on the host without a string per process: getdents64
// into a buffer parsed here, then readlink(/proc/PID/ns/net) with the path
// and the answer (`net:[INO]`) in buffers reused from one process to the
// next. node:fs's readdirSync sorts the names and makes a string of each,
// and readlinkSync makes strings both ways and throws for every process
// that exited meanwhile: together more than the kernel's own work.
import fs from 'node:fs';
import { native } from '../binding';
import { check } from '../errors';

/** Room for about two thousand entries per call: a big host's /proc in one or two. */
const DIRENT_ROOM = 64 * 1024;

// struct linux_dirent64: u64 d_ino, s64 d_off, u16 d_reclen (little endian), u8 d_type, then the NUL-terminated name.
const RECLEN_AT = 16;
const NAME_AT = 19;

const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/** The entries of `/proc` whose names are all digits (processes: thread-group leaders), in the kernel's order. */
export function procPids(): number[] {
  const fd = check(native.open('/proc', fs.constants.O_RDONLY | fs.constants.O_DIRECTORY), '/proc');
  try {
    const room = Buffer.allocUnsafe(DIRENT_ROOM);
    const pids: number[] = [];
    for (;;) {
      const filled = check(native.getdents64(fd, room), '/proc');
      if (filled === 0) return pids;
      for (let at = 0; at < filled; at += room[at + RECLEN_AT] | (room[at + RECLEN_AT + 1] << 8)) {
        const pid = decimalName(room, at + NAME_AT);
        if (pid !== undefined) pids.push(pid);
      }
    }
  } finally {
    native.close(fd);
  }
}

/** The number a NUL-terminated name spells in decimal, else undefined ('self', '.', ...). */
function decimalName(bytes: Buffer, start: number): number | undefined {
  let value = 0;
  let i = start;
  for (let byte = bytes[i]; byte !== 0; byte = bytes[++i]) {
    if (byte < DIGIT_0 || byte > DIGIT_9) return undefined;
    value = value * 10 + (byte - DIGIT_0);
  }
  return i > start ? value : undefined;
}

/** The number that the bytes from `start` to `end` spell in decimal, else undefined (none, or not all digits). */
function digitsBetween(bytes: Buffer, start: number, end: number): number | undefined {
  if (end <= start) return undefined;
  let value = 0;
  for (let i = start; i < end; i++) {
    const byte = bytes[i];
    if (byte < DIGIT_0 || byte > DIGIT_9) return undefined;
    value = value * 10 + (byte - DIGIT_0);
  }
  return value;
}

const PROC = Buffer.from('/proc/');
const NS_NET = Buffer.from('/ns/net\0');
const SELF_FD = Buffer.from('/proc/self/fd/');
const NUL = Buffer.from('\0');
const NET_OPEN = Buffer.from('net:[');
const CLOSE_BRACKET = 0x5d;
/** "/proc/self/fd/" or "/proc/", a number (at most 10 digits), "/ns/net" or nothing, a NUL. */
const PATH_ROOM = 32;
/** `net:[` + an inode (at most 10 digits) + `]`, with room to tell a longer answer. */
const ANSWER_ROOM = 64;

/**
 * Network namespace inodes as readlink names them (`net:[INO]`), one link
 * after another, read into buffers reused from one to the next: each path's
 * fixed start is written once, and only the number and what follows it
 * change (this runs for every process on the host).
 */
export class NetnsLinks {
  readonly #procPath = Buffer.alloc(PATH_ROOM);
  readonly #fdPath = Buffer.alloc(PATH_ROOM);
  readonly #answer = Buffer.alloc(ANSWER_ROOM);

  constructor() {
    PROC.copy(this.#procPath);
    SELF_FD.copy(this.#fdPath);
  }

  /** The namespace of process `pid` (/proc/PID/ns/net): undefined if it is gone or hides it (EACCES), as stat would say. */
  inoOf(pid: number): number | undefined {
    return this.#read(this.#procPath, PROC.length, pid, NS_NET);
  }

  /** The namespace an fd of this process is open on (/proc/self/fd/FD): undefined if that is no network namespace. */
  inoOfFd(fd: number): number | undefined {
    return this.#read(this.#fdPath, SELF_FD.length, fd, NUL);
  }

  /** readlink of `path`'s first `at` bytes + `number` in decimal + `suffix` (which ends with the NUL). */
  #read(path: Buffer, at: number, number: number, suffix: Buffer): number | undefined {
    if (!Number.isInteger(number) || number < 0 || number > 0xffffffff) {
      throw new RangeError(`not a pid or fd: ${number}`);
    }
    let end = at + 1;
    for (let rest = number; rest >= 10; rest = Math.floor(rest / 10)) end++;
    for (let i = end - 1, rest = number; i >= at; i--, rest = Math.floor(rest / 10)) {
      path[i] = DIGIT_0 + (rest % 10);
    }
    for (let i = 0; i < suffix.length; i++) path[end + i] = suffix[i];
    const length = native.readlink(path, this.#answer);
    return typeof length === 'number' ? netnsInode(this.#answer, length) : undefined;
  }
}

/** The INO of `net:[INO]` in the first `length` bytes, else undefined (another kind of link). */
function netnsInode(answer: Buffer, length: number): number | undefined {
  if (length <= NET_OPEN.length || answer[length - 1] !== CLOSE_BRACKET) return undefined;
  for (let i = 0; i < NET_OPEN.length; i++) if (answer[i] !== NET_OPEN[i]) return undefined;
  return digitsBetween(answer, NET_OPEN.length, length - 1);
}
