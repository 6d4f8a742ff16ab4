#!/usr/bin/env node
// The `aap-guard-audit` command of @aap-guard/core (package.json "bin"): `aap-guard-audit verify <file>`.
import { runAuditCli } from './audit-cli.js';

runAuditCli(process.argv.slice(2), process).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`aap-guard-audit: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
