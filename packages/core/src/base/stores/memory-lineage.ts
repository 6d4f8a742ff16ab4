import { InfrastructureError } from '../util/errors.js';
import { ExpiringTable } from './expiring-table.js';
import { MAX_ANCESTORS, type LineageInput } from './revocations.js';

/** One token's known ancestors, nearest first, kept until the token expires. */
interface Line {
  chain: readonly string[];
  expiresAt: number;
}

/**
 * The lineage of delegated tokens in process memory — `memoryRevocations().lineage`, and the guard's
 * default for a revocation store without one. Each token seen with a `delegation.parent_jti` is recorded
 * once with its whole known ancestry (its parent's record, plus the parent), per issuer (RFC 7519 makes
 * `jti` unique per issuer only; the guard passes the issuer scope's name), until the token's `exp`. At most `max` records: a live record is never
 * dropped to make room (a grandchild would escape its grandparent's revocation); when full, the call
 * rejects with `InfrastructureError('store_full')` and the guard refuses the token (503) until records expire.
 */
export function memoryLineage(max: number): (token: LineageInput) => Promise<readonly string[]> {
  if (!Number.isSafeInteger(max) || max < 1) throw new TypeError('maxLineage must be a positive integer');
  const table = new ExpiringTable<Line>();
  const keyOf = (issuer: string, jti: string): string => `${issuer.length}:${issuer}${jti}`;
  return async ({ issuer, jti, parent, until, now }) => {
    table.sweep(now);
    const above = table.get(keyOf(issuer, parent), now)?.chain ?? [];
    const chain = [parent, ...above].slice(0, MAX_ANCESTORS);
    if (jti === undefined || until <= now) return chain;
    const key = keyOf(issuer, jti);
    const known = table.get(key, now);
    if (known) {
      if (known.chain.length < chain.length) known.chain = chain;
      known.expiresAt = Math.max(known.expiresAt, until);
      return known.chain;
    }
    if (table.size >= max) {
      throw new InfrastructureError('store_full', `lineage budget full (${max} delegated tokens alive)`);
    }
    table.add(key, { chain, expiresAt: until });
    return chain;
  };
}
