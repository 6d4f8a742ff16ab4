#!/usr/bin/env node
// Fresh-clone setup: the system packages the tests drive (Debian: redis-server, chromium) when they are
// missing, then the dependencies with the pinned pnpm (through npx when pnpm is not installed — nothing
// global is changed), then a build of every package. Prints what it runs.
//
// System packages: installed with apt-get as root, or through `sudo -n` (never a password prompt); otherwise
// setup stops and prints the one command to run. AAP_SETUP_SYSTEM=skip leaves them alone.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { packageManager } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const windows = process.platform === 'win32';
const succeeds = (command, args) => spawnSync(command, args, { stdio: 'ignore', shell: windows }).status === 0;

systemPackages();
const pnpm = succeeds('pnpm', ['--version']) ? ['pnpm'] : ['npx', '--yes', packageManager ?? 'pnpm@10'];
run([...pnpm, 'install', '--frozen-lockfile']);
run([...pnpm, 'run', 'build']);

/**
 * The Debian packages the tests drive, installed when missing: real `redis-server` processes (the store,
 * replica and fault tests) and a headless Chromium (the approval console's browser tests; never a
 * downloaded browser).
 */
function systemPackages() {
  if (process.env.AAP_SETUP_SYSTEM === 'skip') return;
  const missing = [];
  if (!succeeds('redis-server', ['--version'])) missing.push('redis-server');
  if (!succeeds('chromium', ['--version']) && !existsSync('/usr/lib/chromium/chromium')) missing.push('chromium');
  if (missing.length === 0) return;
  const install = ['apt-get', 'install', '-y', '--no-install-recommends', ...missing];
  if (!succeeds('apt-get', ['--version'])) {
    console.log(`note: the tests need ${missing.join(' and ')}; install them with your system's package manager.`);
    return;
  }
  const root = process.getuid?.() === 0;
  if (!root && !succeeds('sudo', ['-n', 'true'])) {
    console.error(`setup needs ${missing.join(' and ')} for the tests. Run this once, then \`npm run setup\` again:\n`);
    console.error(`  sudo apt-get update && sudo ${install.join(' ')}\n`);
    process.exit(1);
  }
  const as = root ? [] : ['sudo', '-n'];
  const env = ['env', 'DEBIAN_FRONTEND=noninteractive'];
  run([...as, ...env, 'apt-get', 'update', '-y']);
  run([...as, ...env, ...install]);
}

function run(command) {
  console.log(`> ${command.join(' ')}`);
  const result = spawnSync(command[0], command.slice(1), { cwd: root, stdio: 'inherit', shell: windows });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
