/**
 * README's deny-reasons table restates the code's `REASONS` table: every reason appears once, with the
 * status and spec error the code sends. Docs that drift from code fail here.
 */
import { readFileSync } from 'node:fs';
import { REASONS, type ReasonCode } from '@aap-guard/core';
import { describe, expect, it } from 'vitest';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** Rows of the table under `## Deny reasons`: reason codes (a cell may list several, ` / `-separated), status, error. */
function rows(): { reasons: string[]; status: number; error: string }[] {
  const section = readme.slice(readme.indexOf('## Deny reasons'), readme.indexOf('\n## ', readme.indexOf('## Deny reasons') + 1));
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const [reasons, status, error] = line.split('|').slice(1, 4).map((cell) => cell.trim());
      return { reasons: [...reasons!.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!), status: Number(status), error: error!.replaceAll('`', '') };
    });
}

describe("README's deny reasons", () => {
  it('lists every reason of REASONS exactly once, and nothing else', () => {
    const listed = rows().flatMap((row) => row.reasons);
    expect([...listed].sort()).toEqual(Object.keys(REASONS).sort());
  });

  it('gives each reason the status and error the code sends', () => {
    for (const row of rows()) {
      for (const reason of row.reasons) {
        const code = REASONS[reason as ReasonCode];
        expect({ reason, status: row.status, error: row.error }).toEqual({ reason, status: code.status, error: code.error });
      }
    }
  });
});
