import { buildAuditEvent } from '../audit/build.js';
import type { CheckContext, Deny } from '../checks/context.js';
import type { Decision, DenyBody } from '../types.js';
import { challenge } from './challenge.js';
import { REASONS } from './reasons.js';

/** Turn the pipeline's outcome into a `Decision` and emit its audit event. */
export function decide(ctx: CheckContext, outcome: Deny | undefined, startedAt: number): Decision {
  const decision = outcome ? denied(ctx, outcome, startedAt) : allowed(ctx, startedAt);
  const sink = ctx.options.audit;
  if (sink) {
    try {
      sink(decision.audit);
    } catch {
      // An audit sink failure must not change the decision; the sink owns its own error reporting.
    }
  }
  return decision;
}

function allowed(ctx: CheckContext, startedAt: number): Decision {
  const claims = ctx.claims;
  return {
    allowed: true,
    status: 200,
    headers: ctx.headers,
    claims,
    principal: claims && {
      claims,
      scheme: ctx.credentials?.scheme ?? 'Bearer',
      capability: ctx.capability,
      action: ctx.route?.action,
    },
    limits: ctx.limits,
    audit: buildAuditEvent(ctx, { status: 200 }, startedAt),
  };
}

function denied(ctx: CheckContext, outcome: Deny, startedAt: number): Decision {
  const row = REASONS[outcome.reason];
  Object.assign(ctx.detail, outcome.detail);
  const headers: Record<string, string> = { ...ctx.headers, ...outcome.headers };
  if (row.status === 401) headers['www-authenticate'] = challenge(ctx, outcome.reason);
  const body: DenyBody = { error: row.error, error_description: row.description, reason: outcome.reason, ...outcome.body };
  return {
    allowed: false,
    status: row.status,
    error: row.error,
    reason: outcome.reason,
    headers,
    body,
    claims: ctx.claims,
    audit: buildAuditEvent(ctx, { status: row.status, error: row.error, reason: outcome.reason }, startedAt),
  };
}
