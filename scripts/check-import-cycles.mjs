// Fails when modules of lib/ import each other's values in a cycle (type-only
// imports are fine: they vanish at runtime). Each folder of lib/ must be
// readable and testable on its own, and a cycle works only by laziness.
// Also fails when the library imports the command line (lib/cli): the command
// line is a layer over the library, never part of it.
// usage: node scripts/check-import-cycles.mjs
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const root = path.resolve('lib');
const files = [];
(function walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.push(full);
  }
})(root);

/** Whether an import or export declaration brings in a value at runtime. */
function importsValue(node) {
  if (ts.isImportDeclaration(node)) {
    const clause = node.importClause;
    if (!clause) return true; // side-effect import
    if (clause.isTypeOnly) return false;
    if (clause.name) return true;
    const bindings = clause.namedBindings;
    if (!bindings || ts.isNamespaceImport(bindings)) return true;
    return bindings.elements.some((element) => !element.isTypeOnly);
  }
  if (ts.isExportDeclaration(node)) {
    if (node.isTypeOnly) return false;
    const clause = node.exportClause;
    return !clause || !ts.isNamedExports(clause) || clause.elements.some((element) => !element.isTypeOnly);
  }
  return false;
}

const edges = new Map();
for (const file of files) {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const targets = new Set();
  for (const statement of source.statements) {
    const specifier = statement.moduleSpecifier;
    if (!specifier || !ts.isStringLiteral(specifier) || !specifier.text.startsWith('.')) continue;
    if (!importsValue(statement)) continue;
    const base = path.resolve(path.dirname(file), specifier.text);
    const target = [`${base}.ts`, path.join(base, 'index.ts')].find((candidate) => files.includes(candidate));
    if (target) targets.add(target);
  }
  edges.set(file, targets);
}

const cli = path.join(root, 'cli') + path.sep;
for (const [file, targets] of edges) {
  if (file.startsWith(cli)) continue;
  const intoCli = [...targets].find((target) => target.startsWith(cli));
  if (intoCli) {
    console.error(
      `the library imports the command line: ${path.relative(process.cwd(), file)} -> ` +
        path.relative(process.cwd(), intoCli),
    );
    process.exit(1);
  }
}

const state = new Map(); // 1: on the current path, 2: done
const trail = [];
function visit(file) {
  state.set(file, 1);
  trail.push(file);
  for (const next of edges.get(file)) {
    if (state.get(next) === 1) {
      const cycle = [...trail.slice(trail.indexOf(next)), next].map((f) => path.relative(process.cwd(), f));
      console.error(`value import cycle: ${cycle.join(' -> ')}`);
      process.exit(1);
    }
    if (!state.has(next)) visit(next);
  }
  trail.pop();
  state.set(file, 2);
}
for (const file of files) if (!state.has(file)) visit(file);
console.log(`no value import cycles among ${files.length} modules of lib/`);
