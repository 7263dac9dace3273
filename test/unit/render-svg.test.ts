// @vitest-environment jsdom
// renderSvg: Graphviz's own SVG of the DOT picture, drawn in-process by its
// WebAssembly build; read back with a strict XML parser (jsdom), as a
// browser reads it, so a name that broke the markup would fail here.
import { describe, expect, test } from 'vitest';
import { renderSvg } from '../../lib/render/svg';
import { buildGraph } from '../../lib/render/graph';
import { visibleText } from '../../lib/render/visible';
import { GRAPHVIZ_PACKAGE, runGraphviz, type GraphvizModule } from '../../lib/render/graphviz-wasm';
import type { Topology } from '../../lib/topology/model';
import { BRIDGE_LAB_COUNTS, GREEN, bridgeLab } from '../fixtures/topology-bridge-lab';
import { HOSTILE_COUNTS, hostileTopology } from '../fixtures/topology-hostile';
import { RANDOM_COUNTS, randomTopology } from '../fixtures/topology-random';
import { link, namespace } from '../fixtures/topology-builders';
import { SVG_NAMESPACE, drawnGraph, parseSvg, type DrawnGraph } from './svg-xml';

/** Graphviz's name for a key: control characters made visible, `\` doubled (see render-dot.test.ts). */
const asGraphvizName = (key: string): string => visibleText(key).replace(/\\/g, '\\\\');

/** Every cluster, node and edge of the graph, as the SVG's titles must name them, sorted. */
function expectedTitles(topology: Topology): Omit<DrawnGraph, 'texts'> {
  const graph = buildGraph(topology);
  const nodes = [...graph.clusters.flatMap((cluster) => cluster.nodes), ...graph.looseNodes];
  return {
    clusters: graph.clusters.map((cluster) => asGraphvizName(`cluster_${cluster.key}`)).sort(),
    nodes: nodes.map((node) => asGraphvizName(node.key)).sort(),
    edges: graph.edges.map((edge) => `${asGraphvizName(edge.from.key)}->${asGraphvizName(edge.to.key)}`).sort(),
  };
}

/** A standalone SVG document: the XML declaration, then an `<svg>` root in the SVG namespace. */
async function drawn(topology: Topology, opts: { direction?: 'TB' | 'LR' } = {}) {
  const svg = await renderSvg(topology, opts);
  expect(svg).toMatch(/^<\?xml version="1\.0" encoding="UTF-8" standalone="no"\?>\n/);
  const root = parseSvg(svg);
  expect(root.tagName).toBe('svg');
  expect(root.namespaceURI).toBe(SVG_NAMESPACE);
  const graph = drawnGraph(root);
  return { svg, root, graph };
}

const sortedTitles = (graph: DrawnGraph) => ({
  clusters: [...graph.clusters].sort(),
  nodes: [...graph.nodes].sort(),
  edges: [...graph.edges].sort(),
});

describe('renderSvg on the bridge lab', () => {
  test('one cluster per namespace, every interface a node, every pair and port an edge', async () => {
    const { graph } = await drawn(bridgeLab());
    expect({ clusters: graph.clusters.length, nodes: graph.nodes.length, edges: graph.edges.length }).toEqual(
      BRIDGE_LAB_COUNTS,
    );
    expect(sortedTitles(graph)).toEqual(expectedTitles(bridgeLab()));
  });

  test('the labels are drawn: namespace facts, interface, addresses, the unresolved peer', async () => {
    const { graph } = await drawn(bridgeLab());
    expect(graph.texts).toEqual(
      expect.arrayContaining([
        'net:[4026531840] (current)',
        'container: web (docker 3f2a9c8e1b7d)',
        'eth0 (veth)',
        'mtu 1450',
        '10.10.0.3/24',
        'nsid 5 names no namespace that could be opened',
      ]),
    );
  });

  test('interfaces are filled by state and the unreadable namespace is red, as in the DOT', async () => {
    const { root } = await drawn(bridgeLab());
    const fill = (title: string): string | null | undefined =>
      Array.from(root.querySelectorAll('g.node'))
        .find((node) => node.querySelectorAll('title')[0]?.textContent === title)
        ?.querySelectorAll('polygon')[0]
        ?.getAttribute('fill');
    expect(fill(`${GREEN}/eth0`)).toBe('#caff70'); // darkolivegreen1: running
    expect(fill('net:[4026531840]/veth-lost')).toBe('pink'); // up without carrier
    expect(fill('net:[4026532455]/lo')).toBe('grey'); // down
    const locked = Array.from(root.querySelectorAll('g.cluster')).find(
      (cluster) => cluster.querySelectorAll('title')[0]?.textContent === 'cluster_net:[4026532510]',
    );
    expect(locked?.querySelectorAll('polygon')[0]?.getAttribute('stroke')).toBe('red');
  });

  test('the direction reaches Graphviz: the lab, wide from top to bottom, turns tall from left to right', async () => {
    const aspect = (root: { getAttribute(name: string): string | null }): number =>
      parseFloat(root.getAttribute('width') ?? '') / parseFloat(root.getAttribute('height') ?? '');
    // Five clusters side by side, two ranks deep (the bridge, its ports).
    expect(aspect((await drawn(bridgeLab())).root)).toBeGreaterThan(2);
    expect(aspect((await drawn(bridgeLab(), { direction: 'LR' })).root)).toBeLessThan(1);
  });

  test('the same model gives the same bytes', async () => {
    const shuffled = bridgeLab();
    shuffled.namespaces.reverse();
    expect(await renderSvg(shuffled)).toBe(await renderSvg(bridgeLab()));
  });
});

describe('renderSvg on hostile names', () => {
  /** Names that are markup, entities or their look-alikes, which Graphviz's SVG writer passes through. */
  const MARKUP = ['a"<b>&', '&foo;', '&amp;', '&#0;', '&#x110000;', '&#;', ']]>', '<!--', '--', "'"];

  const markupTopology = (): Topology => ({
    format: 1,
    namespaces: [
      namespace({
        ino: 77,
        id: 'net:[77]&lt;',
        names: MARKUP,
        links: MARKUP.map((name, i) => link({ ifindex: i + 1, name, kind: name })),
      }),
    ],
    vethPairs: [],
    unresolved: [{ end: { ns: 'net:[77]&lt;', ifindex: 1, name: MARKUP[0] }, reason: '<b>&nbsp;"</b>' }],
  });

  test('markup in names stays text: the SVG is well-formed and names every node as it is', async () => {
    const { graph } = await drawn(markupTopology());
    expect(sortedTitles(graph)).toEqual(expectedTitles(markupTopology()));
    expect(graph.texts).toEqual(
      expect.arrayContaining([
        ...MARKUP.map((name) => `${name} (${name})`),
        'net:[77]&lt;',
        `names: ${[...MARKUP].sort().join(', ')}`,
        '<b>&nbsp;"</b>',
      ]),
    );
  });

  test('the hostile fixture: exactly the intended clusters, nodes and edges, labels as written', async () => {
    const { graph } = await drawn(hostileTopology());
    expect(sortedTitles(graph)).toEqual(expectedTitles(hostileTopology()));
    expect(graph.nodes).toHaveLength(HOSTILE_COUNTS.nodes);
    expect(graph.texts).toEqual(expect.arrayContaining(['a"b\\ (veth)', 'br-{};"\\ (bridge)', 'names: subgraph end']));
  });

  test.each(Array.from({ length: 25 }, (_, seed) => seed))(
    'generated names, seed %i: well-formed, every item named as it is',
    async (seed) => {
      const topology = randomTopology(seed);
      const { graph } = await drawn(topology);
      expect(graph.clusters).toHaveLength(RANDOM_COUNTS.clusters);
      expect(sortedTitles(graph)).toEqual(expectedTitles(topology));
    },
  );
});

describe('the renderer package', () => {
  test('our declaration of it matches the types it ships', async () => {
    const renderer: GraphvizModule = await import('@viz-js/viz');
    expect(GRAPHVIZ_PACKAGE).toBe('@viz-js/viz');
    expect((await renderer.instance()).graphvizVersion).toMatch(/^\d+\.\d+\.\d+$/);
  });

  test('missing, it is named with how to install it, and nothing is remembered', async () => {
    const missing = 'netns-native-no-such-renderer';
    for (let attempt = 0; attempt < 2; attempt++) {
      const failure = await runGraphviz('digraph {}', 'svg', missing).then(
        () => undefined,
        (error: unknown) => error as Error & { code?: string },
      );
      expect(failure).toBeInstanceOf(Error);
      expect(failure?.code).toBe('NETNS_SVG_RENDERER_MISSING');
      expect(failure?.message).toContain(`optional package ${missing}`);
      expect(failure?.message).toContain(`npm install ${missing}`);
    }
  });
});
