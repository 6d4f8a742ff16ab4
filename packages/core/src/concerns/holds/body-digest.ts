import { createHash } from 'node:crypto';

/**
 * Where an adapter finds the body digest of a Node request: a body parser that has the raw bytes sets
 * `req[BODY_DIGEST] = bodyDigest(bytes)` (e.g. Express `express.json({ verify })`), and the adapter's
 * `routeRequestInfo` copies it into `RequestInfo.bodyDigest`. Holds then bind the body: an approved retry must send the
 * same bytes. Without a digest, a hold binds method, path and query only (documented limitation).
 *
 * @example
 * import express from 'express';
 * app.use(express.json({ verify: (req, _res, buf) => { (req as any)[BODY_DIGEST] = bodyDigest(buf); } }));
 */
export const BODY_DIGEST: unique symbol = Symbol.for('aap-guard.body-digest');

/**
 * base64url SHA-256 of a request body — the `RequestInfo.bodyDigest` format.
 *
 * @example
 * bodyDigest(Buffer.from('{"title":"x"}')) // 'k0x…'
 */
export function bodyDigest(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('base64url');
}
