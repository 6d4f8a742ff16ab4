import { sha256 } from '../../base/util/hash.js';
import type { RateLimitMode } from '../../base/types/options.js';

const LONG = 96;

/**
 * One component of a store key: kept readable when short and brace-free, hashed (SHA-256, base64url)
 * otherwise, so that a client-chosen `jti` can neither break the Redis Cluster hash tag (`{…}`) nor
 * make keys unboundedly long.
 */
function component(value: string): string {
  if (value.length <= LONG && !/[{}\s%]/.test(value)) return value;
  return `#${sha256(value)}`;
}

/**
 * Store keys of one request. Every key starts with the subject's hash tag `{…}` so that all keys of a
 * request live in one Redis Cluster slot and one script call can touch them all. The subject names the
 * issuer scope (`LimitKey`), so every key does: rate-limit windows and DPoP replay markers alike.
 *
 * @example
 * const keys = requestKeys('pT3c0qH1m9Xz4kQe:jti:rate-limit-test-001');
 * keys.window('api.call', 'minute', 'sliding'); // '{pT3c0qH1m9Xz4kQe:jti:rate-limit-test-001}:rl:api.call:minute:s'
 */
export function requestKeys(subject: string) {
  const tag = `{${component(subject)}}`;
  return {
    window: (action: string, name: string, mode: RateLimitMode) =>
      `${tag}:rl:${component(action)}:${name}:${mode === 'sliding' ? 's' : 'f'}`,
    replay: (jkt: string, jti: string) => `${tag}:dpop:${component(jkt)}:${component(jti)}`,
  };
}
