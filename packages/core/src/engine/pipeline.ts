import type { Check, Step } from '../checks/context.js';
import type { Deny } from '../base/deny/deny.js';
import { extractCredentials } from '../checks/extract-credentials.js';
import { verifyToken } from '../checks/verify-token.js';
import { proofOfPossession } from '../checks/proof-of-possession.js';
import { revocation } from '../checks/revocation.js';
import { agentPolicy } from '../checks/agent-policy.js';
import { taskBinding } from '../checks/task-binding.js';
import { delegation } from '../checks/delegation.js';
import { capabilityMatch } from '../checks/capability-match.js';
import { statelessConstraints } from '../checks/stateless-constraints.js';
import { resolveDestination } from '../checks/resolve-destination.js';
import { oversight } from '../checks/oversight.js';
import { consumeProofQuotaHold } from '../checks/consume-proof-quota-hold.js';
import { routePop } from '../checks/route-pop.js';
import { popByRisk } from '../checks/pop-by-risk.js';
import { routeInput } from '../checks/route-input.js';

/**
 * The check pipeline, as data: each step's name — what a deny's audit detail records as `detail.check`,
 * stamped by the engine, so no check writes its own — beside the check it runs. Cheap and stateless
 * first, one store round trip last. Reading these two lists tells what the guard does, in order.
 */

/** Steps 1–4: who is calling, and with what proof. */
export const AUTHENTICATE: readonly Step[] = steps([
  ['credentials', extractCredentials], // 1. framing (Content-Length), RFC 6750 / RFC 9449 schemes, exactly one method, size cap
  ['token', verifyToken], //              2. JWS header, signature, typ, iss, aud, exp/nbf/iat, AAP claim structure
  ['pop', proofOfPossession], //          3. DPoP proof or mTLS certificate; no downgrade of bound tokens
  ['revocation', revocation], //          4. jti, task, grant, agent, parent_jti — a local set kept current
]);

/** The stateful step: the DPoP proof's `jti`, the rate-limit windows and the hold, in one store call. */
const CONSUME: Step = Object.freeze({ name: 'rate-limit', run: consumeProofQuotaHold });

/** Steps 5–8: may this caller perform the route's action, now. */
export const AUTHORIZE: readonly Step[] = steps([
  ['target', routeInput], //               the route's target is one string (else 400, never a guess)
  ['pop', routePop], //                    the route's PoP requirement and DPoP mode (authentication ran with the guard's)
  ['agent', agentPolicy], //               5. agent allow/deny lists, models, attestation
  ['task', taskBinding], //                   task purpose, sensitivity, id binding, created_at / expires_at
  ['delegation', delegation], //              depth, chain, act, RS maximum, trusted actors
  ['capability', capabilityMatch], //      6. exact action match, first matching capability
  ['destination', resolveDestination], //     the target's addresses, only for a candidate with ip_ranges_allowed
  ['constraints', statelessConstraints], //   domains, methods, size, time windows, classification, IPs, context
  ['pop', popByRisk], //                       PoP by risk (draft §12.2): classification, oversight level, lifetime, writes
  ['oversight', oversight], //             7. human approval holds
  CONSUME, //                              8. DPoP replay + rate limits in one atomic store call; holds made or used
]);

/** The stateful step alone: a request with no route still consumes its DPoP proof. */
export const CONSUME_ONLY: readonly Step[] = Object.freeze([CONSUME]);

function steps(list: readonly (readonly [string, Check] | Step)[]): readonly Step[] {
  return Object.freeze(
    list.map((entry) => ('run' in entry ? entry : Object.freeze({ name: entry[0], run: entry[1] }))),
  );
}

/**
 * A step's deny with `detail.check` naming the step — unless the step named the part of it that denied
 * (proof-of-possession's `'dpop'`/`'mtls'`, the stateful step's `'dpop'` replay or `'store'` budget).
 */
export function stamped(outcome: Deny, step: Step): Deny {
  if (outcome.detail?.check !== undefined) return outcome;
  return { ...outcome, detail: { check: step.name, ...outcome.detail } };
}
