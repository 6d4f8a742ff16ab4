// DPoP (RFC 9449 §4.3) for the token-exchange grant: oidc-provider checks proofs for its own grants; a
// custom grant checks its own. Returns the key thumbprint to bind (`cnf.jkt`), or undefined without a proof.
import { EmbeddedJWK, calculateJwkThumbprint, jwtVerify } from 'jose';

const seen = new Map(); // proof jti → expiry (ms): one use each
const WINDOW_S = 60;

/**
 * @param {string | undefined} proof the DPoP header
 * @param {{ method: string, url: string }} request the token request (htu: its URL without query)
 * @returns {Promise<string | undefined>} the JWK thumbprint
 */
export async function dpopThumbprint(proof, { method, url }) {
  if (!proof) return undefined;
  const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, {
    typ: 'dpop+jwt',
    algorithms: ['ES256', 'ES384', 'EdDSA', 'PS256', 'RS256'],
  });
  const now = Date.now();
  if (typeof payload.iat !== 'number' || Math.abs(now / 1000 - payload.iat) > WINDOW_S)
    throw new Error('DPoP proof iat is not recent enough');
  if (payload.htm !== method) throw new Error('DPoP proof htm mismatch');
  const htu = typeof payload.htu === 'string' && URL.canParse(payload.htu) ? new URL(payload.htu) : undefined;
  if (!htu || `${htu.origin}${htu.pathname}` !== url) throw new Error('DPoP proof htu mismatch');
  if (typeof payload.jti !== 'string' || seen.has(payload.jti)) throw new Error('DPoP proof replayed');
  for (const [jti, until] of seen) if (until < now) seen.delete(jti);
  seen.set(payload.jti, now + 2 * WINDOW_S * 1000);
  return calculateJwkThumbprint(protectedHeader.jwk);
}
