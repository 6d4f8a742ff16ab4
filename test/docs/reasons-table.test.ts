/**
 * The deny-reasons table restates the code's `REASONS` table: every reason appears once, with the status
 * and spec error the code sends. Docs that drift from code fail here.
 *
 * The table lives in docs/reference/deny-reasons.md (it moved out of README.md with issue 28). A new
 * reason gets its row there — README.md links to the page and holds no table.
 */
import { readFileSync } from 'node:fs';
import { REASONS, type ReasonCode } from '@aap-guard/core';
import { describe, expect, it } from 'vitest';

/** Where the table lives, relative to the repository root. */
const DENY_REASONS_PAGE = 'docs/reference/deny-reasons.md';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

/** Rows of a deny-reasons table: reason codes (a cell may list several, ` / `-separated), status, error. */
function rows(text: string): { reasons: string[]; status: number; error: string }[] {
  return text
    .split('\n')
    .filter((line) => /^\| `[a-z_]+`.*\| \d{3} \|/.test(line))
    .map((line) => {
      const [reasons, status, error] = line
        .split('|')
        .slice(1, 4)
        .map((cell) => cell.trim());
      return {
        reasons: [...reasons!.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!),
        status: Number(status),
        error: error!.replaceAll('`', ''),
      };
    });
}

describe(`the deny reasons table (${DENY_REASONS_PAGE})`, () => {
  const table = rows(read(DENY_REASONS_PAGE));

  it('lists every reason of REASONS exactly once, and nothing else', () => {
    const listed = table.flatMap((row) => row.reasons);
    const missing = Object.keys(REASONS).filter((reason) => !listed.includes(reason));
    expect(missing, `add a row for each to the table in ${DENY_REASONS_PAGE}`).toEqual([]);
    expect([...listed].sort(), `${DENY_REASONS_PAGE}: a reason listed twice, or one REASONS does not have`).toEqual(
      Object.keys(REASONS).sort(),
    );
  });

  it('gives each reason the status and error the code sends', () => {
    for (const row of table) {
      for (const reason of row.reasons) {
        const code = REASONS[reason as ReasonCode];
        expect({ reason, status: row.status, error: row.error }).toEqual({
          reason,
          status: code.status,
          error: code.error,
        });
      }
    }
  });

  it('is the only one: README.md has no deny reasons table (rows added there belong on the page)', () => {
    const strays = rows(read('README.md')).flatMap((row) => row.reasons);
    expect(strays, `README.md has deny-reason rows; move them to the table in ${DENY_REASONS_PAGE}`).toEqual([]);
  });
});
