// The topology as a text tree for a terminal: one block per namespace, headed
// by its id and what identifies it; under it one line per interface in the
// spirit of `ip -br addr` (ifindex, name, kind, state, unusual MTU, addresses)
// plus, for a veth, where its other end is; a master's ports nested under it.
// One line per interface, so that `grep eth0` finds all there is to know.
import type { Link } from '../rtnl/model';
import type { Topology, TopologyNamespace, VethEnd } from '../topology/model';
import {
  errorText,
  formatAddress,
  namespaceAlias,
  namespaceFacts,
  namespaceHeadline,
  operstateText,
  unusualMtu,
} from './describe';
import { TopologyIndex } from './lookup';
import { paletteFor, type Palette } from './text-style';
import { visibleText } from './visible';

/** How {@link renderText} draws. */
export interface TextOptions {
  /** ANSI colours, as `ip -c` uses them. Default false: the caller decides (a TTY, NO_COLOR). */
  color?: boolean;
  /** Draw the tree and the veth arrow in ASCII instead of UTF-8 box-drawing characters. */
  ascii?: boolean;
}

interface Glyphs {
  branch: string;
  last: string;
  pipe: string;
  space: string;
  peer: string;
}

const UTF8: Glyphs = { branch: '├─ ', last: '└─ ', pipe: '│  ', space: '   ', peer: '⇄' };
const ASCII: Glyphs = { branch: '|- ', last: '`- ', pipe: '|  ', space: '   ', peer: '<->' };

/** One line of the tree and the lines nested under it. */
interface TreeItem {
  text: string;
  children: TreeItem[];
}

/**
 * A `topology()` map as a text tree for a terminal: one block per
 * namespace, headed by its id and what identifies it; under it one line per
 * interface in the spirit of `ip -br addr` (ifindex, name, kind, state,
 * unusual MTU, addresses), for a veth where its other end is, and a master's
 * ports nested under it: `grep eth0` finds all there is to know. Control
 * characters in names are shown escaped.
 */
export function renderText(topology: Topology, opts: TextOptions = {}): string {
  const view = new TextView(
    new TopologyIndex(topology),
    paletteFor(opts.color === true),
    opts.ascii === true ? ASCII : UTF8,
  );
  const blocks = view.index.namespaces.map((ns) => view.block(ns));
  return blocks.length === 0 ? '' : `${blocks.join('\n\n')}\n`;
}

class TextView {
  constructor(
    readonly index: TopologyIndex,
    private readonly paint: Palette,
    private readonly glyphs: Glyphs,
  ) {}

  block(ns: TopologyNamespace): string {
    const header = [this.paint.heading(namespaceHeadline(ns)), ...namespaceFacts(ns)].join('  ');
    return [header, ...this.drawTree(this.items(ns), '')].join('\n');
  }

  private items(ns: TopologyNamespace): TreeItem[] {
    const tree = this.index.linkTree(ns);
    const item = (link: Link): TreeItem => ({
      text: this.linkLine(ns, link),
      children: tree.childrenOf(link).map(item),
    });
    const items = tree.roots.map(item);
    if (ns.error !== undefined) items.push({ text: this.paint.error(`error: ${errorText(ns.error)}`), children: [] });
    else if (ns.links.length === 0) items.push({ text: '(no interfaces)', children: [] });
    return items;
  }

  /** `4: veth-red  veth  UP  mtu 9000  10.0.0.1/24 fd00::1/64  ⇄ eth0 in net:[4026532301] (red)` */
  private linkLine(ns: TopologyNamespace, link: Link): string {
    const parts = [
      `${link.ifindex}: ${this.paint.name(visibleText(link.name))}`,
      visibleText(link.kind),
      this.paint.state(operstateText(link)),
    ];
    const mtu = unusualMtu(link);
    if (mtu !== undefined) parts.push(`mtu ${mtu}`);
    const addresses = this.index
      .addressesOf(ns, link)
      .map((address) => this.paint.address(formatAddress(address), address.family));
    if (addresses.length > 0) parts.push(addresses.join(' '));
    const peer = this.peerText(ns, link);
    if (peer !== undefined) parts.push(peer);
    return parts.join('  ');
  }

  private peerText(ns: TopologyNamespace, link: Link): string | undefined {
    const peer = this.index.peer(ns.id, link.ifindex);
    if (peer !== undefined) return `${this.glyphs.peer} ${this.endText(peer)}`;
    const unresolved = this.index.unresolvedPeer(ns.id, link.ifindex);
    if (unresolved === undefined) return undefined;
    const where = [
      unresolved.linkIndex !== undefined ? `ifindex ${unresolved.linkIndex}` : undefined,
      unresolved.linkNetnsid !== undefined ? `nsid ${unresolved.linkNetnsid}` : undefined,
    ]
      .filter((part) => part !== undefined)
      .join(' in ');
    const unknown = this.paint.warning(where === '' ? '?' : `? ${where}`);
    return `${this.glyphs.peer} ${unknown} (${visibleText(unresolved.reason)})`;
  }

  /** `eth0 in net:[4026532301] (red)` */
  private endText(end: VethEnd): string {
    const ns = this.index.namespace(end.ns);
    const alias = ns === undefined ? undefined : namespaceAlias(ns);
    const where = `${visibleText(end.ns)}${alias === undefined ? '' : ` (${alias})`}`;
    return `${this.paint.name(visibleText(end.name))} in ${where}`;
  }

  private drawTree(items: readonly TreeItem[], prefix: string): string[] {
    const lines: string[] = [];
    items.forEach((item, i) => {
      const last = i === items.length - 1;
      lines.push(prefix + this.paint.tree(last ? this.glyphs.last : this.glyphs.branch) + item.text);
      lines.push(
        ...this.drawTree(item.children, prefix + this.paint.tree(last ? this.glyphs.space : this.glyphs.pipe)),
      );
    });
    return lines;
  }
}
