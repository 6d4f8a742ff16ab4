import type { ContextClaim } from '../base/claims/model.js';
import { deny, type Deny } from '../base/deny/deny.js';
import type { CheckContext } from './context.js';
import { reportOrDeny } from './report-only.js';
import { clientIp } from '../base/request/client-ip.js';
import { requestRegion } from '../base/request/region.js';
import { instantRange } from '../concerns/constraints/time-window.js';

/**
 * The token-wide `context` restrictions (draft "Contextual Restrictions Enforcement"), denied with
 * `context_violation` (`aap_invalid_context`):
 * - `time_window`: start inclusive, end exclusive, like the capability constraint;
 * - `network_zone`: the client address must lie in a zone configured in `constraints.networkZones`.
 *   A zone the RS does not know cannot be verified, so it denies (map a zone to `['0.0.0.0/0', '::/0']`
 *   to accept it from anywhere).
 * - `geo_restriction` (draft §7.8: "additional checks for geo or network restrictions when provided"):
 *   `"none"` — the draft's example — restricts nothing; an ISO 3166-1 alpha-2 code, or a list of them,
 *   admits a request whose region (`constraints.region`, as for `allowed_regions`) is one of them. Any
 *   other value, or no resolver, cannot be verified, so it denies (fail closed, like `allowed_regions`).
 * Other `context` members are informational (`location`, `environment`, `runtime`… describe the agent,
 * not a restriction: they go to the audit event with the claims).
 */
export function contextViolation(ctx: CheckContext): Deny | undefined {
  const context = ctx.claims?.context;
  if (!context) return undefined;
  if (context.time_window !== undefined) {
    const window = instantRange(context.time_window);
    if (!window || ctx.now < window.start || ctx.now >= window.end)
      return deny('context_violation', { rule: 'time_window' });
  }
  if (context.network_zone !== undefined) {
    const zone = zoneViolation(ctx, context.network_zone);
    if (zone) return zone;
  }
  if (context.geo_restriction === undefined || context.geo_restriction === 'none') return undefined;
  // new in 0.2 (fail closed), so rolled out under policy 'context'; the restrictions above were always enforced
  const geo = geoViolation(ctx, context.geo_restriction);
  return geo && reportOrDeny(ctx, 'context', geo);
}

const REGION = /^[A-Za-z]{2}$/;

function geoViolation(ctx: CheckContext, restriction: unknown): Deny | undefined {
  const list =
    typeof restriction === 'string'
      ? [restriction]
      : Array.isArray(restriction)
        ? (restriction as unknown[])
        : undefined;
  if (!list || list.length === 0 || !list.every((entry) => typeof entry === 'string' && REGION.test(entry))) {
    return deny('context_violation', { rule: 'geo_restriction_unreadable' });
  }
  if (!ctx.settings.policy.region) return deny('context_violation', { rule: 'geo_restriction_unresolved' });
  const region = requestRegion(ctx);
  return region !== undefined && list.some((entry) => (entry as string).toUpperCase() === region)
    ? undefined
    : deny('context_violation', { rule: 'geo_restriction', region });
}

function zoneViolation(ctx: CheckContext, zone: ContextClaim['network_zone']): Deny | undefined {
  const matcher = typeof zone === 'string' ? ctx.settings.policy.networkZones.get(zone) : undefined;
  if (!matcher) return deny('context_violation', { rule: 'network_zone_unknown', zone });
  const ip = clientIp(ctx);
  return ip !== undefined && matcher(ip) ? undefined : deny('context_violation', { rule: 'network_zone', zone, ip });
}
