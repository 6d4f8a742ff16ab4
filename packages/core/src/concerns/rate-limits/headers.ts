import type { WindowState } from '../../base/stores/store.js';
import type { RateLimitWindow } from './windows.js';

/**
 * RateLimit header fields of draft-ietf-httpapi-ratelimit-headers-10/-11: `RateLimit-Policy` (the quota
 * policies: `q` quota, `w` window in seconds) and `RateLimit` (the service limits: `r` remaining,
 * `t` seconds until quota is regained). Both are Structured Field Lists (RFC 9651) of String items
 * naming the policy; our names are constraint-derived (`[a-z0-9_]`), so no escaping is needed.
 *
 * `t` for a sliding window is when its oldest counted bucket leaves it (quota comes back); for a fixed
 * window, the end of the current bucket; for the window that refused a request, when it admits one again.
 *
 * @example
 * rateLimitHeaders([minuteWindow], [{ limit: 5, remaining: 0, resetMs: 41_200, windowMs: 60_000 }]);
 * // { 'ratelimit-policy': '"minute";q=5;w=60', ratelimit: '"minute";r=0;t=42' }
 */
export function rateLimitHeaders(
  windows: readonly RateLimitWindow[],
  states: readonly WindowState[],
): Record<string, string> {
  const headers: Record<string, string> = { 'ratelimit-policy': policyOf(windows) };
  let limit = '';
  for (let index = 0; index < windows.length; index += 1) {
    const state = states[index];
    if (!state) continue;
    if (limit) limit += ', ';
    limit += `"${(windows[index] as RateLimitWindow).name}";r=${Math.max(0, state.remaining)};t=${Math.max(0, Math.ceil(state.resetMs / 1000))}`;
  }
  if (limit) headers['ratelimit'] = limit;
  return headers;
}

const policies = new WeakMap<readonly RateLimitWindow[], string>();

/** `RateLimit-Policy` depends on the windows alone: built once per capability's (cached) windows. */
function policyOf(windows: readonly RateLimitWindow[]): string {
  let policy = policies.get(windows);
  if (policy === undefined) {
    policy = windows.map((window) => `"${window.name}";q=${window.limit};w=${window.windowMs / 1000}`).join(', ');
    policies.set(windows, policy);
  }
  return policy;
}
