#!/usr/bin/env node
// Reads every import of packages/core/src (or the directory given as the first argument) with the
// TypeScript compiler — `import`, `import type`, `export … from`, `import()` and `import('…').T` types —
// and checks the layering of docs/ARCHITECTURE.md, whose tree is the LAYERS table below:
//   - the top-level folders are exactly the layers; the files beside them are the package's entries;
//   - a layer's subfolders are exactly its `folders` (a layer without `folders` has files only);
//   - no import circle between files, nor between folders (Tarjan's strongly connected components);
//   - no import from a lower layer to a higher one, nor from a folder to one listed after it in its layer;
//   - no file of a layer imports an entry (the entries sit above every layer).
// Exits 1 listing every problem; exits 0 with a one-line summary otherwise.
//
//   node scripts/check-imports.mjs [root]
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * The layers, bottom first, and the folders of each, bottom first (docs/ARCHITECTURE.md explains them):
 * `ls packages/core/src` lists the layers, `ls packages/core/src/<layer>` its folders. A file may import
 * from its own folder, a folder listed before it in its layer, or any lower layer — never upward.
 */
export const LAYERS = [
  // Vocabulary and helpers every layer uses: no option is resolved here, no request is checked.
  {
    name: 'base',
    folders: ['util', 'deny', 'claims', 'log', 'stores', 'audit', 'types', 'request', 'observe', 'http'],
  },
  // One concern each: its settings (`options.ts`: its part of GuardOptions, resolved) and its mechanism.
  {
    name: 'concerns',
    folders: ['token', 'pop', 'constraints', 'rate-limits', 'route', 'revocation', 'holds', 'metadata'],
  },
  // resolveOptions(): the concerns' settings assembled into the guard's settings and runtime.
  { name: 'options' },
  // CheckContext and one file per pipeline step.
  { name: 'checks' },
  // The pipeline as data, the engine that runs it, the decision a deny becomes.
  { name: 'engine' },
  // createGuard() and what the Guard object offers (holds API, health, readiness).
  { name: 'guard' },
  // Built on a guard: the Node HTTP helpers of the adapters, security events, the CLI.
  { name: 'surfaces', folders: ['node', 'events', 'cli'] },
];

/**
 * Where a root-relative path sits: its layer (an index into LAYERS, -1: none), its folder's index in that layer, its
 * folder.
 */
export function placeOf(path) {
  const [top, second, ...rest] = path.split('/');
  if (second === undefined) return { layer: -1, folder: -1, name: top, entry: true };
  const layer = LAYERS.findIndex((l) => l.name === top);
  if (layer < 0) return { layer, folder: -1, name: top, entry: false };
  const folders = LAYERS[layer].folders;
  if (rest.length === 0) return { layer, folder: folders ? -1 : 0, name: `${top}/`, entry: false };
  const folder = folders ? folders.indexOf(second) : -1;
  return { layer, folder, name: `${top}/${second}`, entry: false };
}

/** The layer (an index into LAYERS) of a root-relative path, or -1 for an entry or a file in no layer. */
export function layerOf(path) {
  return placeOf(path).layer;
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
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const expr = node.moduleReference.expression;
      if (ts.isStringLiteral(expr)) found.push(expr.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteralLike(arg)) found.push(arg.text);
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
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

/** A file's place is one LAYERS names: a layer's listed folder, or the top of a layer without folders. */
function misplaced(path) {
  const place = placeOf(path);
  if (place.entry) return undefined;
  if (place.layer < 0) return `${path}: ${place.name}/ is no layer (add it to LAYERS in scripts/check-imports.mjs)`;
  if (place.folder < 0) {
    const layer = LAYERS[place.layer];
    return layer.folders
      ? `${path}: ${place.name.endsWith('/') ? `a file directly in ${layer.name}/` : `${place.name}/ is not one of ${layer.name}'s folders`} (LAYERS lists ${layer.folders.join(', ')})`
      : `${path}: ${layer.name}/ has no subfolders in LAYERS`;
  }
  return undefined;
}

/**
 * Every import that runs upward — to a higher layer, or to a folder listed later in the same layer — or
 * into an entry, and every file LAYERS does not place.
 */
export function layerViolations(graph) {
  const upward = [];
  const unplaced = [];
  for (const [from, targets] of graph) {
    const problem = misplaced(from);
    if (problem) {
      unplaced.push(problem);
      continue;
    }
    const own = placeOf(from);
    if (own.entry) continue;
    for (const to of targets) {
      const theirs = placeOf(to);
      if (theirs.entry) upward.push(`${from} → ${to} (an entry: nothing inside a layer imports one)`);
      else if (theirs.layer > own.layer)
        upward.push(`${from} (${LAYERS[own.layer].name}) → ${to} (${LAYERS[theirs.layer].name})`);
      else if (theirs.layer === own.layer && theirs.folder > own.folder && own.folder >= 0)
        upward.push(`${from} (${own.name}) → ${to} (${theirs.name}, listed after it in LAYERS)`);
    }
  }
  return { upward: upward.sort(), unplaced: unplaced.sort() };
}

/**
 * The import graph read as folders: each layer's folder (or the layer's own files, or an entry) → the folders it
 * imports.
 */
export function folderGraph(graph) {
  const folders = new Map();
  for (const [from, targets] of graph) {
    const a = placeOf(from).name;
    if (!folders.has(a)) folders.set(a, new Set());
    for (const to of targets) {
      const b = placeOf(to).name;
      if (b !== a) folders.get(a).add(b);
    }
  }
  return folders;
}

/** Check `root`; returns the exit code and the lines to print. */
export function checkImports(root) {
  const { graph, unresolved } = importGraph(root);
  const found = circles(graph);
  const folderCircles = circles(folderGraph(graph));
  const { upward, unplaced } = layerViolations(graph);
  const layersOnDisk = readdirSync(root)
    .filter((name) => statSync(join(root, name)).isDirectory())
    .sort();
  const missing = LAYERS.map((l) => l.name).filter((name) => !layersOnDisk.includes(name));
  const extra = layersOnDisk.filter((name) => !LAYERS.some((l) => l.name === name));
  const lines = [];
  for (const component of found) lines.push(`circle (${component.length} files): ${component.join(', ')}`);
  for (const component of folderCircles) lines.push(`circle of folders (${component.length}): ${component.join(', ')}`);
  for (const edge of upward) lines.push(`upward import: ${edge}`);
  for (const problem of unplaced) lines.push(`file in no layer: ${problem}`);
  for (const name of missing)
    lines.push(`layer without a folder: ${name} (LAYERS names it; create ${name}/ or drop it)`);
  for (const name of extra)
    lines.push(`folder that is no layer: ${name}/ (add it to LAYERS, or move its files into a layer)`);
  for (const edge of unresolved) lines.push(`unresolved import: ${edge}`);
  if (lines.length > 0) {
    lines.unshift(
      `check-imports: ${found.length} circle(s), ${folderCircles.length} folder circle(s), ${upward.length} upward import(s), ${unplaced.length + extra.length} file(s) or folder(s) in no layer, ${unresolved.length} unresolved import(s) in ${root}`,
    );
    return { code: 1, lines };
  }
  const edges = [...graph.values()].reduce((n, targets) => n + targets.size, 0);
  const folderCount = LAYERS.reduce((n, l) => n + (l.folders?.length ?? 1), 0);
  return {
    code: 0,
    lines: [
      `check-imports: ${graph.size} files, ${edges} imports, no circle, no upward import (${LAYERS.length} layers, ${folderCount} folders; read as folders too)`,
    ],
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? fileURLToPath(new URL('../packages/core/src', import.meta.url)));
  const { code, lines } = checkImports(root);
  (code === 0 ? console.log : console.error)(lines.join('\n'));
  process.exit(code);
}
