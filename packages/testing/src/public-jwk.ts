import type { JWK } from 'jose';

/**
 * The public key of a private JWK: its public members only (RFC 7518 §6.2.1 EC, §6.3.1 RSA; RFC 8037 §2
 * OKP). Throws a `TypeError` naming `what` when the JWK is not a private key.
 *
 * @example
 * import { exportJWK } from 'jose';
 * const { privateKey } = await createIssuer();
 * publicJwkOf(await exportJWK(privateKey), 'options.privateJwk') // → { kty: 'EC', crv: 'P-256', x, y }
 */
export function publicJwkOf(privateJwk: JWK, what: string): JWK {
  if (typeof privateJwk.d !== 'string') throw new TypeError(`${what} must be a private key (a JWK with "d")`);
  const { kty, crv, n, e, x, y } = privateJwk;
  return Object.fromEntries(Object.entries({ kty, crv, n, e, x, y }).filter(([, value]) => value !== undefined)) as JWK;
}
