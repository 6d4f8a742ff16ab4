import { createLocalJWKSet, errors, type JWK } from 'jose';
import type { JwksOption, KeyFunction, LocalJwks, RemoteJwks } from '../../base/types/options.js';
import { InfrastructureError } from '../../base/util/errors.js';
import { secureUrl } from '../../base/util/secure-url.js';
import { MAX_FRESH_MS } from '../../base/http/cache-control.js';
import { DiscoveredKeys } from './discovery.js';
import { staticSource, type KeySource, type SourceContext } from './key-source.js';
import { RemoteKeySet, type RemoteSettings } from './remote-keys.js';

/**
 * Build one key source once, at `createGuard()`: a local JWKS (keys imported on first use and memoized
 * by jose), a remote JWKS, or a key function — or, given no `jwks`, discovery from the issuer's
 * RFC 8414 metadata. `name` is the option's path in error messages (`options.jwks`,
 * `options.issuer[1].jwks`). A JWKS or discovery URL must keep the one URL rule (base/util/secure-url.ts:
 * https, http only on loopback, or `allowInsecureRequests`). Throws `TypeError` naming the option on
 * misconfiguration.
 */
export function resolveKeySource(
  jwks: JwksOption | undefined,
  name: string,
  context: SourceContext,
  discoverFrom?: string,
): KeySource {
  if (typeof jwks === 'function') return staticSource(functionKeys(jwks), { source: 'function', loaded: true });
  if (jwks === undefined) {
    const issuer = discoverFrom ?? '';
    if (!/^https?:$/.test(URL.parse(issuer)?.protocol ?? '')) {
      throw new TypeError(`${name} must be an absolute http(s) URL to discover its JWKS (RFC 8414), or give it a jwks`);
    }
    secureUrl(issuer, name, context.allowInsecure); // its metadata and JWKS are fetched over it
    return new DiscoveredKeys(issuer, remoteSettings({ uri: issuer }, name), context);
  }
  if (jwks === null || typeof jwks !== 'object')
    throw new TypeError(`${name} must be { keys }, { uri } or a key function`);
  if ('keys' in jwks) return localKeys(jwks, name);
  if ('uri' in jwks) {
    const uri = secureUrl(jwks.uri, `${name}.uri`, context.allowInsecure);
    return new RemoteKeySet(uri, remoteSettings(jwks, name), context);
  }
  throw new TypeError(`${name} must be { keys }, { uri } or a key function`);
}

function localKeys(jwks: LocalJwks, name: string): KeySource {
  // An empty set is allowed (every token is then token_key_unknown), e.g. while keys are being provisioned.
  if (!Array.isArray(jwks.keys)) throw new TypeError(`${name}.keys must be an array of public JWKs`);
  for (const key of jwks.keys) {
    if (key === null || typeof key !== 'object') throw new TypeError(`${name}.keys must contain JWK objects`);
    if ('d' in key || key.kty === 'oct')
      throw new TypeError(`${name}.keys must contain public keys only (no private or symmetric keys)`);
  }
  try {
    const set = createLocalJWKSet({ keys: jwks.keys as JWK[] });
    return staticSource((header) => set(header), { source: 'local', loaded: true, keys: jwks.keys.length });
  } catch (cause) {
    throw new TypeError(`${name}.keys is not a valid JSON Web Key Set`, { cause });
  }
}

/** A user key function: an `InfrastructureError` stays a 503; any other failure means "no key for this token". */
function functionKeys(lookup: KeyFunction): KeySource['key'] {
  return async (header, token) => {
    try {
      return await lookup(header, token);
    } catch (error) {
      if (error instanceof InfrastructureError) throw error;
      throw new errors.JWKSNoMatchingKey('the key function found no key', { cause: error });
    }
  };
}

function remoteSettings(jwks: RemoteJwks, name: string): RemoteSettings {
  const duration = (value: unknown, fallback: number, option: string, min: number, max: number): number => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new TypeError(`${name}.${option} must be an integer number of ms between ${min} and ${max}`);
    }
    return value;
  };
  return Object.freeze({
    timeoutMs: duration(jwks.timeoutMs, 5_000, 'timeoutMs', 1, 60_000),
    cooldownMs: duration(jwks.cooldownMs, 30_000, 'cooldownMs', 0, MAX_FRESH_MS),
    cacheMaxAgeMs: duration(jwks.cacheMaxAgeMs, 600_000, 'cacheMaxAgeMs', 1, MAX_FRESH_MS),
  });
}
