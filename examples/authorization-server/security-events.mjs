// Revocation events pushed to the resource servers: one Security Event Token (RFC 8417) per revocation,
// signed with the AS's own key (so the RS verifies it against the JWKS it already trusts), POSTed to each
// receiver (RFC 8935) and retried a few times when a receiver is unreachable or answers 5xx.
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';

/** The AAP revocation event aap-guard applies (see its README, "Revocation events"). */
export const AAP_REVOCATION_EVENT = 'https://aap-protocol.org/secevent/revocation';
const ATTEMPTS = 3;

/**
 * @param {{ issuer: string, key: CryptoKey, kid: string, alg: string }} signer
 * @returns {(receivers: { url: string, audience: string, token?: string }[], revocation: Record<string, string>) =>
 * Promise<{ url: string, status: number | string }[]>}
 */
export function securityEventPusher(signer) {
  const sign = (audience, revocation) =>
    new SignJWT({ events: { [AAP_REVOCATION_EVENT]: revocation } })
      .setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ: 'secevent+jwt' })
      .setIssuer(signer.issuer)
      .setAudience(audience)
      .setIssuedAt()
      .setJti(randomUUID())
      .sign(signer.key);
  return (receivers, revocation) =>
    Promise.all(
      receivers.map(async ({ url, audience, token }) => {
        const set = await sign(audience, revocation); // one SET per receiver; retries resend the same one (same jti)
        return { url, status: await deliver(url, set, token) };
      }),
    );
}

async function deliver(url, set, token) {
  let last = 'unreachable';
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/secevent+jwt',
          accept: 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: set,
        signal: AbortSignal.timeout(2_000),
      });
      await res.arrayBuffer();
      last = res.status;
      if (res.status < 500) return res.status; // 202 accepted, 4xx refused: retrying would not help
    } catch (error) {
      last = error.cause?.code ?? error.name;
    }
  }
  return last;
}
