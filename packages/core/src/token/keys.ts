import { createLocalJWKSet, errors, type CryptoKey, type JWK, type JWSHeaderParameters, type KeyObject } from 'jose';
import type { GuardOptions, KeyFunction, LocalJwks, RemoteJwks } from '../types.js';
import { InfrastructureError } from '../util/errors.js';
import { discoveredKeys } from './discovery.js';
import { remoteKeys, type RemoteSettings } from './remote-keys.js';

/** A verification key as jose accepts it (never a shared secret: HMAC is not allowed). */
export type VerificationKey = CryptoKey | KeyObject | JWK;

/** Resolves the key of one token from its protected header (`kid`/`alg` only; `jku`, `x5u`, `x5c`, `jwk` are ignored). */
export type KeyGetter = (header: JWSHeaderParameters, token: string) => Promise<VerificationKey>;

/** Draft "JWKS Caching and Refresh": MUST NOT cache a JWKS for more than 24 hours. */
const MAX_CACHE_AGE_MS = 86_400_000;

/**
 * Build the key source once, at `createGuard()`: a local JWKS (keys imported on first use and memoized
 * by jose), a remote JWKS, a key function, or — with a single issuer and no `jwks` — discovery from the
 * issuer's RFC 8414 metadata. Throws `TypeError` naming the option on misconfiguration.
 *
 * @example
 * const keys = resolveKeySource(options, Date.now);
 * const key = await keys({ alg: 'ES256', kid: 'k1' }, token);
 */
export function resolveKeySource(options: GuardOptions, issuers: readonly string[], now: () => number): KeyGetter {
  const jwks = options.jwks;
  if (typeof jwks === 'function') return functionKeys(jwks);
  if (jwks === undefined) {
    if (issuers.length !== 1) throw new TypeError('options.jwks is required when several issuers are trusted (discovery needs exactly one issuer)');
    const issuer = issuers[0]!;
    if (!/^https?:$/.test(URL.canParse(issuer) ? new URL(issuer).protocol : '')) {
      throw new TypeError('options.issuer must be an absolute http(s) URL to discover its JWKS (RFC 8414), or give options.jwks');
    }
    return discoveredKeys(issuer, remoteSettings({ uri: issuer }), now);
  }
  if (jwks === null || typeof jwks !== 'object') throw new TypeError('options.jwks must be { keys }, { uri } or a key function');
  if ('keys' in jwks) return localKeys(jwks);
  if ('uri' in jwks) return remoteKeys(remoteUri(jwks.uri), remoteSettings(jwks), now);
  throw new TypeError('options.jwks must be { keys }, { uri } or a key function');
}

function localKeys(jwks: LocalJwks): KeyGetter {
  // An empty set is allowed (every token is then token_key_unknown), e.g. while keys are being provisioned.
  if (!Array.isArray(jwks.keys)) throw new TypeError('options.jwks.keys must be an array of public JWKs');
  for (const key of jwks.keys) {
    if (key === null || typeof key !== 'object') throw new TypeError('options.jwks.keys must contain JWK objects');
    if ('d' in key || key.kty === 'oct') throw new TypeError('options.jwks.keys must contain public keys only (no private or symmetric keys)');
  }
  try {
    const set = createLocalJWKSet({ keys: jwks.keys as JWK[] });
    return (header) => set(header);
  } catch (cause) {
    throw new TypeError('options.jwks.keys is not a valid JSON Web Key Set', { cause });
  }
}

/** A user key function: an `InfrastructureError` stays a 503; any other failure means "no key for this token". */
function functionKeys(lookup: KeyFunction): KeyGetter {
  return async (header, token) => {
    try {
      return await lookup(header, token);
    } catch (error) {
      if (error instanceof InfrastructureError) throw error;
      throw new errors.JWKSNoMatchingKey('the key function found no key', { cause: error });
    }
  };
}

function remoteUri(uri: unknown): URL {
  if (typeof uri !== 'string' || !URL.canParse(uri) || !/^https?:$/.test(new URL(uri).protocol)) {
    throw new TypeError('options.jwks.uri must be an absolute http(s) URL');
  }
  return new URL(uri);
}

function remoteSettings(jwks: RemoteJwks): RemoteSettings {
  return Object.freeze({
    timeoutMs: duration(jwks.timeoutMs, 5_000, 'timeoutMs', 1, 60_000),
    cooldownMs: duration(jwks.cooldownMs, 30_000, 'cooldownMs', 0, MAX_CACHE_AGE_MS),
    cacheMaxAgeMs: duration(jwks.cacheMaxAgeMs, 600_000, 'cacheMaxAgeMs', 1, MAX_CACHE_AGE_MS),
  });
}

function duration(value: unknown, fallback: number, name: string, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`options.jwks.${name} must be an integer number of ms between ${min} and ${max}`);
  }
  return value;
}
