import { hash } from 'node:crypto';

/** A character outside printable ASCII: such a string is hashed over its Latin-1 bytes (for ASCII, the same bytes). */
const NON_ASCII = /[^ -~]/;

/**
 * base64url SHA-256 of `data` (a string's UTF-8 bytes): `crypto.hash`, the one-shot digest (Node ≥ 20.12) —
 * no `Hash` object per call, about a third of `createHash().update().digest()` for the short inputs of
 * the request path (store keys, replay markers, thumbprints).
 *
 * @example
 * sha256('{"crv":"P-256",…}') // RFC 7638 thumbprint input → 43 characters
 */
export function sha256(data: string | Uint8Array): string {
  return hash('sha256', data, 'base64url');
}

/**
 * base64url SHA-256 of an access token's ASCII bytes — the `ath` format of RFC 9449 §4.2, so the
 * same value serves DPoP's `ath` check and the audit's token hash (the token itself is never logged).
 * A token the header syntax admits is ASCII (RFC 6750 §2.1 b64token); any other string is hashed over
 * its Latin-1 bytes, as `ascii` encoding always did, so its hash never changes.
 *
 * @example
 * tokenHash('eyJhbGciOi…') // 'fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo'
 */
export function tokenHash(token: string): string {
  return sha256(NON_ASCII.test(token) ? Buffer.from(token, 'latin1') : token);
}
