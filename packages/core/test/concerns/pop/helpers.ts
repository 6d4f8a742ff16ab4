import { createGuard, type GuardOptions, type RequestInfo, type RouteSpec } from '@aap-guard/core';
import {
  createDpopKey,
  createIssuer,
  dpopProof,
  type DpopKey,
  type DpopProofOptions,
  type TestIssuer,
} from '@aap-guard/testing';

/** The frozen request time (2025-01-01T00:00:00Z) of the guard and of proofs, unless a test moves it. */
export const NOW = Date.UTC(2025, 0, 1);
export const NOW_S = NOW / 1000;
export const URL_ = 'https://api.example.com/v1/search?q=x';
export const ROUTE: RouteSpec = { action: 'search.web' };

export interface PopHarness {
  readonly as: TestIssuer;
  readonly key: DpopKey;
  readonly clock: { now: number };
  readonly guard: ReturnType<typeof createGuard>;
  /** A token bound to `key` (or to `jkt`, or unbound with `jkt: null`). */
  token(bind?: { jkt?: string | null; x5t?: string }): Promise<string>;
  /** A proof by `key` for GET URL_ and `accessToken`, at the frozen time. */
  proof(accessToken: string, extra?: Partial<DpopProofOptions>): Promise<string>;
  /** A request with the given Authorization and DPoP headers. */
  request(authorization: string, dpop?: string | string[], extra?: Partial<RequestInfo>): RequestInfo;
}

/** A guard with a frozen clock, an issuer, and a DPoP key; every part real (jose keys, real signatures). */
export async function popHarness(options: Partial<GuardOptions> = {}): Promise<PopHarness> {
  const clock = { now: NOW };
  const as = await createIssuer({ now: () => clock.now });
  const key = await createDpopKey();
  const guard = createGuard({
    issuer: as.issuer,
    audience: as.audience,
    jwks: as.jwks,
    now: () => clock.now,
    ...options,
  });
  return {
    as,
    key,
    clock,
    guard,
    token: ({ jkt, x5t } = {}) => {
      const bound = jkt === null ? {} : { jkt: jkt ?? key.jkt };
      const claims =
        x5t === undefined ? undefined : { cnf: { ...(bound.jkt ? { jkt: bound.jkt } : {}), 'x5t#S256': x5t } };
      return as.mint({ capabilities: [{ action: 'search.web' }], ...bound, ...(claims ? { claims } : {}) });
    },
    proof: (accessToken, extra = {}) =>
      dpopProof({ key, method: 'GET', url: URL_, accessToken, iat: Math.floor(clock.now / 1000), ...extra }),
    request: (authorization, dpop, extra = {}) => ({
      method: 'GET',
      url: URL_,
      headers: dpop === undefined ? { authorization } : { authorization, dpop },
      clientIp: '127.0.0.1',
      ...extra,
    }),
  };
}
