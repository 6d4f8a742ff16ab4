import { lazyAuditEvent } from '../audit/build.js';
import type { CheckContext, Deny } from '../checks/context.js';
import type { Decision, DenyBody } from '../types.js';
import { challenge } from './challenge.js';
import { REASONS } from './reasons.js';
import { denyBody } from './body.js';
import { decisionChannel } from '../observe/channels.js';

/** Turn the pipeline's outcome into a `Decision` and emit its audit event. */
export function decide(ctx: CheckContext, outcome: Deny | undefined, startedAt: number): Decision {
  const decision = outcome ? denied(ctx, outcome, startedAt) : allowed(ctx, startedAt);
  ctx.options.audit?.(decision.audit); // wrapped once: a failing sink never changes the decision
  if (ctx.options.debug) logDecision(ctx, decision);
  if (decisionChannel.hasSubscribers) decisionChannel.publish({ decision, route: ctx.route });
  return decision;
}

function allowed(ctx: CheckContext, startedAt: number): Decision {
  const claims = ctx.claims;
  const audit = lazyAuditEvent(ctx, { status: 200 }, startedAt);
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
    get audit() {
      return audit(); // built on first use: never without an audit sink or debug mode
    },
  };
}

function denied(ctx: CheckContext, outcome: Deny, startedAt: number): Decision {
  const row = REASONS[outcome.reason];
  Object.assign(ctx.detail, outcome.detail);
  const headers: Record<string, string> = { ...ctx.headers, ...outcome.headers };
  if (row.status === 401) headers['www-authenticate'] = challenge(ctx, outcome.reason);
  const body: DenyBody = denyBody(outcome.reason, outcome.body);
  const audit = lazyAuditEvent(ctx, { status: row.status, error: row.error, reason: outcome.reason }, startedAt);
  return {
    allowed: false,
    status: row.status,
    error: row.error,
    reason: outcome.reason,
    headers,
    body,
    claims: ctx.claims,
    get audit() {
      return audit();
    },
  };
}

/** Debug mode: one line per decision, with the audit identity (never the token: only its hash). */
function logDecision(ctx: CheckContext, decision: Decision): void {
  const { audit } = decision;
  ctx.options.logger.debug(
    { event: 'decision', decision: audit.decision, status: audit.status, reason: audit.reason, action: audit.action, agent: audit.agent?.id, task: audit.task?.id, method: audit.method, path: audit.path, tokenHash: audit.tokenHash, latencyMs: audit.latencyMs },
    `${audit.decision} ${audit.method} ${audit.path}${audit.reason ? ` (${audit.reason})` : ''}`,
  );
}
