// @vitest-environment jsdom
// The README's picture of the bridge lab is made by examples/draw-bridge-lab.mjs
// (the tool's own mermaid output), not drawn by hand. Read back with
// Mermaid's parser it must still be that lab: four namespaces named lab-*,
// three veth pairs from the router's ports to each host's eth0, and three
// port arrows to the router's bridge. A hand edit that breaks the chart, or a
// block left behind by a renderer change, fails here instead of on GitHub.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { type ParsedFlowchart, parseFlowchart, shownLines } from './mermaid-parse';

const README = path.join(__dirname, '..', '..', 'README.md');
// The markers draw-bridge-lab.mjs writes between.
const START = '<!-- bridge-lab: made by examples/draw-bridge-lab.mjs -->';
const END = '<!-- bridge-lab: end -->';
const HOSTS = ['lab-red', 'lab-green', 'lab-blue'];

function bridgeLabBlock(): string {
  const text = fs.readFileSync(README, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END, start);
  expect(start, 'the bridge-lab start marker').toBeGreaterThanOrEqual(0);
  expect(end, 'the bridge-lab end marker').toBeGreaterThan(start);
  const fenced = /^```mermaid\n([\s\S]*)\n```$/.exec(text.slice(start + START.length, end).trim());
  expect(fenced, 'one ```mermaid block between the markers').not.toBeNull();
  return fenced![1];
}

/** What the picture shows: each vertex's first line (the interface) and the namespace names of each subgraph. */
function readPicture(chart: ParsedFlowchart) {
  const firstLine = new Map(chart.vertices.map((vertex) => [vertex.id, shownLines(vertex.text)[0]]));
  const namespaceOf = new Map<string, string>();
  for (const subgraph of chart.subgraphs) {
    const facts = subgraph.nodes.map((id) => firstLine.get(id) ?? '').find((line) => line.startsWith('names: '));
    for (const id of subgraph.nodes) namespaceOf.set(id, facts?.slice('names: '.length) ?? subgraph.title);
  }
  const end = (id: string) => `${namespaceOf.get(id)}/${firstLine.get(id)?.split(' ')[0]}`;
  const edgesOf = (type: string) =>
    chart.edges.filter((edge) => edge.type === type).map((edge) => [end(edge.start), end(edge.end)]);
  return { names: [...new Set(namespaceOf.values())], veths: edgesOf('arrow_open'), ports: edgesOf('arrow_point') };
}

describe("the README's bridge-lab picture", () => {
  test('is a Mermaid flowchart of the lab: 4 namespaces, 3 veth pairs, 3 ports on the bridge', async () => {
    const chart = await parseFlowchart(bridgeLabBlock());
    expect(chart.config).toEqual({});
    expect(chart.subgraphs).toHaveLength(4);
    expect(chart.edges).toHaveLength(6);
    const picture = readPicture(chart);
    expect(picture.names.sort()).toEqual(['lab-router', ...HOSTS].sort());
    const port = (host: string) => `lab-router/port-${host.slice('lab-'.length)}`;
    expect(picture.veths.sort()).toEqual(HOSTS.map((host) => [port(host), `${host}/eth0`]).sort());
    expect(picture.ports.sort()).toEqual(HOSTS.map((host) => [port(host), 'lab-router/br0']).sort());
  });
});
