import { createHash, randomUUID } from 'node:crypto';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { publicJwkOf } from './public-jwk.js';

/** A DPoP key pair, with the public JWK that proofs embed and its RFC 7638 thumbprint. */
export interface DpopKey {
  readonly alg: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  /** The public key as sent in the proof's `jwk` header. */
  readonly publicJwk: JWK;
  /** RFC 7638 SHA-256 thumbprint: mint bound tokens with `issuer.mint({ jkt: key.jkt })`. */
  readonly jkt: string;
}

/** Options of one proof. */
export interface DpopProofOptions {
  readonly key: DpopKey;
  /** HTTP method (`htm`). */
  readonly method: string;
  /** Request URL; query and fragment are dropped for `htu` (RFC 9449 §4.2). Use `claims.htu` to send it verbatim. */
  readonly url: string;
  /** The access token: `ath` = base64url(SHA-256(token)). */
  readonly accessToken?: string | undefined;
  /** Server nonce (RFC 9449 §9). */
  readonly nonce?: string | undefined;
  /** `iat` in seconds (default: now). */
  readonly iat?: number | undefined;
  /** `jti` (default: a random UUID). */
  readonly jti?: string | undefined;
  /** `typ` header (default `dpop+jwt`). */
  readonly typ?: string | undefined;
  /** Extra or overriding protected header members (e.g. `{ alg: 'none' }`, `{ jwk: otherKey.publicJwk }`). */
  readonly header?: Readonly<Record<string, unknown>> | undefined;
  /** Extra or overriding payload claims (set one to `undefined` to drop it). */
  readonly claims?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * Generate a DPoP key pair (default ES256).
 *
 * @example
 * const key = await createDpopKey();
 * const token = await issuer.mint({ jkt: key.jkt, capabilities: [{ action: 'search.web' }] });
 */
export async function createDpopKey(alg = 'ES256'): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const jkt = await calculateJwkThumbprint(publicJwk, 'sha256');
  return Object.freeze({ alg, privateKey, publicKey, publicJwk, jkt });
}

/**
 * A DPoP key pair from a saved private JWK (`exportJWK(key.privateKey)` of an earlier `createDpopKey()`),
 * so proofs made in several processes are bound to one key. `alg` defaults to the JWK's, else ES256.
 *
 * @example
 * import { readFileSync } from 'node:fs';
 * const key = await importDpopKey(JSON.parse(readFileSync('dpop-key.json', 'utf8')));
 */
export async function importDpopKey(privateJwk: JWK, alg = privateJwk.alg ?? 'ES256'): Promise<DpopKey> {
  const publicJwk = publicJwkOf(privateJwk, 'importDpopKey: privateJwk');
  const privateKey = (await importJWK(privateJwk, alg, { extractable: true })) as CryptoKey;
  const publicKey = (await importJWK(publicJwk, alg, { extractable: true })) as CryptoKey;
  const jkt = await calculateJwkThumbprint(publicJwk, 'sha256');
  return Object.freeze({ alg, privateKey, publicKey, publicJwk, jkt });
}

/**
 * Make a real DPoP proof JWT (RFC 9449 §4.2), signed with `key`.
 *
 * @example
 * const proof = await dpopProof({ key, method: 'GET', url: 'https://api.example.com/v1/search?q=x', accessToken: token
 * });
 * await fetch(url, { headers: { authorization: `DPoP ${token}`, dpop: proof } });
 */
export async function dpopProof(options: DpopProofOptions): Promise<string> {
  const { key } = options;
  const url = new URL(options.url);
  const payload: Record<string, unknown> = {
    htm: options.method,
    htu: `${url.origin}${url.pathname}`,
    iat: options.iat ?? Math.floor(Date.now() / 1000),
    jti: options.jti ?? randomUUID(),
    ...(options.accessToken === undefined
      ? {}
      : { ath: createHash('sha256').update(options.accessToken).digest('base64url') }),
    ...(options.nonce === undefined ? {} : { nonce: options.nonce }),
    ...options.claims,
  };
  for (const name of Object.keys(payload)) if (payload[name] === undefined) delete payload[name];
  const header = { alg: key.alg, typ: options.typ ?? 'dpop+jwt', jwk: key.publicJwk, ...options.header };
  return new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(key.privateKey);
}
