/**
 * docs/reference/cli.md documents every command and option the two CLIs' own usage texts name
 * (`aap-guard help` of @aap-guard/testing, `aap-guard-audit` of @aap-guard/core).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../packaging/consumers.js';

const PAGE = 'docs/reference/cli.md';

/** The `USAGE` template literal of a CLI source file. */
function usage(file: string): string {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const found = /const USAGE = `((?:\\.|[^`\\])*)`/.exec(text)?.[1];
  if (!found) throw new Error(`${file}: no USAGE text`);
  return found;
}

describe(`${PAGE} covers the CLIs`, () => {
  const page = readFileSync(join(ROOT, PAGE), 'utf8');

  it.each([
    ['aap-guard', 'packages/testing/src/cli/cli.ts', ['dev-issuer', 'dev-token', 'dev-proof']],
    ['aap-guard-audit', 'packages/core/src/surfaces/cli/audit-cli.ts', ['verify']],
  ])('%s: every command and --option of its usage', (_name, file, commands) => {
    const text = usage(file);
    for (const command of commands) expect(text).toContain(command);
    const options = [...new Set([...text.matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0]))].filter(
      (option) => option !== '--help',
    );
    expect(options.length).toBeGreaterThan(0);
    expect(
      [...commands, ...options].filter((word) => !page.includes(`\`${word}`)),
      `document each in ${PAGE}`,
    ).toEqual([]);
  });
});
