import { createRemoteJWKSet, customFetch, type JWSHeaderParameters } from 'jose';
import { jwksChannel, traced } from '../observe/channels.js';
import { InfrastructureError } from '../util/errors.js';
import { Backoff } from './backoff.js';
import type { KeyGetter, VerificationKey } from './keys.js';

/** Resolved settings of a remote JWKS. */
export interface RemoteSettings {
  readonly timeoutMs: number;
  readonly cooldownMs: number;
  readonly cacheMaxAgeMs: number;
}

/** Outcomes that come from the token (its `kid`/`alg` match no key): a 401, not an outage. */
const TOKEN_CAUSED: ReadonlySet<unknown> = new Set(['ERR_JWKS_NO_MATCHING_KEY', 'ERR_JWKS_MULTIPLE_MATCHING_KEYS', 'ERR_JOSE_NOT_SUPPORTED']);

/**
 * Keys from a remote JWKS through jose's `createRemoteJWKSet`: cached for `cacheMaxAgeMs` (≤ 24 h),
 * refetched on an unknown `kid` at most once per `cooldownMs`, one fetch in flight, `timeoutMs` per
 * fetch. Fetch failures (unreachable, timeout, non-200, not a JWKS) become `InfrastructureError`
 * (503 `jwks_unavailable`) and back off exponentially (draft "JWKS Caching and Refresh").
 *
 * @example
 * const keys = remoteKeys(new URL('https://as.example.com/jwks'), settings, Date.now);
 */
export function remoteKeys(uri: URL, settings: RemoteSettings, now: () => number): KeyGetter {
  const remote = createRemoteJWKSet(uri, {
    timeoutDuration: settings.timeoutMs,
    cooldownDuration: settings.cooldownMs,
    cacheMaxAge: settings.cacheMaxAgeMs,
    // Each fetch (not each lookup) is published on `aap-guard:jwks` when someone listens.
    [customFetch]: (url, init) => traced(jwksChannel, { uri: String(url) }, () => fetch(url, init)),
  });
  const backoff = new Backoff(now);
  return async (header: JWSHeaderParameters): Promise<VerificationKey> => {
    if (!remote.fresh && backoff.blocked()) throw new InfrastructureError('jwks_unavailable', `JWKS ${uri.origin} backing off after failures`);
    try {
      const key = await remote(header);
      backoff.succeed();
      return key;
    } catch (error) {
      if (TOKEN_CAUSED.has((error as { code?: unknown } | null)?.code)) throw error;
      backoff.fail();
      throw new InfrastructureError('jwks_unavailable', `JWKS ${uri.origin} unavailable: ${(error as Error)?.message}`, { cause: error });
    }
  };
}
