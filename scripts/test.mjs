#!/usr/bin/env node
// The whole test suite: vitest with coverage against its floor (vitest.config.ts; any extra arguments are passed
// on, e.g. `--coverage.enabled=false`), then one plain summary line, `N passed, M failed`, as the last line of
// output. Exits with vitest's exit code.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const results = fileURLToPath(new URL('../.vitest-results.json', import.meta.url));
const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));

rmSync(results, { force: true });
const args = [
  vitest,
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${results}`,
  '--coverage.enabled=true',
  ...process.argv.slice(2),
];
const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
child.on('error', (error) => finish(1, `vitest could not start: ${error.message}`));
child.on('exit', (code, signal) => finish(code ?? (signal ? 1 : 0)));

function finish(code, note) {
  if (note) console.error(note);
  let passed = 0;
  let failed = 0;
  if (existsSync(results)) {
    const report = JSON.parse(readFileSync(results, 'utf8'));
    passed = report.numPassedTests ?? 0;
    failed = report.numFailedTests ?? 0;
    // A file that failed to load has no failed test; count it so the summary never hides it.
    if (code !== 0 && failed === 0) failed = Math.max(1, report.numFailedTestSuites ?? 0);
  } else if (code !== 0) {
    failed = 1;
  }
  process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
  process.exit(code);
}
