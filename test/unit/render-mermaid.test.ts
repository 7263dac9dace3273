// @vitest-environment jsdom
import { describe, expect, test } from 'vitest';
import { buildGraph, type TopologyGraph } from '../../lib/render/graph';
import { renderMermaid } from '../../lib/render/mermaid';
import { mermaidLabel, mermaidText } from '../../lib/render/mermaid-syntax';
import type { Topology } from '../../lib/topology/model';
import { BRIDGE_LAB_COUNTS, bridgeLab } from '../fixtures/topology-bridge-lab';
import { HOSTILE_COUNTS, hostileTopology } from '../fixtures/topology-hostile';
import { RANDOM_COUNTS, randomTopology } from '../fixtures/topology-random';
import { link, namespace } from '../fixtures/topology-builders';
import { parseFlowchart, shownLines, type ParsedFlowchart } from './mermaid-parse';

const MERMAID_ID = /^[A-Za-z0-9_]+$/;
const OUR_CLASSES = ['up', 'nocarrier', 'down', 'dashed', 'failed', 'facts'];

/** Every id, label and link Mermaid parsed must be exactly the graph's: nothing more, nothing changed. */
function expectSameGraph(parsed: ParsedFlowchart, graph: TopologyGraph): void {
  const expectedVertices = new Map<string, string[]>();
  for (const cluster of graph.clusters) {
    if (cluster.facts.length > 0) expectedVertices.set(cluster.factsSlug, cluster.facts);
    for (const node of cluster.nodes) expectedVertices.set(node.slug, node.lines);
  }
  for (const node of graph.looseNodes) expectedVertices.set(node.slug, node.lines);

  expect(new Map(parsed.vertices.map((vertex) => [vertex.id, shownLines(vertex.text)]))).toEqual(expectedVertices);
  expect(parsed.subgraphs.map((subgraph) => [subgraph.id, shownLines(subgraph.title)])).toEqual(
    graph.clusters.map((cluster) => [cluster.slug, [cluster.title]]),
  );
  expect(parsed.edges.map((edge) => [edge.start, edge.end])).toEqual(
    graph.edges.map((edge) => [edge.from.slug, edge.to.slug]),
  );
  for (const name of parsed.classDefs) expect(OUR_CLASSES).toContain(name);
  expect(parsed.config).toEqual({});
}

async function parsed(topology: Topology) {
  const text = renderMermaid(topology);
  return { text, chart: await parseFlowchart(text) };
}

describe('renderMermaid on the bridge lab', () => {
  test("Mermaid's parser reads a subgraph per namespace, every interface and every link", async () => {
    const { chart } = await parsed(bridgeLab());
    expect(chart.subgraphs).toHaveLength(BRIDGE_LAB_COUNTS.clusters);
    // Each of the five namespaces has facts (names, pids, ...), shown as a note node.
    expect(chart.vertices).toHaveLength(BRIDGE_LAB_COUNTS.nodes + 5);
    expect(chart.edges).toHaveLength(BRIDGE_LAB_COUNTS.edges);
    expectSameGraph(chart, buildGraph(bridgeLab()));
  });

  test('ids are generated from inode and ifindex, [A-Za-z0-9_] only', async () => {
    const { text, chart } = await parsed(bridgeLab());
    for (const id of [...chart.vertices.map((v) => v.id), ...chart.subgraphs.map((s) => s.id)]) {
      expect(id).toMatch(MERMAID_ID);
    }
    expect(text).toContain('  subgraph ns_4026532388["net:[4026532388]"]\n');
    expect(text).toContain(
      '    ns_4026532388_facts>"container: web (docker 3f2a9c8e1b7d)<br>pids: 2301, 2350<br>' +
        'cmd: nginx: master process nginx -g daemon off#59;<br>nsfs: /var/run/docker/netns/5c1d2e3f4a5b"]\n',
    );
    expect(text).toContain('    ns_4026532388_if_2["eth0 (veth)<br>mtu 1450<br>10.10.0.3/24<br>fd00:10::3/64"]\n');
  });

  test('veth pairs are open links, ports arrows to the bridge, an unresolved peer a dotted link to "?"', async () => {
    const { text, chart } = await parsed(bridgeLab());
    const kinds = chart.edges.map((edge) => `${edge.type}/${edge.stroke}`);
    expect(kinds).toEqual([
      ...Array(3).fill('arrow_open/normal'),
      ...Array(3).fill('arrow_point/normal'),
      'arrow_open/dotted',
    ]);
    expect(text).toContain('  ns_4026531840_if_5 --- ns_4026532388_if_2\n');
    expect(text).toContain('  ns_4026531840_if_5 --> ns_4026531840_if_3\n');
    expect(text).toContain('  ns_4026531840_if_7 -.- ns_4026531840_if_7_peer\n');
    const unknown = chart.vertices.find((vertex) => vertex.id === 'ns_4026531840_if_7_peer');
    expect(unknown?.type).toBe('stadium');
    expect(shownLines(unknown?.text ?? '')).toEqual([
      '?',
      'ifindex 9 in nsid 5',
      'nsid 5 names no namespace that could be opened',
    ]);
  });

  test("interfaces get plotnetcfg's fills by state; the unreadable namespace is red", async () => {
    const { chart } = await parsed(bridgeLab());
    const classesOf = (id: string) => chart.vertices.find((vertex) => vertex.id === id)?.classes;
    expect(classesOf('ns_4026531840_if_2')).toEqual(['up']);
    expect(classesOf('ns_4026531840_if_7')).toEqual(['nocarrier']);
    expect(classesOf('ns_4026532455_if_1')).toEqual(['down']);
    expect(classesOf('ns_4026532510_note')).toEqual(['failed']);
    expect(chart.subgraphs.find((subgraph) => subgraph.id === 'ns_4026532510')?.classes).toEqual(['failed']);
  });

  test('output is deterministic and does not depend on the input order', () => {
    const shuffled = bridgeLab();
    shuffled.namespaces.reverse();
    shuffled.vethPairs.reverse();
    for (const ns of shuffled.namespaces) ns.links.reverse();
    expect(renderMermaid(shuffled)).toBe(renderMermaid(bridgeLab()));
  });
});

describe('renderMermaid on hostile names', () => {
  test('Mermaid parses exactly the intended subgraphs, nodes and links, and every label shows the name', async () => {
    const { chart } = await parsed(hostileTopology());
    expect(chart.subgraphs).toHaveLength(HOSTILE_COUNTS.clusters);
    expect(chart.vertices).toHaveLength(HOSTILE_COUNTS.nodes + 2);
    expect(chart.edges).toHaveLength(HOSTILE_COUNTS.edges);
    expectSameGraph(chart, buildGraph(hostileTopology()));
  });

  test('no id is taken from a name, and no raw syntax character reaches a label', () => {
    const text = renderMermaid(hostileTopology());
    const statements = text.trimEnd().split('\n');
    // One statement per line; labels hold no raw quote, angle bracket, hash (other than entity codes) or percent.
    for (const line of statements) {
      const labels = [...line.matchAll(/"([^"]*)"/g)].map((match) => match[1]);
      for (const label of labels) {
        expect(label.replace(/<br>/g, '').replace(/#\d+;/g, '')).not.toMatch(/[<>"#%&`{}'\\;]/);
      }
      const outside = line.replace(/"[^"]*"/g, '""');
      expect(outside).not.toMatch(/[^A-Za-z0-9_ \-.>[\]()"#:,]/);
    }
  });

  test('an init directive in a name changes no configuration', async () => {
    const { chart } = await parsed(hostileTopology());
    expect(chart.config).toEqual({});
  });
});

describe('renderMermaid on generated names', () => {
  test.each(Array.from({ length: 25 }, (_, seed) => seed))(
    'seed %i: Mermaid parses exactly the intended graph',
    async (seed) => {
      const topology = randomTopology(seed);
      const { chart } = await parsed(topology);
      const errorNote = topology.namespaces[1].error === undefined ? 0 : 1;
      expect(chart.subgraphs).toHaveLength(RANDOM_COUNTS.clusters);
      // Both namespaces have facts (names; container), each shown as a note node.
      expect(chart.vertices).toHaveLength(RANDOM_COUNTS.nodes + errorNote + 2);
      expect(chart.edges).toHaveLength(RANDOM_COUNTS.edges);
      expectSameGraph(chart, buildGraph(topology));
    },
  );

  test('empty strings still make a valid diagram (Mermaid refuses [""])', async () => {
    const { chart } = await parsed({
      format: 1,
      namespaces: [namespace({ ino: 1, id: '', links: [link({ ifindex: 1, name: '', kind: '' })] })],
      vethPairs: [],
      unresolved: [{ end: { ns: '', ifindex: 1, name: '' }, reason: '' }],
    });
    expect(chart.subgraphs.map((subgraph) => subgraph.id)).toEqual(['ns_1']);
    expect(chart.vertices.map((vertex) => vertex.id)).toEqual(['ns_1_if_1', 'ns_1_if_1_peer']);
  });
});

describe('mermaidText', () => {
  test('encodes what Mermaid or HTML would read, keeps the rest readable', () => {
    expect(mermaidText('a"b')).toBe('a#34;b');
    expect(mermaidText('<b>&#35;')).toBe('#60;b#62;#38;#35;35#59;');
    expect(mermaidText('%%{init}%%')).toBe('#37;#37;#123;init#125;#37;#37;');
    expect(mermaidText("it's `x`")).toBe('it#39;s #96;x#96;');
    expect(mermaidText('net:[4026531840] fd00::1/64 (veth) a-b_c.d,e@f+g=h?i!')).toBe(
      'net:[4026531840] fd00::1/64 (veth) a-b_c.d,e@f+g=h?i!',
    );
    expect(mermaidText('ünïcødé 🙂')).toBe('ünïcødé 🙂');
    expect(mermaidText('ß°¶ﬂ')).toBe('#223;#176;#182;#64258;');
    // Control characters are first made visible (\n, \u{202E}), then the backslash and braces encoded.
    expect(mermaidText('line\nbreak\u202E')).toBe('line#92;nbreak#92;u#123;202E#125;');
  });

  test('spaces at either end survive Mermaid trimming the label; an empty label is not ""', () => {
    expect(mermaidText('  a b ')).toBe('#32;#32;a b#32;');
    expect(mermaidText(' ')).toBe('#32;');
    expect(mermaidLabel([''])).toBe('" "');
  });

  test('colons are encoded only on a line Mermaid would trim (style ...:...#...;)', () => {
    expect(mermaidText('style x:#f00;')).toBe('style x#58;#35;f00#59;');
    expect(mermaidLabel(['a:b', 'lifestyle'])).toBe('"a#58;b<br>lifestyle"');
    expect(mermaidLabel(['a:b', 'c'])).toBe('"a:b<br>c"');
  });
});
