import type { ServerResponse } from 'node:http';
import type { Guard } from '../../guard/create-guard.js';
import { checkKeys } from '../../base/types/known-keys.js';

/** Options of a readiness route (`aap.health(options)`, `app.aap.health(options)`). */
export interface HealthRouteOptions {
  /**
   * Answer with `guard.health()` in full — every issuer's JWKS URL, key age, last fetch error — beside
   * `status` and `reason`. Default false: those name internal hosts, addresses and ports, so a route
   * that asks for them belongs on an internal listener or behind the app's own authorization.
   */
  readonly detail?: boolean | undefined;
}

/**
 * Validate a readiness route's options once, where the route is made. Throws `TypeError` naming the option.
 *
 * @example
 * const options = healthRouteOptions({ detail: true }, 'aap.health');
 */
export function healthRouteOptions(given: unknown, where: string): HealthRouteOptions {
  if (given === undefined) return {};
  if (given === null || typeof given !== 'object' || Array.isArray(given)) {
    throw new TypeError(`${where}(options): options must be an object { detail? }`);
  }
  checkKeys(given, ['detail'], `${where}(options)`);
  const { detail } = given as HealthRouteOptions;
  if (detail !== undefined && typeof detail !== 'boolean') {
    throw new TypeError(`${where}(options): options.detail must be a boolean`);
  }
  return Object.freeze({ detail });
}

/**
 * Answer a readiness probe: 200 `{ "status": "ready" }` when the guard is ready to decide (every issuer's
 * keys loaded, no failed fetch since, the revocation list in sync), else 503 `{ "status": "not_ready",
 * "reason": "keys_unavailable" }` — a stable code (`NotReadyReason`) that names no URL, address or error.
 * With `{ detail: true }` the body also carries `guard.health()` (JWKS URLs, last errors). Fetches nothing;
 * never cached. The adapters' `health()` helpers call it.
 *
 * @example
 * app.get('/ready', (_req, res) => writeHealth(guard, res));
 * app.get('/internal/ready', (_req, res) => writeHealth(guard, res, { detail: true })); // not on the public listener
 */
export function writeHealth(guard: Guard, res: ServerResponse, options: HealthRouteOptions = {}): void {
  const health = guard.health();
  const status = health.ready ? { status: 'ready' } : { status: 'not_ready', reason: health.reason };
  const body = JSON.stringify(options.detail === true ? { ...status, ...health } : status);
  const headers = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  };
  res.writeHead(health.ready ? 200 : 503, headers);
  res.end(body);
}
