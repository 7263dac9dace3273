import { describe, expect, test } from 'vitest';
import { renderDot } from '../../lib/render/dot';
import { dotString } from '../../lib/render/dot-syntax';
import { buildGraph, type TopologyGraph } from '../../lib/render/graph';
import type { Topology } from '../../lib/topology/model';
import { BRIDGE_LAB_COUNTS, bridgeLab } from '../fixtures/topology-bridge-lab';
import { HOSTILE_COUNTS, hostileTopology } from '../fixtures/topology-hostile';
import { RANDOM_COUNTS, randomTopology } from '../fixtures/topology-random';
import { link, namespace } from '../fixtures/topology-builders';
import { parseDot, readSvg, runDot, type ParsedDot } from './graphviz';

/**
 * Graphviz keeps `\\` in an id as two backslashes (only `\"` is unescaped in a
 * quoted id), and `&amp;` as written (our DOT writes `&` so: see dot-syntax.ts).
 */
const asGraphvizName = (key: string): string => key.replace(/\\/g, '\\\\').replace(/&/g, '&amp;');

const sorted = (items: string[]): string[] => [...items].sort();

/** What Graphviz must have parsed, in its own spelling and sorted: every cluster, node and edge of the graph. */
function expectedNames(graph: TopologyGraph): ParsedDot {
  const nodes = [...graph.clusters.flatMap((cluster) => cluster.nodes), ...graph.looseNodes];
  return {
    clusters: sorted(graph.clusters.map((cluster) => asGraphvizName(`cluster_${cluster.key}`))),
    nodes: sorted(nodes.map((node) => asGraphvizName(node.key))),
    edges: sorted(graph.edges.map((edge) => `${asGraphvizName(edge.from.key)}->${asGraphvizName(edge.to.key)}`)),
  };
}

/** Drawn by dot without a warning; read back as Graphviz parsed it. */
async function drawn(topology: Topology) {
  const dot = renderDot(topology);
  const run = await runDot(dot);
  expect(run.messages).toEqual([]);
  expect(run.status).toBe('success');
  return { dot, svg: readSvg(run.svg), parsed: await parseDot(dot) };
}

describe('renderDot on the bridge lab', () => {
  test('Graphviz draws it without a warning, with one cluster per namespace and every node and edge', async () => {
    const { svg, parsed } = await drawn(bridgeLab());
    expect(svg).toMatchObject(BRIDGE_LAB_COUNTS);
    expect(parsed).toEqual(expectedNames(buildGraph(bridgeLab())));
  });

  test('clusters are named and labelled after plotnetcfg: id, names, container, pids, command', async () => {
    const { dot, svg, parsed } = await drawn(bridgeLab());
    expect(parsed.clusters).toEqual([
      'cluster_net:[4026531840]',
      'cluster_net:[4026532301]',
      'cluster_net:[4026532388]',
      'cluster_net:[4026532455]',
      'cluster_net:[4026532510]',
    ]);
    expect(dot).toContain('subgraph "cluster_net:[4026532388]" {');
    expect(svg.texts).toEqual(
      expect.arrayContaining([
        'net:[4026531840] (current)',
        'pids: 1, 512, 733, 901, 1020 +2 more',
        'cmd: /sbin/init splash',
        'names: red',
        'container: web (docker 3f2a9c8e1b7d)',
        'nsfs: /var/run/docker/netns/5c1d2e3f4a5b',
      ]),
    );
  });

  test('interfaces are quoted ns/name nodes labelled name (kind), unusual MTU, addresses, and filled by state', async () => {
    const { dot, svg } = await drawn(bridgeLab());
    expect(dot).toContain(
      '"net:[4026532388]/eth0" [label="eth0 (veth)\\nmtu 1450\\n10.10.0.3/24\\nfd00:10::3/64", ' +
        'style="filled", fillcolor="darkolivegreen1"]',
    );
    expect(dot).toContain(
      '"net:[4026531840]/veth-lost" [label="veth-lost (veth)\\nLOWERLAYERDOWN", style="filled", fillcolor="pink"]',
    );
    expect(dot).toContain('"net:[4026532455]/lo" [label="lo (loopback)\\nDOWN", style="filled", fillcolor="grey"]');
    expect(svg.texts).toEqual(expect.arrayContaining(['eth0 (device)', '192.0.2.10/24', '2001:db8::10/64']));
    // The loopback's MTU is not news (plotnetcfg's rule), nor is 1500.
    expect(dot).not.toMatch(/mtu (65536|1500)/);
  });

  test('veth pairs are undirected edges across clusters, ports point at their bridge', async () => {
    const { dot } = await drawn(bridgeLab());
    expect(dot).toContain('"net:[4026531840]/veth-green" -> "net:[4026532388]/eth0" [dir="none"]\n');
    expect(dot).toContain('"net:[4026531840]/veth-green" -> "net:[4026531840]/br0"\n');
  });

  test('an unresolved peer is a dashed edge to a dashed "?" box saying what is known and why', async () => {
    const { dot, svg } = await drawn(bridgeLab());
    expect(dot).toContain('"net:[4026531840]/veth-lost" -> "?net:[4026531840]/veth-lost" [dir="none", style="dashed"]');
    expect(dot).toContain(
      '"?net:[4026531840]/veth-lost" [label="?\\nifindex 9 in nsid 5\\nnsid 5 names no namespace that could be opened", style="dashed"]',
    );
    expect(svg.texts).toContain('nsid 5 names no namespace that could be opened');
  });

  test('an unreadable namespace is a red cluster holding a note with the error', async () => {
    const { dot } = await drawn(bridgeLab());
    expect(dot).toContain('graph [label="net:[4026532510]\\nnames: locked", color="red", fontcolor="red"]');
    expect(dot).toContain(
      `"net:[4026532510]/(note)" [label="error: EACCES: permission denied, open '/run/netns/locked'", shape="note"]`,
    );
  });

  test('output is deterministic and does not depend on the input order', () => {
    const shuffled = bridgeLab();
    shuffled.namespaces.reverse();
    for (const ns of shuffled.namespaces) {
      ns.links.reverse();
    }
    shuffled.vethPairs.reverse();
    expect(renderDot(shuffled)).toBe(renderDot(bridgeLab()));
  });

  test('direction option sets rankdir', () => {
    expect(renderDot(bridgeLab(), { direction: 'LR' })).toContain('graph [rankdir="LR"]');
    expect(renderDot(bridgeLab())).toContain('graph [rankdir="TB"]');
  });
});

describe('renderDot on hostile names', () => {
  test('Graphviz parses exactly the intended clusters, nodes and edges: nothing injected', async () => {
    const { svg, parsed } = await drawn(hostileTopology());
    expect(svg).toMatchObject(HOSTILE_COUNTS);
    expect(parsed).toEqual(expectedNames(buildGraph(hostileTopology())));
  });

  test('labels come out as the names were (control characters made visible), with no escString expansion', async () => {
    const { svg } = await drawn(hostileTopology());
    expect(svg.texts).toEqual(
      expect.arrayContaining([
        'a"b\\ (veth)',
        'br-{};"\\ (bridge)',
        '--> x[ (dummy)',
        // \N and \G would expand to the node and graph name if the backslash were not doubled.
        'tab\\tname\\N\\G (weird"kind)',
        '\\u{202E}evil (veth)',
        'names: subgraph end',
        'container: web"]\\n---\\nx (dock\\er "; DROP TABL)',
        'reason with "quotes", \\backslash\\ and\\nnewline -> "x" ]; end',
      ]),
    );
    const names = svg.texts.find((text) => text.startsWith('names: '));
    expect(names).toContain('quote"d, semi;colon {brace}, style x:#f00;, ünïcødé 🙂 网络');
    expect(names).toContain('#quot;ent#35;');
    expect(names).toContain('\\u{1B}[2J\\u{1B}[31mred');
    expect(names).toContain('new\\nline');
  });

  test('every id is one quoted string, whatever it holds', () => {
    const dot = renderDot(hostileTopology());
    expect(dot).toContain(`subgraph ${dotString('cluster_net:[4026532601]" -> "pwn"; x [label="owned')} {`);
    expect(dot).toContain('subgraph "cluster_net:[4026532601]\\" -> \\"pwn\\"; x [label=\\"owned" {');
    expect(dot).toContain('"net:[4026532601]\\" -> \\"pwn\\"; x [label=\\"owned/a\\"b\\\\" [label=');
    // No raw control character reaches the output: one statement per line.
    expect(dot).not.toMatch(/[^\P{Cc}\n]|\u202e/u);
  });
});

describe('renderDot on generated names', () => {
  test.each(Array.from({ length: 25 }, (_, seed) => seed))(
    'seed %i: Graphviz parses exactly the intended graph',
    async (seed) => {
      const topology = randomTopology(seed);
      const { svg, parsed } = await drawn(topology);
      const errorNote = topology.namespaces[1].error === undefined ? 0 : 1;
      expect(svg).toMatchObject({ ...RANDOM_COUNTS, nodes: RANDOM_COUNTS.nodes + errorNote });
      expect(parsed).toEqual(expectedNames(buildGraph(topology)));
      // Every line of every label is drawn as written.
      const graph = buildGraph(topology);
      const lines = [
        ...graph.clusters.flatMap((cluster) => [
          cluster.title,
          ...cluster.facts,
          ...cluster.nodes.flatMap((node) => node.lines),
        ]),
        ...graph.looseNodes.flatMap((node) => node.lines),
      ];
      expect(svg.texts).toEqual(expect.arrayContaining(lines.filter((line) => line.trim() !== '')));
    },
  );

  test('empty strings are still valid ids and labels', async () => {
    const { parsed } = await drawn({
      format: 1,
      namespaces: [namespace({ ino: 1, id: '', names: [''], links: [link({ ifindex: 1, name: '', kind: '' })] })],
      vethPairs: [],
      unresolved: [{ end: { ns: '', ifindex: 1, name: '' }, reason: '' }],
    });
    expect(parsed).toEqual({ clusters: ['cluster_'], nodes: ['/', '?/'], edges: ['/->?/'] });
  });
});
