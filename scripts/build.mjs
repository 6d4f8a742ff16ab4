#!/usr/bin/env node
// Build every package that has sources, in dependency order through `pnpm -r`: each package's
// `build` script is scripts/build-package.mjs (ESM and CommonJS builds, checked entry points). A
// package directory without src/index.ts yet (a placeholder for a later adapter) is skipped, and said so.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const packages = readdirSync(new URL('../packages/', import.meta.url), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);
const ready = packages.filter((name) => existsSync(new URL(`../packages/${name}/src/index.ts`, import.meta.url)));
for (const name of packages)
  if (!ready.includes(name)) console.log(`build: skipping packages/${name} (no src/index.ts yet)`);

const filters = ready.flatMap((name) => ['--filter', `./packages/${name}`]);
// pnpm from PATH, else the version pinned in package.json through npx (as `npm run setup` does).
const shell = process.platform === 'win32';
const { packageManager } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const hasPnpm = spawnSync('pnpm', ['--version'], { stdio: 'ignore', shell }).status === 0;
const [command, ...pre] = hasPnpm ? ['pnpm'] : ['npx', '--yes', packageManager ?? 'pnpm@10'];
const result = spawnSync(command, [...pre, '-r', ...filters, 'run', 'build'], { cwd: root, stdio: 'inherit', shell });
if (result.error) console.error(`build: ${command} did not start: ${result.error.message}`);
process.exit(result.status ?? 1);
