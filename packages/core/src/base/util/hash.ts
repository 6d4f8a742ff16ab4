import { createHash } from 'node:crypto';

/**
 * base64url SHA-256 of an access token's ASCII bytes — the `ath` format of RFC 9449 §4.2, so the
 * same value serves DPoP's `ath` check and the audit's token hash (the token itself is never logged).
 *
 * @example
 * tokenHash('eyJhbGciOi…') // 'fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo'
 */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'ascii').digest('base64url');
}
