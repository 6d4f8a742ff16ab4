import type { ServerResponse } from 'node:http';
import type { Guard } from '../create-guard.js';

/**
 * Answer a readiness probe with `guard.health()`: 200 when the guard is ready to decide (every issuer's
 * keys loaded, no failed fetch since, the revocation list in sync), else 503 — the body says which part
 * is not. Fetches nothing; never cached. The adapters' `health()` helpers call it.
 *
 * @example
 * app.get('/ready', (_req, res) => writeHealth(guard, res));
 */
export function writeHealth(guard: Guard, res: ServerResponse): void {
  const health = guard.health();
  const body = JSON.stringify(health);
  res.writeHead(health.ready ? 200 : 503, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}
