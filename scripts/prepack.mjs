#!/usr/bin/env node
// Every package's `prepack` (npm and pnpm run it before `pack` and `publish`, in the package's
// directory). It refuses, loudly, the two ways a package directory packs into a broken tarball:
//   - a `workspace:` range packed by npm: npm ships it as is, and no npm install can resolve it
//     (pnpm pack and pnpm publish rewrite it to the real range — `npm run pack` at the root uses pnpm);
//   - a dist/ older than src/ (or none): the tarball would ship another code than the sources.
import { readFileSync } from 'node:fs';
import { staleBuild } from './build/stale.mjs';

const dir = process.cwd();
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const packer = (process.env.npm_config_user_agent ?? '').split('/')[0] || 'an unknown tool';
const local = ['dependencies', 'peerDependencies', 'optionalDependencies']
  .flatMap((field) => Object.entries(pkg[field] ?? {}))
  .filter(([, range]) => String(range).startsWith('workspace:'));
if (local.length > 0 && packer !== 'pnpm') {
  fail(
    `${packer} would pack ${local.map(([name, range]) => `"${name}": "${range}"`).join(', ')} as is: ` +
      'a tarball no npm install can resolve.\n  Run `npm run pack` at the repository root instead (it packs every ' +
      'package with pnpm, which writes the real version ranges), or `pnpm pack` / `pnpm publish` here.',
  );
}
const stale = staleBuild(dir);
if (stale) fail(`${stale}: run \`npm run build\` at the repository root first.`);

function fail(message) {
  console.error(`${pkg.name}: refusing to pack. ${message}`);
  process.exit(1);
}
