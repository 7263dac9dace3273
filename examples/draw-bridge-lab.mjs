// Draws the bridge lab (examples/bridge-lab.mjs) with the command line, as the
// picture in README.md (between its bridge-lab markers): the lab is brought
// up, `netns-native graph --format mermaid` maps its four namespaces, and the
// lab is torn down.
//
// usage: sudo node examples/draw-bridge-lab.mjs [FILE.md]   (default README.md)
// Leaves nothing behind, also when drawing fails.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const output = process.argv[2] ?? path.join(root, 'README.md');
const START = '<!-- bridge-lab: made by examples/draw-bridge-lab.mjs -->';
const END = '<!-- bridge-lab: end -->';
const names = ['lab-router', 'lab-red', 'lab-green', 'lab-blue'];

const lab = spawn(process.execPath, [path.join(root, 'examples', 'bridge-lab.mjs'), '--keep'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
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
  const mermaid = execFileSync(
    bin,
    ['graph', '--format', 'mermaid', '--direction', 'LR', '--no-containers', ...names],
    { encoding: 'utf8' },
  );
  const text = fs.readFileSync(output, 'utf8');
  const [before, rest] = text.split(START);
  if (rest === undefined || !rest.includes(END)) throw new Error(`${output} has no ${START} ... ${END} markers`);
  const after = rest.slice(rest.indexOf(END));
  fs.writeFileSync(output, `${before}${START}\n\`\`\`mermaid\n${mermaid.trimEnd()}\n\`\`\`\n${after}`);
  console.log(`wrote ${path.relative(process.cwd(), output)}`);
} finally {
  lab.kill('SIGINT'); // bridge-lab.mjs deletes its namespaces on SIGINT
  await ended;
}
