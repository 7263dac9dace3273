// scripts/check-import-cycles.mjs on small trees of its own: it passes layers,
// and fails, naming the path, on a value circle, a type-only circle, two
// folders that import each other, and a library module importing the CLI.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const repoRoot = path.resolve(__dirname, '..', '..');
const checker = path.join(repoRoot, 'scripts', 'check-import-cycles.mjs');
const made: string[] = [];

afterEach(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A tree of .ts files (relative path -> content) in a fresh temp dir. */
function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layers-cycles-'));
  made.push(dir);
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

/** Runs the checker from the repo root (where typescript resolves), on `dir`. */
function check(dir: string) {
  const result = spawnSync(process.execPath, [checker, dir], { cwd: repoRoot, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr.replaceAll(dir + path.sep, '') };
}

const layered = {
  'errors.ts': 'export class Oops extends Error {}\n',
  'ref.ts': 'export interface Ref { fd: number }\n',
  'low/a.ts':
    "import { Oops } from '../errors';\nimport type { Ref } from '../ref';\nexport const a = (r: Ref) => { if (!r) throw new Oops(); };\n",
  'low/b.ts': "import { a } from './a';\nexport const b = a;\n",
  'high/c.ts':
    "import { b } from '../low/b';\nimport type { Ref } from '../ref';\nexport const c = (r: Ref) => b(r);\n",
  'cli/main.ts': "import { c } from '../high/c';\nc({ fd: 0 });\n",
  'index.ts': "export { c } from './high/c';\n",
};

// Each run starts node and loads typescript: seconds on a busy machine.
describe('check-import-cycles', { timeout: 60_000 }, () => {
  it('passes a tree whose modules and folders form layers', () => {
    const result = check(tree(layered));
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/no import cycles among 7 modules and 6 layers/);
  });

  it('fails on a value import circle and prints it', () => {
    const result = check(tree({ ...layered, 'low/a.ts': "import { b } from './b';\nexport const a = () => b;\n" }));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('import cycle (type-only imports count): low/a.ts -> low/b.ts -> low/a.ts');
  });

  it('fails on a circle made of type-only imports', () => {
    const result = check(
      tree({
        ...layered,
        'low/a.ts': "import type { B } from './b';\nexport interface A { b?: B }\n",
        'low/b.ts': "export type { A as Again } from './a';\nexport interface B { n: number }\n",
      }),
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('low/a.ts -> low/b.ts -> low/a.ts');
  });

  it('fails on an import() type that closes a circle', () => {
    const result = check(
      tree({
        ...layered,
        'errors.ts': "export type R = import('./ref').Ref;\n",
        'ref.ts': "import type { R } from './errors';\nexport interface Ref { fd: number; r?: R }\n",
      }),
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('errors.ts -> ref.ts -> errors.ts');
  });

  it('fails on two folders that import each other without any module circle, naming one import per arrow', () => {
    const result = check(
      tree({
        ...layered,
        'low/d.ts': "import type { Later } from '../high/later';\nexport type D = Later[];\n",
        'high/later.ts': 'export interface Later { at: number }\n',
      }),
    );
    expect(result.status).toBe(1);
    expect(result.stderr).not.toContain('import cycle');
    expect(result.stderr).toContain('folders import each other: high -> low -> high');
    expect(result.stderr).toContain('high/c.ts -> low/b.ts');
    expect(result.stderr).toContain('low/d.ts -> high/later.ts');
  });

  it('fails when the library imports the command line', () => {
    const result = check(tree({ ...layered, 'high/e.ts': "import '../cli/usage';\n", 'cli/usage.ts': 'export {};\n' }));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('the library imports the command line: high/e.ts -> cli/usage.ts');
  });

  it('passes lib/ itself', () => {
    const result = check(path.join(repoRoot, 'lib'));
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
