// Runs every benchmark in this folder, one after another.
// usage: sudo npm run bench
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const failed = [];
for (const file of fs
  .readdirSync(here)
  .filter((f) => f.endsWith('.mjs') && f !== 'run.mjs' && f !== 'harness.mjs')
  .sort()) {
  console.log(`\n## ${file}`);
  try {
    execFileSync(process.execPath, [path.join(here, file)], { stdio: 'inherit' });
  } catch {
    failed.push(file); // the others still run
  }
}
if (failed.length > 0) {
  console.log(`\nfailed: ${failed.join(', ')}`);
  process.exitCode = 1;
}
