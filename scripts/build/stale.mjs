// Whether a package's dist/ is missing or older than its sources: the tarballs are made from dist/,
// so packing (scripts/pack.mjs, every package's `prepack`) refuses a build that is not current.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What is wrong with the build of the package in `dir`, or undefined when dist/ is newer than every
 * file of src/. `dist/cjs/package.json` is written near the end of a build (scripts/build-package.mjs).
 *
 * @example
 * staleBuild('packages/core') // → 'not built' | 'dist/ is older than src/claims/schema.ts' | undefined
 */
export function staleBuild(dir) {
  const marker = join(dir, 'dist', 'cjs', 'package.json');
  if (!existsSync(marker)) return 'not built';
  const built = statSync(marker).mtimeMs;
  const newer = readdirSync(join(dir, 'src'), { recursive: true, withFileTypes: true }).find(
    (entry) => entry.isFile() && statSync(join(entry.parentPath, entry.name)).mtimeMs > built,
  );
  return newer ? `dist/ is older than ${join(newer.parentPath, newer.name).slice(dir.length + 1)}` : undefined;
}
