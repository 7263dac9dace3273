// Fails when the modules of lib/ do not form layers:
// - two modules import each other, directly or around a circle, for values or
//   for types alone (a type-only circle vanishes at runtime but still means
//   neither module can be read, tested or faked without the other);
// - two folders import each other, through any of their modules (a folder is
//   a layer and imports only the layers below it). Each file directly in lib/
//   (errors.ts, binding.ts, ..., index.ts) counts as a layer of its own;
// - the library imports the command line (lib/cli): the command line is a
//   layer over the library, never part of it.
// The offending path is printed, one import per arrow.
// usage: node scripts/check-import-cycles.mjs [DIR]   (DIR defaults to lib)
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const root = path.resolve(process.argv[2] ?? 'lib');
const shown = (file) => {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') ? file : relative;
};
const files = [];
(function walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.push(full);
  }
})(root);
const known = new Set(files);

function resolveSpecifier(from, text) {
  if (!text.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), text);
  return [`${base}.ts`, path.join(base, 'index.ts')].find((candidate) => known.has(candidate));
}

/** Every module a file imports or re-exports from, values and types alike (also `import('./x').T`). */
function importsOf(file) {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const targets = new Set();
  const add = (text) => {
    const target = resolveSpecifier(file, text);
    if (target) targets.add(target);
  };
  (function visit(node) {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteral(node.moduleSpecifier)) add(node.moduleSpecifier.text);
    } else if (ts.isImportTypeNode(node)) {
      const argument = node.argument;
      if (ts.isLiteralTypeNode(argument) && ts.isStringLiteral(argument.literal)) add(argument.literal.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [specifier] = node.arguments;
      if (specifier && ts.isStringLiteral(specifier)) add(specifier.text);
    }
    ts.forEachChild(node, visit);
  })(source);
  return targets;
}

const edges = new Map(files.map((file) => [file, importsOf(file)]));

function fail(message) {
  console.error(message);
  process.exit(1);
}

// The command line is above everything.
const cli = path.join(root, 'cli') + path.sep;
for (const [file, targets] of edges) {
  if (file.startsWith(cli)) continue;
  const intoCli = [...targets].find((target) => target.startsWith(cli));
  if (intoCli) fail(`the library imports the command line: ${shown(file)} -> ${shown(intoCli)}`);
}

/**
 * One circle through each knot of a graph (Map node -> Set of nodes): each
 * list of nodes ends where it starts. Knots are found as strongly connected
 * components (Tarjan), so that every separate problem is reported at once.
 */
function findCycles(graph) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const knots = [];
  let counter = 0;
  function connect(node) {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        connect(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node), index.get(next)));
    }
    if (low.get(node) !== index.get(node)) return;
    const knot = new Set();
    let member;
    do {
      member = stack.pop();
      onStack.delete(member);
      knot.add(member);
    } while (member !== node);
    if (knot.size > 1 || graph.get(node)?.has(node)) knots.push(knot);
  }
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) connect(node);
  return knots.map((knot) => circleIn(graph, knot));
}

/** A shortest way from the knot's first node back to itself, inside the knot. */
function circleIn(graph, knot) {
  const start = [...knot].sort()[0];
  const cameFrom = new Map();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift();
    for (const next of [...(graph.get(node) ?? [])].sort()) {
      if (!knot.has(next) || cameFrom.has(next)) continue;
      cameFrom.set(next, node);
      if (next === start) {
        const between = [];
        for (let at = node; at !== start; at = cameFrom.get(at)) between.unshift(at);
        return [start, ...between, start];
      }
      queue.push(next);
    }
  }
  return [start, start];
}

const problems = findCycles(edges).map(
  (cycle) => `import cycle (type-only imports count): ${cycle.map(shown).join(' -> ')}`,
);

// Folders: lib/handle/x.ts belongs to layer 'handle'; lib/errors.ts is layer 'errors.ts'.
const layerOf = (file) => path.relative(root, file).split(path.sep)[0];
const layers = new Map();
const example = new Map(); // 'a -> b' -> one import that makes the arrow
for (const [file, targets] of edges) {
  const from = layerOf(file);
  if (!layers.has(from)) layers.set(from, new Set());
  for (const target of targets) {
    const to = layerOf(target);
    if (to === from) continue;
    layers.get(from).add(to);
    const arrow = `${from} -> ${to}`;
    if (!example.has(arrow)) example.set(arrow, `${shown(file)} -> ${shown(target)}`);
  }
}
for (const cycle of findCycles(layers)) {
  const arrows = cycle.slice(1).map((to, i) => `  ${example.get(`${cycle[i]} -> ${to}`)}`);
  problems.push(`folders import each other: ${cycle.join(' -> ')}\n${arrows.join('\n')}`);
}
if (problems.length > 0) fail(problems.join('\n'));

console.log(`no import cycles among ${files.length} modules and ${layers.size} layers of ${shown(root) || '.'}`);
