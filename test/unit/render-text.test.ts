import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { renderText } from '../../lib/render/text';
import type { Topology } from '../../lib/topology/model';
import { bridgeLab } from '../fixtures/topology-bridge-lab';
import { hostileTopology } from '../fixtures/topology-hostile';
import { link, namespace } from '../fixtures/topology-builders';

const GOLDEN = fs.readFileSync(path.join(__dirname, '../fixtures/topology-bridge-lab.txt'), 'utf8');
const ESC = '\u001b';
/** An SGR sequence, as the palette writes them. */
const ANSI = new RegExp(`${ESC}\\[[0-9;]*m`, 'g');
/** A control character other than newline. */
const CONTROL = /[^\P{Cc}\n]/u;

describe('renderText', () => {
  test('the bridge lab, without colour, is the golden file', () => {
    expect(renderText(bridgeLab())).toBe(GOLDEN);
  });

  test('without colour there is no escape sequence, nor any control character but newline', () => {
    for (const topology of [bridgeLab(), hostileTopology()]) {
      expect(renderText(topology)).not.toMatch(CONTROL);
      expect(renderText(topology, { color: false })).toBe(renderText(topology));
    }
  });

  test('with colour, the same text with ip -c colours around names, states and addresses', () => {
    const colored = renderText(bridgeLab(), { color: true });
    expect(colored.replace(ANSI, '')).toBe(GOLDEN);
    expect(colored).toContain('\u001b[1mnet:[4026531840] (current)\u001b[0m');
    expect(colored).toContain(
      '\u001b[36meth0\u001b[0m  device  \u001b[32mUP\u001b[0m  \u001b[35m192.0.2.10/24\u001b[0m \u001b[34m2001:db8::10/64\u001b[0m',
    );
    expect(colored).toContain('loopback  \u001b[31mDOWN\u001b[0m');
    expect(colored).toContain('\u001b[31merror: EACCES: permission denied');
  });

  test('a hostile name cannot smuggle an escape sequence in, even with colour on', () => {
    const colored = renderText(hostileTopology(), { color: true });
    // Every ESC in the output starts one of our own SGR sequences.
    expect(colored.replace(ANSI, '')).not.toContain(ESC);
    expect(colored).toContain('\\u{1B}[2J\\u{1B}[31mred');
    expect(colored).toContain('\\u{202E}evil');
  });

  test('ascii draws the same tree with ASCII glyphs', () => {
    const ascii = renderText(bridgeLab(), { ascii: true });
    expect(ascii).toMatch(/^[\x20-\x7e\n]*$/);
    expect(ascii).toBe(
      GOLDEN.replace(/├─ /g, '|- ').replace(/└─ /g, '`- ').replace(/│ {2}/g, '|  ').replace(/⇄/g, '<->'),
    );
  });

  test('ports nest under their master at any depth; a master cycle is drawn flat, nothing lost', () => {
    const topology: Topology = {
      format: 1,
      namespaces: [
        namespace({
          ino: 1,
          links: [
            link({ ifindex: 1, name: 'bond0', kind: 'bond', masterIndex: 2 }),
            link({ ifindex: 2, name: 'br0', kind: 'bridge' }),
            link({ ifindex: 3, name: 'eth1', kind: 'device', master: 'bond0' }),
            link({ ifindex: 4, name: 'loopa', kind: 'dummy', masterIndex: 5 }),
            link({ ifindex: 5, name: 'loopb', kind: 'dummy', masterIndex: 4 }),
            link({ ifindex: 6, name: 'self', kind: 'dummy', masterIndex: 6 }),
            link({ ifindex: 7, name: 'orphan', kind: 'dummy', masterIndex: 99 }),
          ],
        }),
      ],
      vethPairs: [],
      unresolved: [],
    };
    expect(renderText(topology)).toBe(
      [
        'net:[1]',
        '├─ 2: br0  bridge  UP',
        '│  └─ 1: bond0  bond  UP',
        '│     └─ 3: eth1  device  UP',
        '├─ 4: loopa  dummy  UP',
        '├─ 5: loopb  dummy  UP',
        '├─ 6: self  dummy  UP',
        '└─ 7: orphan  dummy  UP',
        '',
      ].join('\n'),
    );
  });

  test('a namespace with no interface says so; a veth end in an unknown namespace shows its id', () => {
    const topology: Topology = {
      format: 1,
      namespaces: [
        namespace({ ino: 1, links: [link({ ifindex: 2, name: 'v0', kind: 'veth' })] }),
        namespace({ ino: 2, pids: [30, 20] }),
      ],
      vethPairs: [{ a: { ns: 'net:[1]', ifindex: 2, name: 'v0' }, b: { ns: 'net:[9]', ifindex: 5, name: 'v1' } }],
      unresolved: [],
    };
    expect(renderText(topology)).toBe(
      ['net:[1]', '└─ 2: v0  veth  UP  ⇄ v1 in net:[9]', '', 'net:[2]  pids: 20, 30', '└─ (no interfaces)', ''].join(
        '\n',
      ),
    );
  });

  test("a container's end names the container, Docker's and Podman's alike (Podman's netns-<uuid> name says less)", () => {
    const podmanNetns = 'netns-48f5d2c1-7b3e-4a9f-8c6d-2e1f0a9b8c7d';
    const hostEnd = (ifindex: number, name: string) => link({ ifindex, name, kind: 'veth', linkIndex: 2 });
    const containerEth0 = link({ ifindex: 2, name: 'eth0', kind: 'veth', linkIndex: 3 });
    const topology: Topology = {
      format: 1,
      namespaces: [
        namespace({
          ino: 1,
          current: true,
          links: [hostEnd(3, 'veth-docker'), hostEnd(4, 'veth-podman'), hostEnd(5, 'veth-plain')],
        }),
        namespace({
          ino: 2,
          nsfs: ['/var/run/docker/netns/5c1d2e3f4a5b'],
          container: { id: '3f2a9c8e1b7d4a6f', name: 'web', runtime: 'docker' },
          links: [containerEth0],
        }),
        namespace({
          ino: 3,
          names: [podmanNetns],
          nsfs: [`/run/netns/${podmanNetns}`],
          container: { id: '9e0c2b5d8a1f4e7c', name: 'db', runtime: 'podman' },
          links: [containerEth0],
        }),
        // Without a container, the name is still the best there is.
        namespace({ ino: 4, names: ['plain'], links: [containerEth0] }),
      ],
      vethPairs: [
        { a: { ns: 'net:[1]', ifindex: 3, name: 'veth-docker' }, b: { ns: 'net:[2]', ifindex: 2, name: 'eth0' } },
        { a: { ns: 'net:[1]', ifindex: 4, name: 'veth-podman' }, b: { ns: 'net:[3]', ifindex: 2, name: 'eth0' } },
        { a: { ns: 'net:[1]', ifindex: 5, name: 'veth-plain' }, b: { ns: 'net:[4]', ifindex: 2, name: 'eth0' } },
      ],
      unresolved: [],
    };
    const lines = renderText(topology).split('\n');
    expect(lines).toContain('├─ 3: veth-docker  veth  UP  ⇄ eth0 in net:[2] (container web)');
    expect(lines).toContain('├─ 4: veth-podman  veth  UP  ⇄ eth0 in net:[3] (container db)');
    expect(lines).toContain('└─ 5: veth-plain  veth  UP  ⇄ eth0 in net:[4] (plain)');
    // The Podman namespace's own header keeps both facts.
    expect(lines).toContain(`net:[3]  names: ${podmanNetns}  container: db (podman 9e0c2b5d8a1f)`);
    expect(renderText(topology)).not.toMatch(new RegExp(`⇄ .*\\(${podmanNetns}\\)`));
  });

  test('an empty topology renders as nothing', () => {
    expect(renderText({ format: 1, namespaces: [], vethPairs: [], unresolved: [] })).toBe('');
  });
});
