/**
 * Issuer scopes: whose state (quotas, approvals, replay markers) a token's requests use. One per
 * authorization server: issuers with keys of their own are scoped apart; names that share one `jwks` object
 * (one authorization server under several names) share one scope, named after the first of them.
 */
import { describe, expect, it } from 'vitest';
import { createGuard } from '@aap-guard/core';
import { engineOf } from '../../../src/engine/registry.js';
import { issuerScopes, scopeOf } from '../../../src/concerns/token/issuer-scope.js';

const A = 'https://a.example.com';
const B = 'https://b.example.com';
const C = 'https://c.example.com';
const base = { audience: 'https://api.example.com', logger: false } as const;
const keys = (): { keys: [] } => ({ keys: [] });
const scopes = (options: Parameters<typeof createGuard>[0]) => engineOf(createGuard(options)).runtime.token.keys.scopes;

describe('issuer scopes', () => {
  it('issuers with keys of their own are scoped apart', () => {
    const map = scopes({
      ...base,
      issuer: [
        { issuer: A, jwks: keys() },
        { issuer: B, jwks: keys() },
      ],
    });
    expect(map.get(A)).toEqual({ issuer: A, id: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/) });
    expect(map.get(B)?.id).not.toBe(map.get(A)?.id);
  });

  it('names sharing the top-level jwks, or one jwks object, share the scope of the first listed', () => {
    const shared = scopes({ ...base, issuer: [B, A], jwks: keys() });
    expect(shared.get(A)).toBe(shared.get(B));
    expect(shared.get(A)?.issuer).toBe(B);
    const one = keys();
    const entries = scopes({
      ...base,
      issuer: [
        { issuer: A, jwks: one },
        { issuer: C, jwks: keys() },
        { issuer: B, jwks: one },
      ],
    });
    expect(entries.get(B)).toBe(entries.get(A));
    expect(entries.get(C)?.id).not.toBe(entries.get(A)?.id);
  });

  it('the id is stable across guards and replicas (a digest of the name), and adding a later name changes nothing', () => {
    const before = scopes({ ...base, issuer: A, jwks: keys() }).get(A);
    const after = scopes({ ...base, issuer: [A, B], jwks: keys() }).get(B);
    expect(after).toEqual(before);
  });

  it('an issuer outside every group is its own scope, never another one', () => {
    const map = issuerScopes([[A, B]]);
    expect(scopeOf(map, C)).toEqual(issuerScopes([[C]]).get(C));
    expect(scopeOf(map, C).id).not.toBe(scopeOf(map, A).id);
  });
});
