#!/usr/bin/env node
// The `aap-guard-audit` command of @aap-guard/core (package.json "bin"): `aap-guard-audit verify <file>`.
import { runAuditCli } from './audit-cli.js';

process.exitCode = await runAuditCli(process.argv.slice(2), process);
