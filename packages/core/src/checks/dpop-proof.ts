import { verify } from 'node:crypto';
import { deny, type Deny } from '../base/deny/deny.js';
import type { CheckContext } from './context.js';
import type { ReasonCode } from '../base/deny/reasons.js';
import { claimedHtu, expectedHtu } from '../concerns/pop/htu.js';
import type { ProofKey } from '../concerns/pop/key-cache.js';
import { decodeJson } from '../concerns/pop/proof-header.js';

/** Longest `jti` accepted (RFC 9449 §4.2 asks for ≥ 96 bits of randomness; 256 chars is plenty). */
const MAX_JTI = 256;
const SIGNATURE = /^[A-Za-z0-9_-]+$/;

const fail = (reason: ReasonCode, problem: string, extra?: Record<string, unknown>): Deny =>
  deny(reason, { check: 'dpop', problem, ...extra });

/**
 * Verify the request's DPoP proof for a token bound to `boundJkt` (RFC 9449 §4.3 and §7.1): exactly
 * one `DPoP` header, size cap before parsing, a compact JWS whose header passes `parseProofHeader`,
 * a signature that verifies with the embedded key, then `htm`, `htu`, `iat`, `jti`, `ath`, the key
 * binding (`cnf.jkt`, RFC 7638) and, when configured, the server nonce (§9). On success sets
 * `ctx.proof`; the consume step records its `jti` (replay, §11.1). Never throws on client input.
 * With server nonces configured, every refusal carries a fresh `DPoP-Nonce` (RFC 9449 §9 lets a
 * resource server send one on any response), so the client's retry needs no extra round trip.
 *
 * The proof key comes from the guard's key cache, so a known client costs one `node:crypto` signature
 * verification plus a few comparisons.
 */
export function verifyDpop(ctx: CheckContext, boundJkt: string): Deny | undefined {
  const outcome = verifyProof(ctx, boundJkt);
  const nonces = ctx.runtime.pop.nonces;
  if (!outcome || !nonces || outcome.headers?.['dpop-nonce']) return outcome;
  return Object.assign({}, outcome, {
    headers: Object.assign({}, outcome.headers, { 'dpop-nonce': nonces.current(ctx.now) }),
  }); // no spread on hot paths: docs/ARCHITECTURE.md "Performance"
}

function verifyProof(ctx: CheckContext, boundJkt: string): Deny | undefined {
  const proofs = ctx.credentials?.proofs ?? [];
  if (proofs.length === 0) return fail('dpop_proof_missing', 'no DPoP header');
  if (proofs.length > 1) return fail('dpop_proof_invalid', 'more than one DPoP header', { count: proofs.length });
  const proof = proofs[0]!;
  if (proof.length > ctx.settings.pop.maxProofSize)
    return fail('dpop_proof_invalid', 'proof too large', { bytes: proof.length });
  const parts = proof.split('.');
  if (parts.length !== 3) return fail('dpop_proof_invalid', 'not a compact JWS');
  const key = ctx.runtime.pop.keys.resolve(parts[0]!);
  if ('problem' in key) return fail('dpop_proof_invalid', key.problem);
  const claims = decodeJson(parts[1]!);
  if (!claims) return fail('dpop_proof_invalid', 'payload is not base64url JSON object');
  if (!signatureValid(key, proof, parts[2]!)) return fail('dpop_proof_invalid', 'signature invalid', { alg: key.alg });
  return checkClaims(ctx, claims, key, boundJkt);
}

/** The signature over the proof's first two segments, with the cached key's verify argument. */
function signatureValid(key: ProofKey, proof: string, signature: string): boolean {
  if (!SIGNATURE.test(signature)) return false;
  try {
    const input = Buffer.from(proof.slice(0, proof.length - signature.length - 1), 'latin1');
    return verify(key.spec.hash, input, key.verifyWith, Buffer.from(signature, 'base64url'));
  } catch {
    return false; // e.g. an ECDSA signature of the wrong length
  }
}

function checkClaims(
  ctx: CheckContext,
  claims: Record<string, unknown>,
  key: ProofKey,
  boundJkt: string,
): Deny | undefined {
  if (claims.htm !== ctx.method) return fail('dpop_htm_mismatch', 'htm differs from the request method');
  const expected = expectedHtu(ctx);
  const htu = claimedHtu(claims.htu, expected);
  if (expected === undefined || htu !== expected)
    return fail('dpop_htu_mismatch', 'htu differs from the request URL', { expected, htu });
  const { iat, jti } = claims;
  if (typeof iat !== 'number' || !Number.isFinite(iat)) return fail('dpop_proof_invalid', 'iat missing');
  const now = ctx.now / 1000;
  const { maxAge, leeway } = ctx.settings.pop;
  if (iat < now - maxAge || iat > now + leeway)
    return fail('dpop_iat_out_of_window', 'iat outside the accepted window', { iat, now: Math.floor(now) });
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI)
    return fail('dpop_proof_invalid', 'jti missing or too long');
  if (typeof claims.ath !== 'string' || claims.ath !== ctx.tokenHash)
    return fail('dpop_ath_mismatch', 'ath does not hash the access token');
  if (key.jkt !== boundJkt)
    return fail('dpop_key_mismatch', 'proof key is not the key the token is bound to', { jkt: key.jkt });
  const nonce = checkNonce(ctx, claims.nonce);
  if (nonce) return nonce;
  ctx.proof = { jti, jkt: key.jkt, iat: iat * 1000 };
  ctx.detail.dpopJkt = key.jkt;
  return undefined;
}

/**
 * RFC 9449 §9: a missing or stale nonce → `use_dpop_nonce` with a fresh one; a nonce of the last bucket is accepted,
 * and a fresh one sent.
 */
function checkNonce(ctx: CheckContext, nonce: unknown): Deny | undefined {
  const nonces = ctx.runtime.pop.nonces;
  if (!nonces) return undefined;
  const verdict = nonces.check(nonce, ctx.now);
  const fresh = nonces.current(ctx.now);
  if (verdict === 'invalid') {
    const problem = nonce === undefined ? 'nonce missing' : 'nonce stale or unknown';
    return deny('dpop_nonce_required', { check: 'dpop', problem }, { headers: { 'dpop-nonce': fresh } });
  }
  if (verdict === 'previous') ctx.headers['dpop-nonce'] = fresh;
  return undefined;
}
