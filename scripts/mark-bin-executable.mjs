// Makes the built `bin` files of package.json executable (tsc writes 0644),
// so that dist/cli/main.js runs from a clone as it does once npm installs it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const { bin } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
for (const file of Object.values(bin ?? {})) {
  const full = path.join(root, file);
  if (!fs.readFileSync(full, 'utf8').startsWith('#!/usr/bin/env node\n')) throw new Error(`${file}: no #! line`);
  fs.chmodSync(full, 0o755);
}
