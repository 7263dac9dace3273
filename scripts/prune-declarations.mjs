// Keeps only the declaration files reachable from dist/index.d.ts: the
// published types show the public surface, not the internal modules behind
// it (fd owners, nsfs file records, the thread-switch record).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const reachable = new Set();
const visit = (file) => {
  if (reachable.has(file) || !fs.existsSync(file)) return;
  reachable.add(file);
  const text = fs.readFileSync(file, 'utf8');
  for (const [, from, dynamic] of text.matchAll(/from '(\.[^']+)'|import\('(\.[^']+)'\)/g)) {
    visit(path.resolve(path.dirname(file), `${from ?? dynamic}.d.ts`));
  }
};
visit(path.join(dist, 'index.d.ts'));

const walk = (dir) =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? walk(path.join(dir, entry.name)) : [path.join(dir, entry.name)]));
for (const file of walk(dist)) {
  if (file.endsWith('.d.ts') && !reachable.has(file)) fs.rmSync(file);
}
