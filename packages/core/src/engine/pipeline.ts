import type { Check } from '../checks/context.js';
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
import { oversight } from '../checks/oversight.js';
import { consumeState } from '../checks/consume-state.js';
import { routeDpopMode } from '../checks/route-dpop-mode.js';
import { routeInput } from '../checks/route-input.js';

/**
 * The check pipeline of DESIGN.md, as data. Cheap and stateless first, one store round trip last.
 * Reading these two lists tells what the guard does, in order.
 */

/** Steps 1–4: who is calling, and with what proof. */
export const AUTHENTICATE: readonly Check[] = Object.freeze([
  extractCredentials, // 1. framing (Content-Length), RFC 6750 / RFC 9449 schemes, exactly one method, size cap
  verifyToken, //        2. JWS header, signature, typ, iss, aud, exp/nbf/iat, AAP claim structure
  proofOfPossession, //  3. DPoP proof or mTLS certificate; no downgrade of bound tokens
  revocation, //         4. jti, task, grant, agent, parent_jti — a local set kept current
]);

/** Steps 5–8: may this caller perform the route's action, now. */
export const AUTHORIZE: readonly Check[] = Object.freeze([
  routeInput, //           the route's target is one string (else 400, never a guess)
  routeDpopMode, //        the route's DPoP mode, when authentication ran before the route was known
  agentPolicy, //          5. agent allow/deny lists, models, attestation
  taskBinding, //             task purpose, sensitivity, id binding, created_at / expires_at
  delegation, //              depth, chain, act, RS maximum, trusted actors
  capabilityMatch, //      6. exact action match, first matching capability
  statelessConstraints, //    domains, methods, size, time windows, classification, IPs, context
  oversight, //            7. human approval holds
  consumeState, //         8. DPoP jti replay + rate-limit windows, atomically, one store call; holds created or consumed
]);

/** The stateful step alone: a request with no route still consumes its DPoP proof. */
export const CONSUME_ONLY: readonly Check[] = Object.freeze([consumeState]);

/**
 * The name of each step, as a deny's audit detail records it (`detail.check`). The engine stamps it:
 * the pipeline knows which step denied, so no check writes its own name.
 */
const STEP_NAMES: ReadonlyMap<Check, string> = new Map<Check, string>([
  [extractCredentials, 'credentials'],
  [verifyToken, 'token'],
  [proofOfPossession, 'pop'],
  [revocation, 'revocation'],
  [routeInput, 'target'],
  [routeDpopMode, 'dpop'],
  [agentPolicy, 'agent'],
  [taskBinding, 'task'],
  [delegation, 'delegation'],
  [capabilityMatch, 'capability'],
  [statelessConstraints, 'constraints'],
  [oversight, 'oversight'],
  [consumeState, 'rate-limit'],
]);

/**
 * A step's deny with `detail.check` naming the step — unless the step named the part of it that denied
 * (proof-of-possession's `'dpop'`/`'mtls'`, the stateful step's `'dpop'` replay or `'store'` budget).
 *
 * @example
 * stamped(deny('token_revoked', { kind: 'task' }), revocation) // detail: { check: 'revocation', kind: 'task' }
 */
export function stamped(outcome: Deny, step: Check): Deny {
  if (outcome.detail?.check !== undefined) return outcome;
  return { ...outcome, detail: { check: STEP_NAMES.get(step), ...outcome.detail } };
}
