#!/usr/bin/env node
// The `aap-guard` command of @aap-guard/testing (package.json "bin"): a local development issuer.
// `aap-guard dev-token --action search.web`; `aap-guard help` lists the commands.
import { runCli } from './cli.js';

const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => controller.abort());
runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  signal: controller.signal,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`aap-guard: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
