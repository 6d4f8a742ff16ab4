#!/usr/bin/env node
// Reads every import of packages/core/src (or the directory given as the first argument) with the
// TypeScript compiler — `import`, `import type`, `export … from`, `import()` and `import('…').T` types —
// and checks two things: no import circles (Tarjan's strongly connected components), and no import
// from a lower layer to a higher one (the LAYERS table below, explained in docs/ARCHITECTURE.md).
// Exits 1 listing every circle and every upward import; exits 0 with a one-line summary otherwise.
//
//   node scripts/check-imports.mjs [root]
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * The layers, bottom first (docs/ARCHITECTURE.md explains each): a file may import from its own layer
 * or any layer below, never from one above. A file's layer is that of its directory (or, for a file at
 * the root, the file itself) — unless PLACED names it.
 */
export const LAYERS = [
  { name: 'base', prefixes: ['base/'] },
  { name: 'concerns', prefixes: ['concerns/'] },
  { name: 'options', prefixes: ['options/'] },
  { name: 'checks', prefixes: ['checks/'] },
  { name: 'engine', prefixes: ['engine/'] },
  { name: 'guard', prefixes: ['guard/'] },
  { name: 'surfaces', prefixes: ['surfaces/', 'index.ts', 'node.ts', 'opentelemetry.ts'] },
];
export const PLACED = [];

const matches = (prefixes, path) => prefixes.some((p) => (p.endsWith('/') ? path.startsWith(p) : path === p));

/** The layer (an index into LAYERS) of a root-relative path, or -1 if nothing matches. */
export function layerOf(path) {
  const placed = PLACED.find((entry) => matches(entry.prefixes, path));
  if (placed) return LAYERS.findIndex((layer) => layer.name === placed.layer);
  return LAYERS.findIndex((layer) => matches(layer.prefixes, path));
}

/** Every `.ts` file under `dir` (not `.d.ts`), as root-relative paths with `/` separators. */
function listFiles(root, dir = root) {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return listFiles(root, full);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [relative(root, full).split(sep).join('/')] : [];
  });
}

/** Every module specifier `file` names: static, type-only, re-export, dynamic and `import()` type. */
export function specifiersOf(fileName, text) {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found = [];
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const expr = node.moduleReference.expression;
      if (ts.isStringLiteral(expr)) found.push(expr.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteralLike(arg)) found.push(arg.text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * A relative specifier → the root-relative `.ts` file it names; `null` for a data file (`.json`);
 * undefined for a package or a file that does not exist.
 */
function resolveSpecifier(root, from, spec) {
  if (!spec.startsWith('.')) return undefined;
  const base = resolve(root, dirname(from), spec);
  if (!/\.(m|c)?js$/.test(base) && existsSync(base) && statSync(base).isFile()) return null;
  const candidates = [base.replace(/\.(m|c)?js$/, '.$1ts'), `${base}.ts`, join(base, 'index.ts'), base];
  const hit = candidates.find((c) => c.endsWith('.ts') && existsSync(c) && statSync(c).isFile());
  return hit && relative(root, hit).split(sep).join('/');
}

/** The import graph: file → the set of files it imports. Unresolvable relative imports are reported. */
export function importGraph(root) {
  const graph = new Map();
  const unresolved = [];
  for (const file of listFiles(root)) {
    const targets = new Set();
    for (const spec of specifiersOf(file, readFileSync(join(root, file), 'utf8'))) {
      const target = resolveSpecifier(root, file, spec);
      if (target) targets.add(target);
      else if (target === undefined && spec.startsWith('.')) unresolved.push(`${file} → ${spec}`);
    }
    graph.set(file, targets);
  }
  return { graph, unresolved };
}

/** Tarjan's strongly connected components with more than one file, or a file importing itself. */
export function circles(graph) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  let next = 0;
  const connect = (v) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.get(v)?.has(v)) found.push(component.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) connect(v);
  return found;
}

/** Every import whose target sits in a higher layer than its source, and every file in no layer. */
export function layerViolations(graph) {
  const upward = [];
  const unlayered = [];
  for (const [from, targets] of graph) {
    const own = layerOf(from);
    if (own < 0) {
      unlayered.push(from);
      continue;
    }
    for (const to of targets) {
      const theirs = layerOf(to);
      if (theirs > own) upward.push(`${from} (${LAYERS[own].name}) → ${to} (${LAYERS[theirs].name})`);
    }
  }
  return { upward: upward.sort(), unlayered: unlayered.sort() };
}

/** Check `root`; returns the exit code and the lines to print. */
export function checkImports(root) {
  const { graph, unresolved } = importGraph(root);
  const found = circles(graph);
  const { upward, unlayered } = layerViolations(graph);
  const lines = [];
  for (const component of found) lines.push(`circle (${component.length} files): ${component.join(', ')}`);
  for (const edge of upward) lines.push(`upward import: ${edge}`);
  for (const file of unlayered) lines.push(`file in no layer (add its directory to LAYERS in scripts/check-imports.mjs): ${file}`);
  for (const edge of unresolved) lines.push(`unresolved import: ${edge}`);
  if (lines.length > 0) {
    lines.unshift(`check-imports: ${found.length} circle(s), ${upward.length} upward import(s), ${unlayered.length} unlayered file(s), ${unresolved.length} unresolved import(s) in ${root}`);
    return { code: 1, lines };
  }
  const edges = [...graph.values()].reduce((n, targets) => n + targets.size, 0);
  return { code: 0, lines: [`check-imports: ${graph.size} files, ${edges} imports, no circle, no upward import (${LAYERS.length} layers)`] };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? fileURLToPath(new URL('../packages/core/src', import.meta.url)));
  const { code, lines } = checkImports(root);
  (code === 0 ? console.log : console.error)(lines.join('\n'));
  process.exit(code);
}
