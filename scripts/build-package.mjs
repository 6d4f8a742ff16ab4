#!/usr/bin/env node
// Build the package in the current directory (every package's `build` script; the root
// `pnpm run build` runs them in dependency order). README "Module systems" explains the layout:
//   dist/       ESM and .d.ts from tsc — what Node ≥ 20.19 loads for `import` AND `require()`
//   dist/cjs/   CommonJS and .d.ts, transpiled from dist/ — for Jest 29 and loaders without require(esm)
// Files in src/ that are not TypeScript (the JSON schemas and their LICENSE) go to both; the root
// LICENSE is copied into the package so every tarball carries it. No source maps: the JavaScript is
// tsc's readable output of the same files, and maps would point at sources the tarball does not ship.
// Then the entry points are checked (scripts/build/entries.mjs) and every entry is loaded both ways.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCjs } from './build/cjs.mjs';
import { entries, entryProblems } from './build/entries.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = process.cwd();
const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

const problems = entryProblems(pkg, dir);
if (problems.length) fail(`package.json entry points (see scripts/build/entries.mjs):\n  ${problems.join('\n  ')}`);

rmSync(join(dir, 'dist'), { recursive: true, force: true });
const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: dir, stdio: 'inherit' });
if (compiled.status !== 0) fail('tsc failed');
copyAssets(join(dir, 'src'), join(dir, 'dist'));
const vendored = buildCjs(dir, pkg);
copyFileSync(join(root, 'LICENSE'), join(dir, 'LICENSE'));
loadEveryEntry();
console.log(
  `${pkg.name}: dist/ (ESM) and dist/cjs/ (CommonJS${vendored.length ? `; ESM-only ${vendored.join(', ')} vendored` : ''})`,
);

/** Non-TypeScript files of src/ into dist/, same relative paths. */
function copyAssets(from, to) {
  for (const entry of readdirSync(from, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || entry.name.endsWith('.ts')) continue;
    const target = join(to, relative(from, join(entry.parentPath, entry.name)));
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(join(entry.parentPath, entry.name), target);
  }
}

/**
 * In a fresh Node: each entry, by name, gives the same exports to `require()` and `import()` (the
 * ESM build, through `module-sync`), and the CommonJS build exports the same names.
 */
function loadEveryEntry() {
  const list = entries(pkg).map(({ key, path }) => ({
    spec: key === '.' ? pkg.name : `${pkg.name}/${key.slice(2)}`,
    cjs: `./dist/cjs/${path}.js`,
  }));
  const code = `
    import { createRequire } from 'node:module';
    const require = createRequire(${JSON.stringify(join(dir, 'package.json'))});
    const names = (m) => Object.keys(m).filter((k) => k !== '__esModule').sort().join(',');
    for (const { spec, cjs } of ${JSON.stringify(list)}) {
      const esm = await import(spec);
      const required = require(spec); // the ESM namespace, or a copy of it with __esModule when there is a default export
      if (Object.keys(esm).some((k) => required[k] !== esm[k])) throw new Error(spec + ': require() and import() loaded different copies');
      if (names(require(cjs)) !== names(esm)) throw new Error(spec + ': the CommonJS build exports ' + names(require(cjs)) + ', the ESM build ' + names(esm));
    }`;
  const loaded = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: dir, stdio: 'inherit' });
  if (loaded.status !== 0) fail('an entry point does not load');
}

function fail(message) {
  console.error(`${pkg.name}: ${message}`);
  process.exit(1);
}
