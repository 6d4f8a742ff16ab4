#!/usr/bin/env node
// Fresh-clone setup: install dependencies with the pinned pnpm (through npx when pnpm is not
// installed — nothing global is changed), then build every package. Prints what it runs.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { packageManager } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const hasPnpm = spawnSync('pnpm', ['--version'], { stdio: 'ignore', shell: process.platform === 'win32' }).status === 0;
const pnpm = hasPnpm ? ['pnpm'] : ['npx', '--yes', packageManager ?? 'pnpm@10'];

run([...pnpm, 'install', '--frozen-lockfile']);
run([...pnpm, 'run', 'build']);
if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) {
  console.log('note: redis-server is not installed; the Redis tests need it (Debian: sudo apt-get install -y redis-server).');
}

function run(command) {
  console.log(`> ${command.join(' ')}`);
  const result = spawnSync(command[0], command.slice(1), { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
