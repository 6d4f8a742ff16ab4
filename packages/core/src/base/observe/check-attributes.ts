import type { Attributes } from '@opentelemetry/api';
import type { Decision } from '../types/decision.js';
import type { WouldDeny } from '../deny/would-deny.js';

/**
 * The `aap.*` attributes of a decision (OpenTelemetry naming: lower-case, dot-namespaced): outcome,
 * reason, action, agent, task, delegation depth and the token's `audit.trace_id`. Never the token,
 * a proof, or a constraint value.
 *
 * @example
 * span.setAttributes(decisionAttributes(decision, route));
 */
export function decisionAttributes(decision: Decision, route: { readonly action?: string } | undefined): Attributes {
  const attributes: Attributes = { 'aap.decision': decision.allowed ? 'allow' : 'deny', 'aap.status': decision.status };
  const action = route?.action ?? decision.principal?.action;
  if (action !== undefined) attributes['aap.action'] = action;
  if (decision.reason !== undefined) attributes['aap.reason'] = decision.reason;
  if (decision.error !== undefined) attributes['aap.error'] = decision.error;
  if (decision.wouldDeny !== undefined) attributes['aap.would_deny'] = decision.wouldDeny.map((would) => would.reason);
  const claims = decision.claims;
  if (claims) {
    attributes['aap.agent.id'] = claims.agent.id;
    attributes['aap.agent.operator'] = claims.agent.operator;
    attributes['aap.task.id'] = claims.task.id;
    if (typeof claims.delegation?.depth === 'number') attributes['aap.delegation.depth'] = claims.delegation.depth;
    if (typeof claims.audit?.trace_id === 'string') attributes['aap.audit.trace_id'] = claims.audit.trace_id;
  }
  return attributes;
}

/**
 * The low-cardinality attributes of a decision, for metrics: outcome, reason and action only.
 *
 * @example
 * counter.add(1, decisionLabels(decision, route));
 */
export function decisionLabels(decision: Decision, route: { readonly action?: string } | undefined): Attributes {
  const labels: Attributes = { 'aap.decision': decision.allowed ? 'allow' : 'deny' };
  const action = route?.action ?? decision.principal?.action;
  if (action !== undefined) labels['aap.action'] = action;
  if (decision.reason !== undefined) labels['aap.reason'] = decision.reason;
  return labels;
}

/**
 * `error.type` (OpenTelemetry semantic conventions) of a failed call: its `code`, else its class name.
 *
 * @example
 * errorType(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })) // 'ECONNREFUSED'
 */
export function errorType(error: unknown): string {
  const code =
    (error as { code?: unknown; reason?: unknown } | null)?.reason ?? (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.name : '_OTHER';
}

/**
 * The low-cardinality attributes of one would-deny of a decision (report-only policies), for metrics:
 * policy, reason and action.
 *
 * @example
 * for (const would of decision.wouldDeny ?? []) counter.add(1, wouldDenyLabels(would, decision, route));
 */
export function wouldDenyLabels(
  would: WouldDeny,
  decision: Decision,
  route: { readonly action?: string } | undefined,
): Attributes {
  const labels: Attributes = { 'aap.policy': would.policy, 'aap.reason': would.reason };
  const action = route?.action ?? decision.principal?.action;
  if (action !== undefined) labels['aap.action'] = action;
  return labels;
}
