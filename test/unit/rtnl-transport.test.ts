// The transport's reading loop against a scripted kernel: the native
// binding's send and recv are replaced (the seam is the binding object
// itself), so that a dump can be interrupted on demand, which a real kernel
// does only when it races a change. The socket is a real NETLINK_ROUTE one
// (no privilege needed) that never sees a byte; the datagrams are the
// kernel's own, captured in test/fixtures/rtnl/link-dump.hex.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { native } from '../../lib/binding';
import { errnoOf } from '../../lib/errors';
import { NLMSG_DONE, NLM_F_DUMP_INTR, RTM_NEWLINK } from '../../lib/rtnl/constants';
import { parseLinkDump } from '../../lib/rtnl/link-codec';
import { readLinks } from '../../lib/rtnl/read';
import { RtnlSocket } from '../../lib/rtnl/transport';
import { parseMessages } from '../../lib/rtnl/wire';
import { loadExchange } from './rtnl-fixture';

const { MSG_PEEK, MSG_TRUNC } = native.constants;
const FIRST_OFFER = 64 * 1024; // what transport.ts offers its first read

const linkDump = loadExchange('link-dump');

/**
 * A copy of a captured datagram as the answer to request `seq`: every
 * message carries that sequence number, and `flags` added to its own.
 */
function restamp(datagram: Buffer, seq: number, flags = 0): Buffer {
  const copy = Buffer.from(datagram);
  for (let offset = 0; offset < copy.length;) {
    const length = copy.readUInt32LE(offset);
    copy.writeUInt16LE(copy.readUInt16LE(offset + 6) | flags, offset + 6);
    copy.writeUInt32LE(seq, offset + 8);
    offset += (length + 3) & ~3;
  }
  return copy;
}

interface Recv {
  flags: number;
  /** The size of the buffer the transport offered. */
  offered: number;
  /** What recv answered. */
  returned: number;
}

/**
 * Replaces native.send and native.recv with a kernel that answers the n-th
 * request (counting from 0) with `answer(seq, n)`, queued as Linux queues it,
 * and records every request and every read.
 */
function scriptedKernel(answer: (seq: number, attempt: number) => Buffer[]) {
  const requests: Buffer[] = [];
  const reads: Recv[] = [];
  const queue: Buffer[] = [];
  vi.spyOn(native, 'send').mockImplementation((_fd, data) => {
    const request = Buffer.from(data);
    queue.push(...answer(request.readUInt32LE(8), requests.length));
    requests.push(request);
    return request.length;
  });
  vi.spyOn(native, 'recv').mockImplementation((_fd, buffer, flags) => {
    const next = queue[0];
    if (next === undefined) {
      return Object.assign(new Error('EAGAIN'), { errno: errnoOf('EAGAIN'), syscall: 'recv' });
    }
    const target = Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    const copied = next.copy(target, 0, 0, Math.min(next.length, target.length));
    if (!(flags & MSG_PEEK)) queue.shift();
    // MSG_TRUNC: the datagram's whole size, however much of it fitted.
    const returned = flags & MSG_TRUNC ? next.length : copied;
    reads.push({ flags, offered: target.length, returned });
    return returned;
  });
  return { requests, reads, queued: () => queue.length };
}

function openSocket(): RtnlSocket {
  const socket = RtnlSocket.here();
  onExit.push(() => socket.close());
  return socket;
}

const onExit: Array<() => void> = [];
afterEach(() => {
  for (const undo of onExit.splice(0).reverse()) undo();
  vi.restoreAllMocks();
});

/** The link dump's answer to `seq`, each datagram with `flags` added to its messages. */
const linkDumpAnswer = (seq: number, flags = 0) => linkDump.datagrams.map((datagram) => restamp(datagram, seq, flags));

const expectedLinks = parseLinkDump(linkDump.messages);

describe('a dump that raced a change (NLM_F_DUMP_INTR)', () => {
  it('premise: the fixture is a multipart dump of several links, whose messages do not carry the flag', () => {
    expect(linkDump.datagrams.length).toBeGreaterThan(1);
    expect(expectedLinks.length).toBeGreaterThan(1);
    expect(linkDump.messages.some((message) => message.dumpInterrupted)).toBe(false);
    const stamped = linkDumpAnswer(7, NLM_F_DUMP_INTR).flatMap(parseMessages);
    expect(stamped).toHaveLength(linkDump.messages.length);
    expect(stamped.every((message) => message.dumpInterrupted && message.seq === 7)).toBe(true);
  });

  it('is asked 4 times in all, then returned flagged interrupted, and the reader warns', () => {
    const kernel = scriptedKernel((seq) => linkDumpAnswer(seq, NLM_F_DUMP_INTR));
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const socket = openSocket();

    const result = socket.dump({ what: 'RTM_GETLINK' }, (seq) => Buffer.from(restamp(linkDump.request, seq)));
    expect(kernel.requests).toHaveLength(4);
    // Each attempt is a new request: a sequence number of its own, and NLM_F_DUMP set.
    expect(new Set(kernel.requests.map((request) => request.readUInt32LE(8))).size).toBe(4);
    expect(kernel.requests.every((request) => (request.readUInt16LE(6) & 0x300) === 0x300)).toBe(true);
    expect(kernel.queued()).toBe(0); // every attempt was read to its NLMSG_DONE
    expect(result).toMatchObject({ interrupted: true, attempts: 4, datagrams: linkDump.datagrams.length });
    // The last attempt's answer is what comes back, whole.
    expect(parseLinkDump(result.messages)).toEqual(expectedLinks);
    expect(warn).not.toHaveBeenCalled(); // the transport only reports; the reader warns

    const links = readLinks(socket);
    expect(kernel.requests).toHaveLength(8);
    expect(links).toEqual(expectedLinks);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^RTM_GETLINK dump still raced changes after retries/), {
      code: 'NETNS_DUMP_INTERRUPTED',
    });
  });

  it('is retried until an attempt comes back clean, and then no warning', () => {
    const kernel = scriptedKernel((seq, attempt) => linkDumpAnswer(seq, attempt < 2 ? NLM_F_DUMP_INTR : 0));
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const socket = openSocket();
    const result = socket.dump({ what: 'RTM_GETLINK' }, (seq) => Buffer.from(restamp(linkDump.request, seq)));
    expect(kernel.requests).toHaveLength(3);
    expect(result).toMatchObject({ interrupted: false, attempts: 3 });
    expect(parseLinkDump(result.messages)).toEqual(expectedLinks);
    expect(readLinks(socket)).toEqual(expectedLinks); // the 4th request: clean at once
    expect(kernel.requests).toHaveLength(4);
    expect(warn).not.toHaveBeenCalled();
  });
});

describe('a reply read in one go', () => {
  it('is one read per datagram, with no peek, when it fits', () => {
    const kernel = scriptedKernel((seq) => linkDumpAnswer(seq));
    const socket = openSocket();
    const result = socket.dump({ what: 'RTM_GETLINK' }, (seq) => Buffer.from(restamp(linkDump.request, seq)));
    expect(parseLinkDump(result.messages)).toEqual(expectedLinks);
    expect(kernel.reads).toHaveLength(linkDump.datagrams.length);
    expect(kernel.reads.every((read) => (read.flags & MSG_PEEK) === 0 && read.offered === FIRST_OFFER)).toBe(true);
  });
});

describe('a datagram larger than the read offers', () => {
  it('is cut by the kernel; the dump is asked again into room of the size MSG_TRUNC reported, and read whole', () => {
    // The fixture's first datagram (link messages only) repeated past 64 KiB, then its DONE.
    const [links1, ...rest] = linkDump.datagrams;
    const linkMessages = parseMessages(links1);
    expect(linkMessages.every((message) => message.type === RTM_NEWLINK)).toBe(true);
    expect(rest.flatMap(parseMessages).map((message) => message.type)).toEqual([NLMSG_DONE]);
    const repeats = Math.ceil((FIRST_OFFER + 8 * 1024) / links1.length);
    const big = Buffer.concat(Array.from({ length: repeats }, () => links1));
    expect(big.length).toBeGreaterThan(FIRST_OFFER + 8 * 1024);
    const kernel = scriptedKernel((seq) => [restamp(big, seq), ...rest.map((datagram) => restamp(datagram, seq))]);
    const socket = openSocket();

    const result = socket.dump({ what: 'RTM_GETLINK' }, (seq) => Buffer.from(restamp(linkDump.request, seq)));
    // The premise: the first read offered 64 KiB and was told the datagram is bigger (and lost it).
    const [first, ...later] = kernel.reads;
    expect(first).toEqual({ flags: expect.any(Number), offered: FIRST_OFFER, returned: big.length });
    expect(first.flags & (MSG_PEEK | MSG_TRUNC)).toBe(MSG_TRUNC);
    // The rest of that answer was drained, and the dump asked once more (not counted as a race).
    expect(kernel.requests).toHaveLength(2);
    const reread = later.find((read) => read.offered === big.length && read.returned === big.length);
    expect(reread).toBeDefined();
    expect(reread!.flags & MSG_PEEK).toBe(0);
    expect(result).toMatchObject({ interrupted: false, attempts: 1, datagrams: 2 });
    expect(result.messages).toHaveLength(repeats * linkMessages.length);
    const once = parseLinkDump(linkMessages);
    expect(parseLinkDump(result.messages)).toEqual(Array.from({ length: repeats }, () => once).flat());
    // The last link message lay wholly beyond the first 64 KiB, and came through intact.
    const last = result.messages.at(-1)!;
    expect(last.offset).toBeGreaterThan(FIRST_OFFER);
    expect(last.payload.equals(linkMessages.at(-1)!.payload)).toBe(true);
  });
});
