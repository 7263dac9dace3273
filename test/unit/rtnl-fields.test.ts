// The field tables (lib/rtnl/*-fields.ts) against real captures: the `ip -j`
// JSON they make of a kernel dump equals what ip printed of the same moment,
// key for key; and one message parses alone as a notification does (no dump
// to name other links from), RTM_DEL* and RTM_DELNSID included.
import { describe, expect, it } from 'vitest';
import { ipJsonLink } from '../../lib/cli/ip-json';
import { RTM_DELLINK, RTM_DELNSID, RTM_NEWLINK } from '../../lib/rtnl/constants';
import { parseAddressDump } from '../../lib/rtnl/addr-codec';
import { linkNames, parseLinkDump, parseLinkMessage } from '../../lib/rtnl/link-codec';
import { parseNsidReply } from '../../lib/rtnl/nsid-codec';
import { type NetlinkMessage, parseMessages } from '../../lib/rtnl/wire';
import { loadExchange, loadIpJson } from './rtnl-fixture';

type IpEntry = Record<string, unknown> & { ifindex: number; ifname: string };

/** A copy of a captured message with another message type, as the kernel sends it in a notification. */
function retyped(message: NetlinkMessage, type: number): NetlinkMessage {
  const bytes = Buffer.concat([Buffer.alloc(16), message.payload]);
  bytes.writeUInt32LE(bytes.length, 0);
  bytes.writeUInt16LE(type, 4);
  return parseMessages(bytes)[0];
}

describe('the ip -j JSON the tables make of a captured dump', () => {
  const links = parseLinkDump(loadExchange('link-dump').messages);
  const addresses = parseAddressDump(loadExchange('addr-dump').messages, linkNames(links));
  const ipLinks = loadIpJson<IpEntry[]>('link');
  const ipAddrs = loadIpJson<IpEntry[]>('addr');

  it('premise: the captures hold the same links, with addresses', () => {
    expect(ipLinks.map((entry) => entry.ifindex)).toEqual(links.map((link) => link.ifindex));
    expect(addresses.length).toBeGreaterThan(3);
  });

  it.each(links.map((link) => [link.name, link] as const))('%s: every key is ip’s, with ip’s value', (_name, link) => {
    const ours: Record<string, unknown> = ipJsonLink(link, addresses);
    const ip = ipLinks.find((entry) => entry.ifindex === link.ifindex) as IpEntry;
    const { linkinfo, addr_info: addrInfo, ...rest } = ours;
    for (const [key, value] of Object.entries(rest)) expect(value, key).toEqual(ip[key]);
    // ip prints "link": null where it cannot name the lower link; we print nothing.
    if (ip.link !== undefined && ip.link !== null) expect(rest.link).toBe(ip.link);
    if (linkinfo !== undefined) expect(ip.linkinfo).toMatchObject(linkinfo as object);
    else expect((ip.linkinfo as { info_kind?: string } | undefined)?.info_kind).toBeUndefined();
    const ipAddrInfo = (ipAddrs.find((entry) => entry.ifindex === link.ifindex)?.addr_info ?? []) as object[];
    const lifetimes = ['valid_life_time', 'preferred_life_time'];
    expect(addrInfo).toEqual(
      ipAddrInfo.map((info) => Object.fromEntries(Object.entries(info).filter(([key]) => !lifetimes.includes(key)))),
    );
  });
});

describe('one message alone, as a notification', () => {
  const messages = loadExchange('link-dump').messages.filter((message) => message.type === RTM_NEWLINK);
  const dump = parseLinkDump(messages);
  const port = dump.find((link) => link.master !== undefined && link.link !== undefined);

  it('leaves out what names other links, and names them from a lookup', () => {
    expect(port).toBeDefined(); // the premise: a bridge port whose peer is in the same namespace
    const index = dump.indexOf(port!);
    const alone = parseLinkMessage(messages[index]);
    expect(alone.master).toBeUndefined();
    expect(alone.link).toBeUndefined();
    const { master: _master, link: _link, ...rest } = port!;
    expect(alone).toEqual({ ...rest, flags: port!.flags.filter((flag) => flag !== 'M-DOWN') });
    const byIndex = new Map(dump.map((link) => [link.ifindex, link]));
    expect(parseLinkMessage(messages[index], (ifindex) => byIndex.get(ifindex))).toEqual(port);
  });

  it('RTM_DELLINK reads like RTM_NEWLINK; RTM_DELNSID like RTM_NEWNSID', () => {
    expect(parseLinkMessage(retyped(messages[0], RTM_DELLINK))).toEqual(parseLinkMessage(messages[0]));
    const [assigned] = loadExchange('nsid-assigned').messages;
    expect(parseNsidReply(retyped(assigned, RTM_DELNSID))).toBe(parseNsidReply(assigned));
  });
});
