import { randomUUID } from 'node:crypto';
import { SignJWT, type JWTHeaderParameters } from 'jose';
import type { TestIssuer } from './issuer.js';

/** Options of `signSecurityEvent()`. */
export interface SecurityEventOptions {
  /** `aud`: the receiving resource server (default: the issuer's audience). */
  readonly audience?: string | readonly string[];
  /** `events` (RFC 8417 §2.2): event type URI → event payload. */
  readonly events: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** `iat` in seconds (default now, on the issuer's clock). */
  readonly iat?: number;
  /** `jti` (default a random UUID). */
  readonly jti?: string;
  /** Extra or overriding claims (e.g. `sub_id`; set one to `undefined` to drop it). */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** Extra or overriding protected header members (default `typ: secevent+jwt`). */
  readonly header?: Partial<JWTHeaderParameters>;
}

/**
 * Sign a Security Event Token (RFC 8417) with a test issuer's key, as an authorization server pushing
 * revocations would (RFC 8935), for tests of `securityEventReceiver()` and the adapters' event routes.
 *
 * @example
 * const set = await signSecurityEvent(as, { events: { [AAP_REVOCATION_EVENT]: { task_id: 'task-001' } } });
 * await fetch(`${api}/aap-events`, { method: 'POST', headers: { 'content-type': 'application/secevent+jwt' }, body: set
 * });
 */
export async function signSecurityEvent(issuer: TestIssuer, options: SecurityEventOptions): Promise<string> {
  const payload: Record<string, unknown> = {
    iss: issuer.issuer,
    aud: options.audience ?? issuer.audience,
    iat: options.iat ?? Math.floor(Date.now() / 1000),
    jti: options.jti ?? randomUUID(),
    events: options.events,
    ...options.claims,
  };
  for (const key of Object.keys(payload)) if (payload[key] === undefined) delete payload[key];
  return new SignJWT(payload)
    .setProtectedHeader({ alg: issuer.alg, kid: issuer.kid, typ: 'secevent+jwt', ...options.header })
    .sign(issuer.privateKey);
}
