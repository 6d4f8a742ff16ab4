import type { Capability } from '../../base/claims/model.js';
import type { WindowUnit } from '../../base/types/options.js';

/** One rate-limit constraint of a capability, parsed. */
export interface RateLimitWindow {
  /** The constraint name, e.g. `max_requests_per_minute`. */
  readonly constraint: string;
  /** Name of the window in RateLimit headers and keys: `minute` for requests, `drafts_per_day` otherwise. */
  readonly name: string;
  readonly unit: WindowUnit;
  readonly limit: number;
  readonly windowMs: number;
}

/** The rate-limit windows of a capability, or the first invalid one. */
export type CapabilityWindows =
  | { readonly ok: true; readonly windows: readonly RateLimitWindow[] }
  | { readonly ok: false; readonly constraint: string; readonly problem: string };

/** `max_<noun>_per_<unit>`: every such constraint counts requests to the capability's action. */
const RATE_LIMIT = /^max_([a-z][a-z0-9_]*?)_per_(minute|hour|day)$/;
const UNIT_MS: Readonly<Record<WindowUnit, number>> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const NONE: CapabilityWindows = Object.freeze({ ok: true, windows: Object.freeze([]) });
const cache = new WeakMap<Capability, CapabilityWindows>();

/**
 * Whether a constraint name is a rate limit (for the unknown-constraint policy).
 *
 * @example
 * isRateLimitConstraint('max_drafts_per_day'); // true
 */
export function isRateLimitConstraint(name: string): boolean {
  return RATE_LIMIT.test(name);
}

/**
 * The rate-limit windows of a capability (`max_requests_per_minute|hour|day`, `max_<noun>_per_<unit>`),
 * validated: each value must be a positive safe integer. Cached per capability object.
 *
 * @example
 * capabilityWindows({ action: 'api.call', constraints: { max_requests_per_minute: 5 } });
 * // { ok: true, windows: [{ constraint: 'max_requests_per_minute', name: 'minute', unit: 'minute', limit: 5, windowMs:
 * // 60000 }] }
 */
export function capabilityWindows(capability: Capability): CapabilityWindows {
  let parsed = cache.get(capability);
  if (!parsed) {
    parsed = parse(capability.constraints);
    cache.set(capability, parsed);
  }
  return parsed;
}

function parse(constraints: unknown): CapabilityWindows {
  if (constraints === null || typeof constraints !== 'object') return NONE;
  const windows: RateLimitWindow[] = [];
  for (const [constraint, value] of Object.entries(constraints)) {
    const match = RATE_LIMIT.exec(constraint);
    if (!match) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      return { ok: false, constraint, problem: 'rate limit must be a positive safe integer' };
    }
    const noun = match[1] as string;
    const unit = match[2] as WindowUnit;
    windows.push({
      constraint,
      name: noun === 'requests' ? unit : `${noun}_per_${unit}`,
      unit,
      limit: value,
      windowMs: UNIT_MS[unit],
    });
  }
  return windows.length === 0 ? NONE : Object.freeze({ ok: true, windows: Object.freeze(windows) });
}
