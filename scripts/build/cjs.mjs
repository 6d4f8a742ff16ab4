// The CommonJS build: dist/cjs/, transpiled file by file from the ESM build in dist/ (same module
// graph, same names, so one module's state exists once per build), for Jest 29 and other loaders
// that cannot `require()` ESM. Node ≥ 20.19 never loads it (see entries.mjs, `module-sync`).
//
// A dependency that ships only ESM (jose 6) cannot be `require()`d by those loaders either: it is
// transpiled the same way into dist/cjs/vendor/<name>/ with its types and license, and this build's
// code and declarations import it from there. The ESM build keeps importing the real dependency.
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import ts from 'typescript';

const OPTIONS = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  esModuleInterop: true,
  removeComments: false,
};

/**
 * Write dist/cjs/ from dist/ (ESM) for the package in `dir`; returns the vendored dependency names.
 *
 * @example
 * buildCjs('/repo/packages/core', pkg) // → ['jose']
 */
export function buildCjs(dir, pkg) {
  const dist = join(dir, 'dist');
  const out = join(dist, 'cjs');
  const vendored = Object.keys(pkg.dependencies ?? {}).filter((name) => esmOnly(dir, name));
  const vendorDirs = Object.fromEntries(vendored.map((name) => [name, vendor(dir, name, join(out, 'vendor', name))]));
  for (const file of walk(dist, (path) => path !== out)) {
    const target = join(out, relative(dist, file));
    mkdirSync(dirname(target), { recursive: true });
    const rewrite = (spec) => redirect(spec, vendorDirs, target);
    if (file.endsWith('.js'))
      writeFileSync(target, rewriteSpecifiers(transpile(readFileSync(file, 'utf8'), file), file, rewrite));
    else if (file.endsWith('.d.ts'))
      writeFileSync(target, rewriteSpecifiers(readFileSync(file, 'utf8'), file, rewrite));
    else copyFileSync(file, target);
  }
  writeFileSync(join(out, 'package.json'), '{ "type": "commonjs" }\n');
  return vendored;
}

/** One ESM file as CommonJS. */
function transpile(source, fileName) {
  const { outputText, diagnostics } = ts.transpileModule(source, {
    compilerOptions: OPTIONS,
    fileName,
    reportDiagnostics: true,
  });
  if (diagnostics?.length)
    throw new Error(`${fileName}: ${ts.flattenDiagnosticMessageText(diagnostics[0].messageText, '\n')}`);
  const esmOnly = esmOnlySyntax(ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, true));
  if (esmOnly)
    throw new Error(
      `${fileName}: ${esmOnly} has no CommonJS equivalent (import data such as JSON instead of locating files)`,
    );
  return outputText;
}

/**
 * Replace module specifiers (imports, exports, `import("x")` types, `require("x")` and `import("x")` calls) by
 * `rewrite(specifier)`.
 */
function rewriteSpecifiers(text, fileName, rewrite) {
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true);
  const literals = [];
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier)
      literals.push(node.moduleSpecifier);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) literals.push(node.argument.literal);
    else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === 'require'))
    ) {
      if (node.arguments[0]) literals.push(node.arguments[0]);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  let out = text;
  for (const literal of literals.filter(ts.isStringLiteral).reverse()) {
    const next = rewrite(literal.text);
    if (next !== literal.text)
      out = `${out.slice(0, literal.getStart(file))}${JSON.stringify(next)}${out.slice(literal.end)}`;
  }
  return out;
}

/** `import.meta` anywhere, or an `await` outside any function: what a CommonJS build cannot express. */
function esmOnlySyntax(file) {
  let found;
  const visit = (node, topLevel) => {
    if (found) return;
    if (ts.isMetaProperty(node) && node.keywordToken === ts.SyntaxKind.ImportKeyword) found = 'import.meta';
    else if (topLevel && (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier)))
      found = 'top-level await';
    else
      ts.forEachChild(node, (child) =>
        visit(child, topLevel && !ts.isFunctionLike(node) && !ts.isClassStaticBlockDeclaration(node)),
      );
  };
  visit(file, true);
  return found;
}

/** A vendored bare specifier → the relative path of its copy, from the file being written. */
function redirect(spec, vendorDirs, target) {
  const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
  if (!(name in vendorDirs)) return spec;
  if (spec !== name)
    throw new Error(`${target}: deep import "${spec}" of the vendored ESM-only package ${name}; import from "${name}"`);
  const path = relative(dirname(target), vendorDirs[name]).split(sep).join('/');
  return path.startsWith('.') ? path : `./${path}`;
}

/** Whether a dependency offers nothing `require()` can load without require(esm). */
function esmOnly(dir, name) {
  const manifest = JSON.parse(readFileSync(packageJson(dir, name), 'utf8'));
  if (manifest.type !== 'module') return false;
  const root = manifest.exports?.['.'] ?? manifest.exports;
  return !JSON.stringify(root ?? {}).includes('"require"') && !String(manifest.main ?? '').endsWith('.cjs');
}

/**
 * Transpile an ESM-only dependency (which must have no dependencies itself) into `out`, with its
 * declarations and license, under a package.json whose `main` and `types` make `out` requirable as a
 * directory; returns `out`. The CommonJS declarations import its types from there too: CommonJS types
 * that import an ESM package fail TypeScript's node16 resolution (TS1479).
 */
function vendor(dir, name, out) {
  const root = dirname(packageJson(dir, name));
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  if (Object.keys(manifest.dependencies ?? {}).length)
    throw new Error(`${name} is ESM-only and has dependencies: vendoring it is not supported`);
  const conditions = manifest.exports?.['.'] ?? {};
  const main = [conditions.default, conditions, manifest.main].find((v) => typeof v === 'string');
  const types = [conditions.types, manifest.types].find((v) => typeof v === 'string');
  if (!main || !types) throw new Error(`${name}: no root entry point or types found to vendor`);
  for (const file of walk(root, (path) => !path.endsWith(`${sep}node_modules`))) {
    if (!/\.(js|d\.ts)$/.test(file) && !/[/\\]LICEN[CS]E[^/\\]*$/i.test(file)) continue;
    const target = join(out, relative(root, file));
    mkdirSync(dirname(target), { recursive: true });
    if (file.endsWith('.d.ts') || !file.endsWith('.js')) copyFileSync(file, target);
    else writeFileSync(target, transpile(readFileSync(file, 'utf8'), file));
  }
  const note = `CommonJS transpilation of ${name}@${manifest.version}, for loaders without require(esm)`;
  writeFileSync(
    join(out, 'package.json'),
    `${JSON.stringify({ name, version: manifest.version, license: manifest.license, description: note, main, types }, null, 2)}\n`,
  );
  return out;
}

function packageJson(dir, name) {
  // Resolve the package directory from the package that depends on it (pnpm links it there).
  const path = join(dir, 'node_modules', name, 'package.json');
  if (existsSync(path)) return path;
  return createRequire(join(dir, 'package.json')).resolve(`${name}/package.json`);
}

/** Every file below `root`, descending into directories `keep` accepts. */
function* walk(root, keep) {
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const path = join(root, entry.name);
    if (entry.isDirectory()) {
      if (keep(path)) yield* walk(path, keep);
    } else yield path;
  }
}
