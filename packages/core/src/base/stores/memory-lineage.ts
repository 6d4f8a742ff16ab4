import { InfrastructureError } from '../util/errors.js';
import { ExpiringTable } from './expiring-table.js';
import { MAX_ANCESTORS, type LineageInput, type TokenRecord, type TokenRecordInput } from './revocations.js';

/** One token's known ancestors, nearest first, kept until the token expires. */
interface Line {
  chain: readonly string[];
  expiresAt: number;
}

/** One token's capabilities (JSON, as the guard gave them), kept until the token expires. */
interface Caps {
  readonly json: string;
  expiresAt: number;
}

/** The lineage and capability records of `memoryRevocations()`: `lineage()` and `record()` over the same tables. */
export interface MemoryRecords {
  readonly lineage: (token: LineageInput) => Promise<readonly string[]>;
  readonly record: (token: TokenRecordInput) => Promise<TokenRecord>;
}

/**
 * The lineage of delegated tokens in process memory — `memoryRevocations().lineage`, and the guard's
 * default for a revocation store without one. Each token seen with a `delegation.parent_jti` is recorded
 * once with its whole known ancestry (its parent's record, plus the parent), per issuer (RFC 7519 makes
 * `jti` unique per issuer only; the guard passes the issuer scope's name), until the token's `exp`. At most
 * `max` records: a live record is never dropped to make room (a grandchild would escape its grandparent's
 * revocation); when full, the call rejects with `InfrastructureError('store_full')` and the guard refuses
 * the token (503) until records expire.
 *
 * With it, the capabilities of every token seen (`record()`), for the breadth check of the tokens
 * delegated from it (draft "Delegation Chain Validation": a delegated token is never broader than
 * its parent). At most `max` capability records too; when that budget is full a new token's capabilities
 * are NOT recorded (the token itself is admitted: it needs no record; its children find no parent, and
 * `options.delegation.unknownParent` decides), while a full lineage budget still refuses a delegated token.
 */
export function memoryRecords(max: number): MemoryRecords {
  if (!Number.isSafeInteger(max) || max < 1) throw new TypeError('maxLineage must be a positive integer');
  const lines = new ExpiringTable<Line>();
  const caps = new ExpiringTable<Caps>();
  const keyOf = (issuer: string, jti: string): string => `${issuer.length}:${issuer}${jti}`;
  const lineageNow = ({ issuer, jti, parent, until, now }: LineageInput): readonly string[] => {
    lines.sweep(now);
    const above = lines.get(keyOf(issuer, parent), now)?.chain ?? [];
    const chain = [parent, ...above].slice(0, MAX_ANCESTORS);
    if (jti === undefined || until <= now) return chain;
    const key = keyOf(issuer, jti);
    const known = lines.get(key, now);
    if (known) {
      if (known.chain.length < chain.length) known.chain = chain;
      known.expiresAt = Math.max(known.expiresAt, until);
      return known.chain;
    }
    if (lines.size >= max) {
      throw new InfrastructureError('store_full', `lineage budget full (${max} delegated tokens alive)`);
    }
    lines.add(key, { chain, expiresAt: until });
    return chain;
  };
  return {
    lineage: async (token) => lineageNow(token),
    record: async (token) => {
      const { issuer, jti, parent, until, now } = token;
      const chain = parent === undefined ? [] : lineageNow({ issuer, jti, parent, until, now });
      caps.sweep(now);
      const parentCaps = parent === undefined ? undefined : caps.get(keyOf(issuer, parent), now)?.json;
      if (jti !== undefined && until > now) {
        const key = keyOf(issuer, jti);
        const known = caps.get(key, now);
        if (known) known.expiresAt = Math.max(known.expiresAt, until);
        else if (caps.size < max) caps.add(key, { json: token.capabilities, expiresAt: until });
      }
      return { chain, parent: parentCaps };
    },
  };
}
