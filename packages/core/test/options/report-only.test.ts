/**
 * `reportOnly` (issue 24 item 12): validated at construction; only rollout policies can be report-only —
 * never a token, proof or revocation failure.
 */
import { POLICY_NAMES, REASONS, createGuard, type GuardOptions, type ReasonCode } from '@aap-guard/core';
import { describe, expect, it } from 'vitest';

const base: GuardOptions = {
  issuer: 'https://as.example.com',
  audience: 'https://api.example.com',
  jwks: { keys: [] },
  warmUp: false,
  logger: false,
};

describe('reportOnly', () => {
  it('accepts true, false and a list of policy names', async () => {
    for (const reportOnly of [true, false, [], ['destination-ip'], POLICY_NAMES] as const) {
      await createGuard({ ...base, reportOnly }).close();
    }
  });

  it('anything else is a TypeError naming the option', () => {
    for (const reportOnly of ['destination-ip', ['signature'], [1], {}, null]) {
      expect(() => createGuard({ ...base, reportOnly } as unknown as GuardOptions)).toThrow(
        /options\.reportOnly must be/,
      );
    }
  });

  it('no credential, token, proof, revocation or infrastructure reason belongs to a rollout policy', () => {
    const tagged = (Object.entries(REASONS) as [ReasonCode, { policy?: string; status: number }][]).filter(
      ([, row]) => row.policy !== undefined,
    );
    for (const [reason, row] of tagged) {
      expect(reason, 'a token, proof or revocation failure is never report-only').not.toMatch(
        /^(credentials|token|dpop_proof|dpop_key|dpop_htm|dpop_htu|dpop_iat|dpop_ath|dpop_replay|mtls)_/,
      );
      expect([400, 503], `${reason}: bad input and faults are never report-only`).not.toContain(row.status);
      expect(POLICY_NAMES).toContain(row.policy);
    }
    expect(tagged.map(([reason]) => reason)).toEqual(
      expect.arrayContaining(['destination_not_allowed', 'destination_unresolved']),
    );
  });
});
