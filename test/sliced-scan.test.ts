// topology() on a host with many namespaces runs in slices: the event loop
// gets turns while the map is read, so a server or a live view that maps
// stays responsive. Turns are counted, not timed: a timer set to fire at
// once must fire during the map, many times, and the map must still be whole.
import { expect, it } from 'vitest';
import { topology } from '../lib/index';
import fs from 'node:fs';
import { onCleanup, tryRun } from './helpers';
import { ipBatch, runTag } from './net-helpers';

const COUNT = 60;

it('topology() lets the event loop run between slices of a map of many namespaces, and the map is whole', async () => {
  const names = Array.from({ length: COUNT }, (_, i) => `${runTag}-sl${i}`);
  onCleanup(() => {
    const left = names.filter((name) => fs.existsSync(`/run/netns/${name}`));
    if (left.length > 0) tryRun('sh', ['-c', left.map((name) => `ip netns delete ${name}`).join('; ')]);
  });
  ipBatch(
    undefined,
    names.flatMap((name, i) => [`netns add ${name}`, `link add ${runTag}s${i} type veth peer name eth0 netns ${name}`]),
  );

  let turns = 0;
  let ticking = true;
  const tick = (): void => {
    turns++;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  const started = performance.now();
  const map = await topology({ containers: false });
  const took = performance.now() - started;
  ticking = false;

  const ours = map.namespaces.filter((ns) => ns.names.some((name) => names.includes(name)));
  expect(ours).toHaveLength(COUNT);
  const pairs = map.vethPairs.filter(({ a, b }) => [a.name, b.name].some((name) => name.startsWith(`${runTag}s`)));
  expect(pairs).toHaveLength(COUNT);
  // The premise: a map this size takes several 5 ms slices (else it need not yield at all).
  expect(took).toBeGreaterThan(15);
  // Slice boundaries give the loop turns, in each of which the ticker runs once
  // (a map read in one go, as before slicing, lets it run once, after the map).
  expect(turns).toBeGreaterThanOrEqual(3);
});
