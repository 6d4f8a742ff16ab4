/**
 * The draft's "Edge Case -- Clock Skew Tolerance" table (exp 1735686000, tolerance 300 s), row by row. Its
 * rows contradict each other: 0 s past `exp` is REJECTED ("exclusive boundary") while 240 s and 300 s past
 * are ACCEPTED "within tolerance". Both cannot hold. The guard keeps its documented choice
 * (concerns/token/lifetime.ts, and the spec vector expired-token's `validate_with_clock_skew`): the tolerance
 * applies to `exp`, and the admissible interval is closed at `exp + tolerance` — so the `exactly_expired`
 * row (0 s) is ACCEPTED here, against the table, and every other row is as the table says.
 */
import { createGuard } from '@aap-guard/core';
import { createIssuer } from '@aap-guard/testing';
import { describe, expect, it } from 'vitest';

const EXP = 1735686000;

const ROWS: readonly { name: string; past: number; table: 'ACCEPTED' | 'REJECTED'; guard: 'ACCEPTED' | 'REJECTED' }[] =
  [
    { name: 'exactly_expired (the contradictory row)', past: 0, table: 'REJECTED', guard: 'ACCEPTED' },
    { name: 'within tolerance', past: 240, table: 'ACCEPTED', guard: 'ACCEPTED' },
    { name: 'at the boundary of tolerance (inclusive)', past: 300, table: 'ACCEPTED', guard: 'ACCEPTED' },
    { name: 'beyond tolerance', past: 301, table: 'REJECTED', guard: 'REJECTED' },
  ];

describe('the draft clock skew table (exp + 300 s tolerance)', () => {
  for (const row of ROWS) {
    it(`${row.past} s past exp: ${row.name} — ${row.guard}`, async () => {
      let clock = (EXP - 600) * 1000;
      const as = await createIssuer({ now: () => clock });
      const guard = createGuard({
        issuer: as.issuer,
        audience: as.audience,
        jwks: as.jwks,
        logger: false,
        audit: () => undefined,
        now: () => clock,
        clockTolerance: 300,
      });
      const token = await as.mint({ ttl: 600 }); // exp = EXP
      clock = (EXP + row.past) * 1000;
      const decision = await guard.check(
        { method: 'GET', url: 'https://api.example.com/x', headers: { authorization: `Bearer ${token}` } },
        { action: 'search.web' },
      );
      expect(decision.allowed ? 'ACCEPTED' : `REJECTED ${decision.reason}`).toBe(
        row.guard === 'ACCEPTED' ? 'ACCEPTED' : 'REJECTED token_expired',
      );
      await guard.close();
    });
  }
});
