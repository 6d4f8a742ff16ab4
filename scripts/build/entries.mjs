// The public entries of a package and the `exports` block each must have. One rule for every entry,
// so adding a subpath (`@aap-guard/core/node`) is: create src/node.ts, add the block the build prints.
//
//   ".":       src/index.ts → dist/index.js (ESM) and dist/cjs/index.js (CommonJS)
//   "./node":  src/node.ts  → dist/node.js        and dist/cjs/node.js
//
// Conditions, first match wins (README "Module systems" says why):
//   module-sync  Node ≥ 20.19 — `import` AND `require()` both load the ESM build: one copy per process
//   import       ESM consumers elsewhere (bundlers, TypeScript `bundler` / node16 ESM), ESM types
//   require      Jest 29 and tools without require(esm): the CommonJS build, CommonJS types
//   default      anything else: the ESM build
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The entries of a package: export key → path below src/ and dist/ without extension, read from the
 * `import` target of each block (`./dist/node.js` → `node`).
 *
 * @example
 * entries(pkg) // → [{ key: '.', path: 'index' }, { key: './node', path: 'node' }]
 */
export function entries(pkg) {
  return Object.entries(pkg.exports ?? {})
    .filter(([key]) => key !== './package.json')
    .map(([key, block]) => {
      const target = typeof block === 'object' && block !== null ? block.import?.default : undefined;
      const path =
        typeof target === 'string'
          ? target.replace(/^\.\/dist\//, '').replace(/\.js$/, '')
          : key === '.'
            ? 'index'
            : key.slice(2);
      return { key, path };
    });
}

/**
 * The `exports` block entry `path` must have.
 *
 * @example
 * exportBlock('node') // → { 'module-sync': './dist/node.js', import: {…}, require: {…}, default: './dist/node.js' }
 */
export function exportBlock(path) {
  return {
    'module-sync': `./dist/${path}.js`,
    import: { types: `./dist/${path}.d.ts`, default: `./dist/${path}.js` },
    require: { types: `./dist/cjs/${path}.d.ts`, default: `./dist/cjs/${path}.js` },
    default: `./dist/${path}.js`,
  };
}

/**
 * What is wrong with a package.json's entry points, as messages that say what to write (empty: all
 * good). Checks every `exports` block, `main`/`types` (tools that ignore `exports`) and
 * `typesVersions` (TypeScript `moduleResolution: node10`, the default of `module: commonjs`, finds
 * subpaths only through it).
 *
 * @example
 * const problems = entryProblems(pkg, dir); if (problems.length) throw new Error(problems.join('\n'));
 */
export function entryProblems(pkg, dir) {
  const problems = [];
  const list = entries(pkg);
  if (!list.some((e) => e.key === '.')) problems.push('exports has no "." entry');
  if (pkg.exports?.['./package.json'] !== './package.json')
    problems.push('exports must keep "./package.json": "./package.json"');
  for (const { key, path } of list) {
    if (!existsSync(join(dir, 'src', `${path}.ts`))) problems.push(`exports["${key}"]: src/${path}.ts does not exist`);
    const want = exportBlock(path);
    if (JSON.stringify(pkg.exports[key]) !== JSON.stringify(want))
      problems.push(`exports["${key}"] must be ${JSON.stringify(want)}`);
  }
  if (pkg.main !== './dist/cjs/index.js') problems.push('"main" must be "./dist/cjs/index.js"');
  if (pkg.types !== './dist/cjs/index.d.ts') problems.push('"types" must be "./dist/cjs/index.d.ts"');
  const subpaths = Object.fromEntries(
    list.filter((e) => e.key !== '.').map((e) => [e.key.slice(2), [`./dist/cjs/${e.path}.d.ts`]]),
  );
  const wantVersions = Object.keys(subpaths).length ? { '*': subpaths } : undefined;
  if (JSON.stringify(pkg.typesVersions) !== JSON.stringify(wantVersions)) {
    problems.push(
      wantVersions
        ? `"typesVersions" must be ${JSON.stringify(wantVersions)}`
        : '"typesVersions" must be absent (no subpath entries)',
    );
  }
  return problems;
}
