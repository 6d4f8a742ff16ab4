import type { AapClaims, ActClaim } from './model.js';

/** RFC 8693 §4.1 allows arbitrarily deep `act`; we refuse to walk more than this (schema: depth ≤ 10). */
const MAX_ACT_NESTING = 16;

/**
 * The actors of a nested RFC 8693 `act` claim, least recent first (the innermost `act` is the least
 * recent actor, RFC 8693 §4.1); `null` when malformed or nested too deeply.
 *
 * @example
 * actChain({ ...claims, act: { sub: 'tool-b', act: { sub: 'tool-a' } } }); // ['tool-a', 'tool-b']
 */
export function actChain(claims: AapClaims): string[] | null {
  const actors: string[] = [];
  for (let act: ActClaim | undefined = claims.act; act !== undefined; act = act.act) {
    if (act === null || typeof act !== 'object' || typeof act.sub !== 'string' || actors.length >= MAX_ACT_NESTING)
      return null;
    actors.unshift(act.sub);
  }
  return actors;
}

/**
 * How many delegation hops a token carries — the larger of what `delegation` and `act` say, so that
 * neither can hide a hop: with a `delegation` claim its `depth` (the delegation check holds `act` to
 * the same chain, with or without its origin), without one the `act` nesting (each RFC 8693 `act` is
 * one hop; the origin is `sub`). A malformed `act` counts as unbounded (fail closed). The delegation
 * check computes this once per request (`ctx.delegationDepth`); this is for callers that run without it.
 *
 * @example
 * delegationDepth(claims); // 3 for three nested `act` and no `delegation`
 */
export function delegationDepth(claims: AapClaims): number {
  const actors = actChain(claims);
  if (actors === null) return Number.POSITIVE_INFINITY;
  const claimed = claims.delegation?.depth;
  if (typeof claimed === 'number') return Math.max(claimed, actors.length - 1);
  return actors.length;
}
