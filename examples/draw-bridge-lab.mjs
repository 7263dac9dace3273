// Draws the bridge lab (examples/bridge-lab.mjs) with the command line, as the
// picture in docs/bridge-lab.md: the lab is brought up, `netns-native graph
// --format mermaid` maps its four namespaces, and the lab is torn down.
//
// usage: sudo node examples/draw-bridge-lab.mjs [OUTPUT.md]   (default docs/bridge-lab.md)
// Leaves nothing behind, also when drawing fails.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const output = process.argv[2] ?? path.join(root, 'docs', 'bridge-lab.md');
const names = ['lab-router', 'lab-red', 'lab-green', 'lab-blue'];

const lab = spawn(process.execPath, [path.join(root, 'examples', 'bridge-lab.mjs'), '--keep'],
  { stdio: ['ignore', 'pipe', 'inherit'] });
const ended = new Promise((resolve) => lab.once('exit', resolve));
try {
  await new Promise((resolve, reject) => {
    let said = '';
    lab.stdout.on('data', (chunk) => {
      said += chunk;
      if (said.includes('the lab is up')) resolve();
    });
    lab.once('exit', (code) => reject(new Error(`the lab ended (${code}) before it was up:\n${said}`)));
  });
  const bin = path.join(root, 'dist', 'cli', 'main.js');
  const mermaid = execFileSync(bin, ['graph', '--format', 'mermaid', '--direction', 'LR', '--no-containers', ...names],
    { encoding: 'utf8' });
  fs.writeFileSync(output, [
    '## The bridge lab, as `netns-native graph --format mermaid` draws it',
    '',
    'Made by `sudo node examples/draw-bridge-lab.mjs` from the lab of `examples/bridge-lab.mjs`: three',
    'namespaces whose `eth0` is peered to a port of `br0` in a fourth (inode numbers differ per run).',
    '',
    '```mermaid',
    mermaid.trimEnd(),
    '```',
    '',
  ].join('\n'));
  console.log(`wrote ${path.relative(process.cwd(), output)}`);
} finally {
  lab.kill('SIGINT'); // bridge-lab.mjs deletes its namespaces on SIGINT
  await ended;
}
