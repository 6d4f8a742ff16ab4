// The benchmarks run the BUILT packages (what users install), never the TypeScript sources: a stale
// build would measure yesterday's code, so every entry point refuses to run on one.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('../../', import.meta.url);
const PACKAGES = ['core', 'redis', 'express', 'fastify', 'koa', 'testing'];

/** `file:` URL of a built module, e.g. `dist('core')` or `dist('core', 'base/util/hash.js')`. */
export const dist = (pkg, file = 'index.js') => new URL(`packages/${pkg}/dist/${file}`, root);

/** Newest modification time (ms) of the files under `dir` whose names end in one of `suffixes`. */
function newest(dir, suffixes) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !suffixes.some((suffix) => entry.name.endsWith(suffix))) continue;
    latest = Math.max(latest, statSync(`${entry.parentPath ?? entry.path}/${entry.name}`).mtimeMs);
  }
  return latest;
}

/**
 * Exit with a message when a package is not built, or when a source file is newer than its build
 * (set BENCH_ALLOW_STALE=1 to measure anyway).
 */
export function requireFreshBuild() {
  const problems = [];
  for (const pkg of PACKAGES) {
    const src = fileURLToPath(new URL(`packages/${pkg}/src`, root));
    const out = fileURLToPath(new URL(`packages/${pkg}/dist`, root));
    if (!existsSync(fileURLToPath(dist(pkg)))) problems.push(`packages/${pkg} is not built`);
    else if (newest(src, ['.ts']) > newest(out, ['.js'])) problems.push(`packages/${pkg}/src is newer than its dist/`);
  }
  if (problems.length === 0 || process.env.BENCH_ALLOW_STALE === '1') return;
  console.error(`bench: ${problems.join('; ')}. Build first: \`pnpm run build\` (or BENCH_ALLOW_STALE=1).`);
  process.exit(1);
}
