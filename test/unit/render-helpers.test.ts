import { describe, expect, test } from 'vitest';
import { dotLabel, dotString } from '../../lib/render/dot-syntax';
import { renderDot } from '../../lib/render/dot';
import { renderText } from '../../lib/render/text';
import { buildGraph } from '../../lib/render/graph';
import { IdAllocator } from '../../lib/render/ids';
import { TopologyIndex } from '../../lib/render/lookup';
import { truncate, visibleText } from '../../lib/render/visible';
import type { Topology } from '../../lib/topology/model';
import { link, namespace } from '../fixtures/topology-builders';
import { parseDot, readSvg, runDot } from './graphviz';

describe('visibleText', () => {
  test('writes control and invisible characters as escapes and leaves the rest', () => {
    expect(visibleText('eth0')).toBe('eth0');
    expect(visibleText('a\nb\tc\rd')).toBe('a\\nb\\tc\\rd');
    expect(visibleText('\u001b[31m')).toBe('\\u{1B}[31m');
    expect(visibleText('\u202Eevil\u200B\uFEFF\u2028')).toBe('\\u{202E}evil\\u{200B}\\u{FEFF}\\u{2028}');
    expect(visibleText('\u0085\u007f')).toBe('\\u{85}\\u{7F}');
    // A lone surrogate is not valid UTF-8: it must not reach a file.
    expect(visibleText('x\uD800y')).toBe('x\\u{D800}y');
    expect(visibleText('ünïcødé 🙂 网络 \\ "')).toBe('ünïcødé 🙂 网络 \\ "');
  });

  test('truncate counts code points and marks the cut', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 3)).toBe('abc');
    expect(truncate('🙂🙂🙂', 2)).toBe('🙂…');
  });
});

describe('IdAllocator', () => {
  test('keys stay readable and become unique', () => {
    const ids = new IdAllocator();
    expect([ids.key('a/b'), ids.key('a/b'), ids.key('a/b')]).toEqual(['a/b', 'a/b#2', 'a/b#3']);
  });

  test('a key never starts with %, which Graphviz takes for one of its anonymous ids', async () => {
    const ids = new IdAllocator();
    expect([ids.key('_%x'), ids.key('%x'), ids.key('%x')]).toEqual(['_%x', '_%x#2', '_%x#3']);
    const source = `digraph { ${dotString(ids.key('%a'))} -> ${dotString(ids.key('%b'))} }`;
    expect(await parseDot(source)).toEqual({ clusters: [], nodes: ['_%a', '_%b'], edges: ['_%a->_%b'] });
  });

  test('slugs are [A-Za-z0-9_], unique, and never start like a Mermaid keyword or edge head', () => {
    const ids = new IdAllocator();
    const slugs = [
      'ns_1',
      'ns_1',
      'a-b',
      'a_b',
      '',
      '9x',
      'end',
      'ending',
      'o',
      'x1',
      'subgraph',
      'Style',
      '网络',
      '_',
    ].map((hint) => ids.slug(hint));
    expect(slugs).toEqual([
      'ns_1',
      'ns_1_2',
      'a_b',
      'a_b_2',
      'n_',
      'n_9x',
      'n_end',
      'n_ending',
      'n_o',
      'n_x1',
      'n_subgraph',
      'n_Style',
      'n___',
      'n__',
    ]);
    for (const slug of slugs) expect(slug).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/);
    expect(new Set(slugs).size).toBe(slugs.length);
  });
});

describe('DOT quoting', () => {
  test('escapes quote, backslash and ampersand, makes control characters visible', () => {
    expect(dotString('eth0@if7')).toBe('"eth0@if7"');
    expect(dotString('net:[4026531833]')).toBe('"net:[4026531833]"');
    expect(dotString('a"b\\')).toBe('"a\\"b\\\\"');
    expect(dotString('x\ny')).toBe('"x\\\\ny"');
    expect(dotLabel(['a\\N', 'b"'])).toBe('"a\\\\N\\nb\\""');
    // Graphviz would decode an entity in a label, and keep one in an id raw in its SVG.
    expect(dotString('a&foo;b')).toBe('"a&amp;foo;b"');
    expect(dotLabel(['&lt;'])).toBe('"&amp;lt;"');
    // Graphviz's WebAssembly build may crash on a label that starts with an empty line.
    expect(dotLabel(['', 'names: ', ''])).toBe('" \\nnames: \\n "');
  });

  test('a name ending in a backslash cannot escape its closing quote (checked by Graphviz)', async () => {
    const source = `digraph { ${dotString('a\\')} -> ${dotString('b\\"\\')} }\n`;
    expect((await runDot(source)).messages).toEqual([]);
    expect((await parseDot(source)).nodes).toEqual(['a\\\\', 'b\\\\"\\\\']);
  });
});

describe('malformed models', () => {
  /** Duplicate namespace ids, a pair given twice and reversed, ends missing from the link lists, an unknown namespace. */
  const malformed = (): Topology => ({
    format: 1,
    namespaces: [
      namespace({
        ino: 1,
        links: [link({ ifindex: 2, name: 'v0', kind: 'veth' }), link({ ifindex: 2, name: 'dup', kind: 'veth' })],
      }),
      namespace({ ino: 1, links: [link({ ifindex: 3, name: 'shadow', kind: 'dummy' })] }),
      namespace({ ino: 2 }),
    ],
    vethPairs: [
      { a: { ns: 'net:[1]', ifindex: 2, name: 'v0' }, b: { ns: 'net:[2]', ifindex: 7, name: 'gone' } },
      { a: { ns: 'net:[2]', ifindex: 7, name: 'gone' }, b: { ns: 'net:[1]', ifindex: 2, name: 'v0' } },
      { a: { ns: 'net:[1]', ifindex: 2, name: 'v0' }, b: { ns: 'net:[77]', ifindex: 1, name: 'far' } },
    ],
    unresolved: [{ end: { ns: 'net:[3]', ifindex: 4, name: 'lost' }, reason: 'no such namespace' }],
  });

  test('the index keeps the first of duplicates in render order and orders pair ends', () => {
    const index = new TopologyIndex(malformed());
    expect(index.link('net:[1]', 2)?.name).toBe('dup');
    expect(index.link('net:[1]', 3)).toBeUndefined();
    // Ends name their link by ifindex; the name they carry is what the pair said.
    expect(index.peer('net:[2]', 7)).toEqual({ ns: 'net:[1]', ifindex: 2, name: 'v0' });
    expect(index.vethPairs.map(({ a, b }) => `${a.ns}/${a.name} ${b.ns}/${b.name}`)).toEqual([
      'net:[1]/v0 net:[2]/gone',
      'net:[1]/v0 net:[2]/gone',
      'net:[1]/v0 net:[77]/far',
    ]);
  });

  test('the graph draws every node once, made-up nodes for missing ends, one edge per pair', async () => {
    const graph = buildGraph(malformed());
    expect(graph.clusters.map((cluster) => cluster.key)).toEqual(['net:[1]', 'net:[1]#2', 'net:[2]']);
    expect(graph.clusters.map((cluster) => cluster.nodes.map((node) => `${node.role}:${node.key}`))).toEqual([
      ['interface:net:[1]/dup', 'interface:net:[1]/v0'],
      ['interface:net:[1]#2/shadow'],
      // The model lists no link there (the note says so), yet a pair names one: drawn as missing.
      ['note:net:[2]/(note)', 'missing:net:[2]/gone'],
    ]);
    expect(graph.looseNodes.map((node) => `${node.role}:${node.key}`)).toEqual([
      'missing:net:[77]/far',
      'missing:net:[3]/lost',
      'unknown-peer:?net:[3]/lost',
    ]);
    expect(graph.edges.map((edge) => `${edge.kind} ${edge.from.key} ${edge.to.key}`)).toEqual([
      'veth net:[1]/dup net:[2]/gone',
      'veth net:[1]/dup net:[77]/far',
      'unresolved net:[3]/lost ?net:[3]/lost',
    ]);
    const run = await runDot(renderDot(malformed()));
    expect(run.messages).toEqual([]);
    expect(readSvg(run.svg).nodes).toBe(8);
  });

  test('the text tree shows every listed link of every namespace, duplicates included', () => {
    const malformedWithPorts = malformed();
    // The duplicate namespace's port must not be hung under the first namespace's link of that index.
    malformedWithPorts.namespaces[1].links.push(link({ ifindex: 4, name: 'port', kind: 'veth', masterIndex: 2 }));
    const text = renderText(malformedWithPorts);
    for (const name of ['dup', 'v0', 'shadow', 'port']) expect(text).toMatch(new RegExp(`─ \\d+: ${name} `));
    // An end claimed by two pairs shows the first in the text (the pictures draw both edges).
    expect(text).toContain('2: dup  veth  UP  ⇄ gone in net:[2]');
  });
});
