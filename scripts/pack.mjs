#!/usr/bin/env node
// `npm run pack [-- <dir>]`: the tarballs of every package, as they would be published, into <dir>
// (default packs/). Packing is pnpm's (`pnpm -r pack`, the pinned pnpm through npx when pnpm is not
// installed): it rewrites each `workspace:^` range to the real `^<version>`, which `npm pack` in a
// package directory does not do (every package's `prepack`, scripts/prepack.mjs, refuses that).
// Refuses a build older than the sources. Then each tarball is checked: no `workspace:`, `link:` or
// `file:` range left. Prints one line per tarball: `<name> <path> <packed kB> <unpacked kB>`.
// test/packaging packs with this script.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { staleBuild } from './build/stale.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = resolve(process.argv[2] ?? join(root, 'packs'));
const packages = readdirSync(join(root, 'packages'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(root, 'packages', entry.name, 'src', 'index.ts')))
  .map((entry) => entry.name);

for (const name of packages) {
  const stale = staleBuild(join(root, 'packages', name));
  if (stale) fail(`packages/${name}: ${stale}: run \`npm run build\` first`);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const filters = packages.flatMap((name) => ['--filter', `./packages/${name}`]);
const [command, ...pre] = pnpm();
const packed = spawnSync(command, [...pre, '-r', ...filters, 'pack', '--pack-destination', out], {
  cwd: root,
  encoding: 'utf8',
  shell: process.platform === 'win32',
});
if (packed.status !== 0) fail(`pnpm pack failed:\n${packed.stdout}${packed.stderr}`);

const files = readdirSync(out).filter((file) => file.endsWith('.tgz'));
if (files.length !== packages.length) fail(`expected ${packages.length} tarballs in ${out}, found ${files.length}`);
for (const file of files.sort()) {
  const path = join(out, file);
  const manifest = JSON.parse(tar(['-xzOf', path, 'package/package.json']));
  const local = ['dependencies', 'peerDependencies', 'optionalDependencies']
    .flatMap((field) => Object.entries(manifest[field] ?? {}))
    .filter(([, range]) => /^(workspace|link|file):/.test(String(range)));
  if (local.length) fail(`${file}: unpublishable ranges ${JSON.stringify(Object.fromEntries(local))}`);
  console.log(`${manifest.name} ${path} ${kB(statSync(path).size)} ${kB(unpackedBytes(path))}`);
}

/** The sum of the file sizes in a tarball (`tar -tvzf`: the third column). */
function unpackedBytes(path) {
  return tar(['-tvzf', path])
    .split('\n')
    .filter(Boolean)
    .reduce((sum, line) => sum + Number(line.trim().split(/\s+/)[2]), 0);
}

function tar(args) {
  const result = spawnSync('tar', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) fail(`tar ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

function kB(bytes) {
  return `${(bytes / 1000).toFixed(1)}kB`;
}

/** pnpm from PATH, else the version pinned in package.json through npx (as `npm run setup` does). */
function pnpm() {
  if (spawnSync('pnpm', ['--version'], { stdio: 'ignore', shell: process.platform === 'win32' }).status === 0)
    return ['pnpm'];
  const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return ['npx', '--yes', packageManager ?? 'pnpm@10'];
}

function fail(message) {
  console.error(`pack: ${message}`);
  process.exit(1);
}
