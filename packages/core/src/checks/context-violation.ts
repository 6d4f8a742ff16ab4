import type { ContextClaim } from '../base/claims/model.js';
import { deny, type Deny } from '../base/deny/deny.js';
import type { CheckContext } from './context.js';
import { clientIp } from '../base/request/client-ip.js';
import { instantRange } from './compile-capability.js';

/**
 * The token-wide `context` restrictions (draft "Contextual Restrictions Enforcement"), denied with
 * `context_violation` (`aap_invalid_context`):
 * - `time_window`: start inclusive, end exclusive, like the capability constraint;
 * - `network_zone`: the client address must lie in a zone configured in `constraints.networkZones`.
 *   A zone the RS does not know cannot be verified, so it denies (map a zone to `['0.0.0.0/0', '::/0']`
 *   to accept it from anywhere).
 * Other `context` members are informational.
 */
export function contextViolation(ctx: CheckContext): Deny | undefined {
  const context = ctx.claims?.context;
  if (!context) return undefined;
  if (context.time_window !== undefined) {
    const window = instantRange(context.time_window);
    if (!window || ctx.now < window.start || ctx.now >= window.end) return deny('context_violation', { rule: 'time_window' });
  }
  if (context.network_zone !== undefined) return zoneViolation(ctx, context.network_zone);
  return undefined;
}

function zoneViolation(ctx: CheckContext, zone: ContextClaim['network_zone']): Deny | undefined {
  const matcher = typeof zone === 'string' ? ctx.settings.policy.networkZones.get(zone) : undefined;
  if (!matcher) return deny('context_violation', { rule: 'network_zone_unknown', zone });
  const ip = clientIp(ctx);
  return ip !== undefined && matcher(ip) ? undefined : deny('context_violation', { rule: 'network_zone', zone, ip });
}
