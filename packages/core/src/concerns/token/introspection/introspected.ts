import type { AapClaims } from '../../../base/claims/model.js';
import { normalizeClaims } from '../../../base/claims/normalize.js';
import { deny, type Deny } from '../../../base/deny/deny.js';
import { expandCapabilities, type RefResolution } from '../expand-capabilities.js';
import { lifetimeOf, type Lifetime } from '../lifetime.js';
import { tokenHash } from '../../../base/util/hash.js';
import type { IntrospectionAnswer } from './post-introspection.js';

/** What one introspection answer became, cached under the token. */
export type Introspected =
  /** Inactive, or active but not for this RS / malformed: refused. */
  | { readonly tokenHash: string; readonly deny: Deny }
  /**
   * Active. For an opaque token, its claims (normalized like a JWT's); for a JWT, the capabilities the answer carries,
   * if any.
   */
  | {
      readonly tokenHash: string;
      readonly deny?: undefined;
      readonly verified?: Lifetime & { readonly claims: AapClaims };
      readonly capabilities?: unknown;
    };

/** What turning an answer into claims needs. */
export interface IntrospectedContext {
  readonly issuer: string;
  readonly audiences: ReadonlySet<string>;
  readonly clockTolerance: number;
  readonly refs: RefResolution | undefined;
  readonly isJwt: (token: string) => boolean;
}

/**
 * Turn an RFC 7662 answer into what the pipeline needs, once per answer. Inactive → `token_inactive`. For
 * an opaque token the answer IS the token's claims: `iss`, when present, must be the introspection
 * issuer (else it is set to it), `aud` must name this RS (RFC 7662 §4: the RS must not accept a token
 * meant for another), `exp` is required, an absent `sub` is the answer's `client_id` (RFC 7662 §2.2 makes
 * `sub` optional; for a client-credentials token the subject is the client, RFC 9068 §2.2 — the audit and
 * the principal name it as `sub`), a `capabilities_ref` is resolved, and the AAP claims go through
 * the same normalization as a JWT's — `cnf` included, so DPoP and mTLS binding apply alike.
 */
export function introspectedWith(
  context: IntrospectedContext,
): (answer: IntrospectionAnswer, token: string) => Promise<Introspected> {
  return async (answer, token) => {
    const hash = tokenHash(token);
    if (!answer.active) return { tokenHash: hash, deny: deny('token_inactive', { check: 'introspection' }) };
    if (context.isJwt(token)) return { tokenHash: hash, capabilities: answer.capabilities ?? answer.aap_capabilities };
    const claims = await claimsOf(answer, context);
    return 'reason' in claims ? { tokenHash: hash, deny: claims } : { tokenHash: hash, verified: claims };
  };
}

async function claimsOf(
  answer: IntrospectionAnswer,
  context: IntrospectedContext,
): Promise<(Lifetime & { claims: AapClaims }) | Deny> {
  const { active: _active, ...rest } = answer;
  const payload: Record<string, unknown> = rest;
  // The AS expanded the set itself (RFC 7662 answers may carry any claim): its reference is then only a label.
  if (payload.capabilities !== undefined || payload.aap_capabilities !== undefined) {
    delete payload.capabilities_ref;
    delete payload.aap_capabilities_ref;
  }
  if (payload.iss !== undefined && payload.iss !== context.issuer)
    return deny('token_issuer_untrusted', { claim: 'iss', check: 'introspection' });
  payload.iss = context.issuer;
  const aud = payload.aud;
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  if (!audiences.some((value) => context.audiences.has(value as string)))
    return deny('token_audience_mismatch', { claim: 'aud', check: 'introspection' });
  if (payload.sub === undefined && typeof payload.client_id === 'string' && payload.client_id !== '')
    payload.sub = payload.client_id;
  const life = lifetimeOf(payload, context.clockTolerance);
  if ('reason' in life) return life;
  const expanded = await expandCapabilities(payload, context.refs, async () => undefined); // the answer itself had none
  if ('reason' in expanded) return expanded;
  const claims = normalizeClaims(expanded.payload);
  if ('reason' in claims) return claims;
  return { ...life, claims };
}
