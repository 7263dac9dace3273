// The live page in a real browser: Debian's Chromium, headless, driven over
// the DevTools protocol by puppeteer-core (which downloads nothing; the
// browser is CHROMIUM_PATH or /usr/bin/chromium). A lab of named namespaces
// and a veth pair is made with the library, and the page is watched while
// the library changes it. The page's own DOM is read with expressions
// evaluated in the page (strings: the project has no DOM types).
// Run with: npm run test:browser
import fs from 'node:fs';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { NetNamespace, createVeth, waitForAddress, waitForLink } from '../../lib/index';
import { onCleanup, repoRoot, run } from '../helpers';
import { runTag } from '../net-helpers';
import { startServer } from '../serve-helpers';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOT = path.join(repoRoot, 'docs', 'live-graph.png');
const HOSTILE = 'a"<b>';
const name = (suffix: string) => `serve-${runTag}-${suffix}`;

/** A named namespace made with the library, deleted after the test (if still there). */
function namedNamespace(n: string): NetNamespace {
  const handle = NetNamespace.createNamed(n);
  onCleanup(() => {
    handle.close();
    if (fs.existsSync(`/run/netns/${n}`)) NetNamespace.delete(n);
  });
  return handle;
}

async function launch(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`this test needs Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
  }
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root (as these tests run) needs --no-sandbox; the page is our own.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  onTestFinished(() => browser.close());
  return browser;
}

/** Waits until a JavaScript expression is true in the page; fails after `ms`. */
async function pageUntil(page: Page, expression: string, ms: number): Promise<number> {
  const start = performance.now();
  await page.waitForFunction(expression, { timeout: ms, polling: 'mutation' });
  return performance.now() - start;
}

/** A CSS attribute selector matching `value` exactly (a JSON string is a valid CSS string). */
const attr = (name: string, value: string) => `[${name}=${JSON.stringify(value)}]`;
/** An expression: the side list box of namespace `id` (or null). */
const nsBox = (id: string) => `document.querySelector(${JSON.stringify(`#side .ns${attr('data-ns', id)}`)})`;
/** An expression: the list item of interface `ifname` in namespace `id`'s box. */
const linkItem = (id: string, ifname: string) =>
  `${nsBox(id)}?.querySelector(${JSON.stringify(`li${attr('data-ifname', ifname)}`)})`;
/** An expression: the `data-state` of that item. */
const linkState = (id: string, ifname: string) => `(${linkItem(id, ifname)}?.dataset.state)`;
/** An expression: all text drawn in the SVG picture. */
const svgText = `[...document.querySelectorAll('#picture svg text')].map((t) => t.textContent).join('\\n')`;
/** An expression: the SVG edges' titles (DOT node keys "net:[INO]/ifname->net:[INO]/ifname"). */
const svgEdges = `[...document.querySelectorAll('#picture svg g.edge > title')].map((t) => t.textContent)`;

describe('the live page in Chromium', () => {
  it('draws a lab, follows a link going down, a namespace coming and going, and keeps hostile names text', async () => {
    const names = [name('wa'), name('wb')];
    const [a, b] = names.map(namedNamespace);
    createVeth({ name: 'eth0', ns: a }, { name: 'eth0', ns: b });
    for (const ns of [a, b]) ns.setLink('eth0', { up: true });
    for (const ns of [a, b]) {
      await waitForLink(ns, 'eth0', { state: 'carrier', timeout: 5000 });
      await waitForAddress(ns, { ifname: 'eth0', settled: true, timeout: 5000 });
    }
    const ids = names.map((n) => `net:[${fs.statSync(`/run/netns/${n}`).ino}]`);

    const { base, server } = await startServer();
    onTestFinished(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    const browser = await launch();
    const page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 620 });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${String(error)}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    await page.goto(`${base}/`, { waitUntil: 'domcontentloaded' });

    // The lab is drawn: both namespaces in the SVG and the side list, the veth pair as an edge and a list item.
    await pageUntil(
      page,
      `${nsBox(ids[0])} && ${nsBox(ids[1])} && ${names.map((n) => `${svgText}.includes(${JSON.stringify(`names: ${n}`)})`).join(' && ')}`,
      10_000,
    );
    const edges = (await page.evaluate(svgEdges)) as string[];
    expect(edges.some((t) => t.includes(`${ids[0]}/eth0`) && t.includes(`${ids[1]}/eth0`))).toBe(true);
    const pairs = (await page.evaluate(
      `[...document.querySelectorAll('#side .pairs li')].map((li) => li.textContent)`,
    )) as string[];
    expect(pairs).toContain(`eth0 @ ${names[0]} ↔ eth0 @ ${names[1]}`);
    expect(await page.evaluate(linkState(ids[0], 'eth0'))).toBe('up');
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    expect(fs.statSync(SCREENSHOT).size).toBeGreaterThan(10_000);

    // A link brought down with the library: the side list and the picture change within a second.
    const before = Number(await page.evaluate('document.body.dataset.generation'));
    const before0 = (await page.evaluate(svgText)) as string;
    a.setLink('eth0', { up: false });
    const tookDown = await pageUntil(
      page,
      `${linkState(ids[0], 'eth0')} === 'down' && Number(document.body.dataset.generation) > ${before}`,
      5000,
    );
    expect(tookDown).toBeLessThan(1000);
    expect(await page.evaluate(svgText)).not.toBe(before0);

    // A namespace made with the library appears, then goes when deleted.
    const extra = name('wnew');
    const made = namedNamespace(extra);
    const extraId = `net:[${fs.statSync(`/run/netns/${extra}`).ino}]`;
    const tookNew = await pageUntil(
      page,
      `${nsBox(extraId)} !== null && ${svgText}.includes(${JSON.stringify(`names: ${extra}`)})`,
      5000,
    );
    expect(tookNew).toBeLessThan(1000);
    made.close();
    NetNamespace.delete(extra);
    const tookGone = await pageUntil(
      page,
      `${nsBox(extraId)} === null && !${svgText}.includes(${JSON.stringify(extraId)})`,
      5000,
    );
    expect(tookGone).toBeLessThan(1000);

    // A hostile interface name is text in the side list and the picture, never markup.
    run('ip', ['-n', names[0], 'link', 'add', HOSTILE, 'type', 'veth', 'peer', 'name', 'p0']);
    await pageUntil(page, `${linkState(ids[0], HOSTILE)} !== undefined`, 5000);
    await pageUntil(page, `${svgText}.includes(${JSON.stringify(HOSTILE)})`, 5000);
    expect(await page.evaluate(`document.querySelectorAll('b').length`)).toBe(0);
    const item = (await page.evaluate(`${linkItem(ids[0], HOSTILE)}.textContent`)) as string;
    expect(item).toContain(`${HOSTILE} (veth)`);

    // Nothing the page does was refused by its Content-Security-Policy, and nothing failed.
    expect(problems).toEqual([]);
  });
});
