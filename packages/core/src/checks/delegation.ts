import { actChain } from '../base/claims/delegation-depth.js';
import { deny, type Deny } from '../base/deny/deny.js';
import { uncovered } from '../concerns/constraints/capability-cover.js';
import type { TokenLineage } from '../concerns/revocation/ancestors.js';
import type { Check, CheckContext } from './context.js';
import { reportOrDeny } from './report-only.js';

/** Draft "String Length Limits": each `delegation.chain[]` entry 1…128 characters. */
const MAX_CHAIN_ENTRY = 128;

/**
 * Step 5: the delegation chain (draft "Delegation Chain Semantics" and "Delegation Chain Validation").
 *
 * - structure: integer `depth` and `max_depth` (0–10), `chain` of `depth + 1` strings of 1–128
 *   characters, `chain[0]` the origin and `chain[depth]` the current holder → `delegation_chain_invalid`;
 * - `depth <= max_depth` and `depth <=` the RS-wide `delegation.maxDepth` → `delegation_depth_exceeded`
 *   (a capability's own `max_depth` is a constraint, checked with the capability);
 * - without a `delegation` claim, the `act` nesting is the depth (each RFC 8693 `act` is one hop), held
 *   to the RS maximum too: a token cannot skip the depth limits by carrying only `act`;
 * - the effective depth is kept in `ctx.delegationDepth` for the capability's `max_depth`;
 * - a nested RFC 8693 `act` claim, when present, must name the same actors in the same order: the
 *   innermost `act` is the least recent actor (RFC 8693 §4.1), so reading `act` inside-out gives the
 *   chain, with or without its origin (which RFC 8693 tokens often carry as `sub` instead);
 * - every actor must pass the `delegation.trustedActor` predicate when one is configured;
 * - a token with `parent_jti` is never broader than its parent (draft "Delegation Chain Validation": "The RS
 *   MUST ensure delegated tokens do not contain broader capabilities than the original agent token"): every
 *   capability must be covered by one of the parent's, as some replica recorded them at the parent's first
 *   request (`ctx.lineage`, from the revocation step) — see `uncovered()` → `delegation_broader_than_parent`.
 *   A parent no replica has seen is decided by `delegation.unknownParent` (`delegation_parent_unknown`, or
 *   admitted with `detail.delegationBreadth`). The verdict is computed once per token and replica.
 */
export const delegation: Check = (ctx) => {
  const { claims, settings } = ctx;
  if (!claims) return undefined;
  const { maxDepth, trustedActor } = settings.policy;
  const claim = claims.delegation;
  const actors = actChain(claims);
  if (actors === null) return deny('delegation_chain_invalid', { rule: 'act_nesting' });
  if (claim === undefined) {
    ctx.delegationDepth = actors.length;
    if (maxDepth !== undefined && actors.length > maxDepth)
      return deny('delegation_depth_exceeded', { rule: 'rs_max_depth', depth: actors.length, from: 'act' });
    return trustedActor && !actors.every(trustedActor)
      ? deny('delegation_chain_invalid', { rule: 'untrusted_actor' })
      : undefined;
  }
  const structure = structuralDefect(claim);
  if (structure) return structure;
  const { depth, max_depth, chain } = claim as { depth: number; max_depth: number; chain: readonly string[] };
  ctx.delegationDepth = depth; // an `act` must match the chain (below): it adds no hop
  if (depth > max_depth) return deny('delegation_depth_exceeded', { rule: 'max_depth', depth });
  if (maxDepth !== undefined && depth > maxDepth)
    return deny('delegation_depth_exceeded', { rule: 'rs_max_depth', depth });
  if (actors.length > 0 && !sameActors(actors, chain))
    return deny('delegation_chain_invalid', { rule: 'act_mismatch' });
  if (trustedActor && !chain.every(trustedActor)) return deny('delegation_chain_invalid', { rule: 'untrusted_actor' });
  return claim.parent_jti === undefined ? undefined : breadth(ctx, claim.parent_jti);
};

/** Each token's breadth verdict (a deny, or null: covered), beside the lineage object cached with it. */
const verdicts = new WeakMap<TokenLineage, Deny | null>();

function breadth(ctx: CheckContext, parentJti: string): Deny | undefined {
  const lineage = ctx.lineage;
  if (lineage?.parent === undefined) {
    if (ctx.settings.policy.unknownParent === 'refuse') {
      return reportOrDeny(ctx, 'delegation-breadth', deny('delegation_parent_unknown', { rule: 'breadth', parentJti }));
    }
    ctx.detail.delegationBreadth = "parent unknown: not compared (delegation.unknownParent: 'allow-audited')";
    return undefined;
  }
  let verdict = verdicts.get(lineage);
  if (verdict === undefined) {
    const found = uncovered((ctx.claims as NonNullable<CheckContext['claims']>).capabilities, lineage.parent);
    verdict = found
      ? deny('delegation_broader_than_parent', {
          rule: 'breadth',
          parentJti,
          capability: found.index,
          action: found.action,
          constraint: found.constraint,
        })
      : null;
    verdicts.set(lineage, verdict);
  }
  return verdict === null ? undefined : reportOrDeny(ctx, 'delegation-breadth', verdict); // last in the step: report-only may go on
}

/** Delegation claims found well-formed: a cached token's (frozen) claim is checked once, not per request. */
const wellFormed = new WeakSet<object>();

function structuralDefect(claim: unknown): Deny | undefined {
  if (typeof claim === 'object' && claim !== null && wellFormed.has(claim)) return undefined;
  const defect = findDefect(claim);
  if (!defect && Object.isFrozen(claim)) wellFormed.add(claim as object);
  return defect;
}

function findDefect(claim: unknown): Deny | undefined {
  if (claim === null || typeof claim !== 'object' || Array.isArray(claim)) return invalid('not_object');
  const { depth, max_depth, chain } = claim as Record<string, unknown>;
  if (!isDepth(depth)) return invalid('depth');
  if (!isDepth(max_depth)) return invalid('max_depth');
  if (!Array.isArray(chain) || !chain.every((entry) => typeof entry === 'string' && entry.length > 0))
    return invalid('chain');
  if (chain.some((entry: string) => characters(entry) > MAX_CHAIN_ENTRY)) return invalid('chain_entry_length');
  if (chain.length !== depth + 1) return invalid('chain_length');
  return undefined;
}

const invalid = (rule: string): Deny => deny('delegation_chain_invalid', { rule });
const isDepth = (value: unknown): value is number =>
  Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 10;

/** `act` read inside-out equals the chain, or the chain after its origin. */
function sameActors(actors: readonly string[], chain: readonly string[]): boolean {
  const offset = chain.length - actors.length;
  return (offset === 0 || offset === 1) && actors.every((actor, i) => actor === chain[i + offset]);
}

/** Length in characters (code points), as JSON Schema's `maxLength` counts; cheap for short strings. */
const characters = (value: string): number => (value.length <= MAX_CHAIN_ENTRY ? value.length : [...value].length);
