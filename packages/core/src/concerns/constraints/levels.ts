import type { DataLevel } from '../../base/types/route.js';

/**
 * The ordering of data levels, used for `task.data_sensitivity` against a route's ceiling and for
 * `data_classification_max` against a route's classification:
 * `public` < `internal` < `confidential` < `restricted` = `personal`.
 * The draft's constraint enum stops at `restricted`; its task examples also say `personal`, which
 * we rank with `restricted` (personal data is the most protected class in both).
 */
const RANK: Readonly<Record<DataLevel, number>> = Object.freeze({
  public: 0,
  internal: 1,
  confidential: 2,
  restricted: 3,
  personal: 3,
});

/** The rank of a level, or `undefined` for anything else (callers fail closed on it). */
export function levelRank(value: unknown): number | undefined {
  return typeof value === 'string' && Object.hasOwn(RANK, value) ? RANK[value as DataLevel] : undefined;
}
