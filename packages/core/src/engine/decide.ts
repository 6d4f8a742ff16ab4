import type { AuditEvent } from '../base/audit/event.js';
import type { AapClaims } from '../base/claims/model.js';
import type { CheckContext } from '../checks/context.js';
import { denyBody } from '../base/deny/body.js';
import type { Deny } from '../base/deny/deny.js';
import { REASONS, type ReasonCode, type SpecError } from '../base/deny/reasons.js';
import { decisionChannel } from '../base/observe/channels.js';
import { emitAudit } from '../base/audit/safe-sink.js';
import type { Decision, Destination, Principal, ResponseLimits } from '../base/types/decision.js';
import { compileCapability } from '../checks/compile-capability.js';
import type { DenyBody } from '../base/deny/body.js';
import type { WouldDeny } from '../base/deny/would-deny.js';
import { lazyAuditEvent, type AuditOutcome } from './audit-event.js';
import { challenge } from './challenge.js';

/** Turn the pipeline's outcome into a `Decision` and emit its audit event. */
export function decide(ctx: CheckContext, outcome: Deny | undefined, startedAt: number): Decision {
  const decision = outcome ? denied(ctx, outcome, startedAt) : allowed(ctx, startedAt);
  if (ctx.runtime.audit) emitAudit(ctx.runtime, decision.audit); // the event is built only for a sink
  if (ctx.settings.debug) logDecision(ctx, decision);
  if (decisionChannel.hasSubscribers) decisionChannel.publish({ decision, route: ctx.route });
  return decision;
}

const ALLOWED: AuditOutcome = Object.freeze({ status: 200 });

/**
 * A decision whose audit event is built on first use and then kept (`lazyAuditEvent`): without an audit
 * sink (and outside debug mode) nobody asks for it. A class, not an object literal with a getter: V8 builds
 * such a literal on a slow path that cost more than the rest of a cached check.
 */
class GuardDecision implements Decision {
  readonly #audit: () => AuditEvent;

  constructor(
    readonly allowed: boolean,
    readonly status: number,
    readonly headers: Readonly<Record<string, string>>,
    readonly claims: AapClaims | undefined,
    readonly principal: Principal | undefined,
    readonly limits: ResponseLimits | undefined,
    readonly error: SpecError | undefined,
    readonly reason: ReasonCode | undefined,
    readonly body: DenyBody | undefined,
    readonly wouldDeny: readonly WouldDeny[] | undefined,
    audit: () => AuditEvent,
  ) {
    this.#audit = audit;
  }

  get audit(): AuditEvent {
    return this.#audit();
  }
}

function allowed(ctx: CheckContext, startedAt: number): Decision {
  const claims = ctx.claims;
  const principal = claims && {
    claims,
    scheme: ctx.credentials?.scheme ?? 'Bearer',
    capability: ctx.capability,
    action: ctx.route?.action,
    destination: destinationOf(ctx),
  };
  const audit = lazyAuditEvent(ctx, ALLOWED, startedAt);
  return new GuardDecision(
    true,
    200,
    ctx.headers,
    claims,
    principal,
    ctx.limits,
    undefined,
    undefined,
    undefined,
    ctx.wouldDeny,
    audit,
  );
}

/** The addresses `ip_ranges_allowed` checked, when the authorizing capability has it: where the app connects. */
function destinationOf(ctx: CheckContext): Destination | undefined {
  const target = ctx.destination;
  if (target?.addresses === undefined || !ctx.capability || !compileCapability(ctx.capability).needsDestination)
    return undefined;
  return { host: target.host, address: target.addresses[0] as string, addresses: target.addresses };
}

function denied(ctx: CheckContext, outcome: Deny, startedAt: number): Decision {
  const row = REASONS[outcome.reason];
  Object.assign(ctx.detail, outcome.detail);
  // no spread on hot paths: docs/ARCHITECTURE.md "Performance"
  const headers: Record<string, string> = Object.assign({}, ctx.headers, outcome.headers);
  const authenticate = challenge(ctx, outcome.reason);
  if (authenticate !== undefined) headers['www-authenticate'] = authenticate;
  const body: DenyBody = denyBody(outcome.reason, outcome.body);
  const audit = lazyAuditEvent(ctx, { status: row.status, error: row.error, reason: outcome.reason }, startedAt);
  return new GuardDecision(
    false,
    row.status,
    headers,
    ctx.claims,
    undefined,
    undefined,
    row.error,
    outcome.reason,
    body,
    ctx.wouldDeny,
    audit,
  );
}

/** Debug mode: one line per decision, with the audit identity (never the token: only its hash). */
function logDecision(ctx: CheckContext, decision: Decision): void {
  const { audit } = decision;
  ctx.runtime.logger.debug(
    {
      event: 'decision',
      decision: audit.decision,
      status: audit.status,
      reason: audit.reason,
      wouldDeny: audit.wouldDeny?.map((w) => w.reason),
      action: audit.action,
      agent: audit.agent?.id,
      task: audit.task?.id,
      method: audit.method,
      path: audit.path,
      tokenHash: audit.tokenHash,
      latencyMs: audit.latencyMs,
    },
    `${audit.decision} ${audit.method} ${audit.path}${audit.reason ? ` (${audit.reason})` : ''}`,
  );
}
