import { CompactSign, base64url, type CryptoKey } from 'jose';
import type { RequestInfo } from '@aap-guard/core';
import type { TestIssuer } from '@aap-guard/testing';

/** A fixed instant for token clocks and guard clocks (2025-01-01T00:00:00Z). */
export const NOW = Date.UTC(2025, 0, 1);
export const NOW_S = NOW / 1000;

/** A request to the API carrying `authorization` (and optional extras). */
export function request(authorization?: string | string[], extra: Partial<RequestInfo> = {}): RequestInfo {
  return {
    method: 'GET',
    url: 'https://api.example.com/v1/search?q=x',
    headers: authorization === undefined ? {} : { authorization },
    ...extra,
  };
}

export const bearer = (token: string): RequestInfo => request(`Bearer ${token}`);

/** A mutable clock for the guard: `clock.now` in ms. */
export function clock(start = NOW): { now: number; read: () => number } {
  const c = { now: start, read: () => c.now };
  return c;
}

/** Sign arbitrary payload bytes (e.g. hand-written JSON) with the issuer's key: full control over the JSON text. */
export async function signRaw(
  issuer: TestIssuer,
  payload: string,
  header: Record<string, unknown> = {},
): Promise<string> {
  return new CompactSign(new TextEncoder().encode(payload))
    .setProtectedHeader({ alg: issuer.alg, kid: issuer.kid, typ: 'at+jwt', ...header })
    .sign(issuer.privateKey);
}

/** Sign `<header>.<payloadPart>` exactly as given (the payload part need not be valid base64url). ES256 only. */
export async function signParts(issuer: TestIssuer, payloadPart: string): Promise<string> {
  const head = base64url.encode(JSON.stringify({ alg: 'ES256', kid: issuer.kid }));
  const input = new TextEncoder().encode(`${head}.${payloadPart}`);
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, issuer.privateKey as CryptoKey, input);
  return `${head}.${payloadPart}.${base64url.encode(new Uint8Array(signature))}`;
}

/** A standard AAP payload JSON text around `NOW`, for `signRaw`. */
export function payloadJson(issuer: TestIssuer, inner = '', exp = NOW_S + 600): string {
  return (
    `{"iss":"${issuer.issuer}","sub":"agent-1","aud":"https://api.example.com","iat":${NOW_S},"exp":${exp},` +
    `"agent":{"id":"agent-1","type":"llm-autonomous","operator":"org:example"},` +
    `"task":{"id":"task-1","purpose":"research"},"capabilities":[{"action":"search.web"}]${inner}}`
  );
}
