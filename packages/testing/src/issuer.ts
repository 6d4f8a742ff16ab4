import { randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, type JWK, type JWTHeaderParameters, type CryptoKey } from 'jose';
import { aapPayload, type AapPayloadOptions } from './payload.js';

/** Options of `createIssuer()`. */
export interface IssuerOptions {
  /** `iss` of minted tokens (default `https://as.example.com`). */
  readonly issuer?: string;
  /** Default `aud` (default `https://api.example.com`). */
  readonly audience?: string | readonly string[];
  /** Signing algorithm (default ES256). */
  readonly alg?: string;
  /** Key id (default a random UUID). */
  readonly kid?: string;
  /** Clock for `iat`/`exp`, in ms (default `Date.now`). */
  readonly now?: () => number;
}

/** Options of one minted token. Any claim in `claims` overrides the defaults (set one to `undefined` to drop it). */
export interface MintOptions extends AapPayloadOptions {
  /** Lifetime in seconds (default 600). */
  readonly ttl?: number;
  /** Extra or overriding claims. */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** Extra or overriding protected header members (e.g. `typ`, `kid`, `jku`). */
  readonly header?: Partial<JWTHeaderParameters> & Readonly<Record<string, unknown>>;
  /** Bind to a DPoP key: its RFC 7638 thumbprint becomes `cnf.jkt`. */
  readonly jkt?: string;
}

/** A test authorization server: a key pair, a JWKS, and a token minter. */
export interface TestIssuer {
  readonly issuer: string;
  readonly audience: string | readonly string[];
  /** The public JWKS (`{ keys: [jwk] }`). */
  readonly jwks: { keys: JWK[] };
  readonly kid: string;
  readonly alg: string;
  readonly privateKey: CryptoKey;
  /** Mint a signed AAP access token. */
  mint(options?: MintOptions): Promise<string>;
}

/**
 * Create a test issuer with a freshly generated key pair.
 *
 * @example
 * const as = await createIssuer();
 * const token = await as.mint({ capabilities: [{ action: 'search.web' }] });
 * const guard = createGuard({ issuer: as.issuer, audience: as.audience, jwks: as.jwks });
 */
export async function createIssuer(options: IssuerOptions = {}): Promise<TestIssuer> {
  const alg = options.alg ?? 'ES256';
  const kid = options.kid ?? randomUUID();
  const now = options.now ?? Date.now;
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  const issuer = options.issuer ?? 'https://as.example.com';
  const audience = options.audience ?? 'https://api.example.com';
  return {
    issuer,
    audience,
    jwks: { keys: [jwk] },
    kid,
    alg,
    privateKey,
    async mint(mint: MintOptions = {}) {
      const iat = Math.floor(now() / 1000);
      const payload: Record<string, unknown> = {
        iss: issuer,
        sub: mint.agentId ?? 'agent-researcher-01',
        aud: audience,
        iat,
        exp: iat + (mint.ttl ?? 600),
        jti: randomUUID(),
        ...aapPayload(mint),
        ...(mint.jkt ? { cnf: { jkt: mint.jkt } } : {}),
        ...mint.claims,
      };
      for (const key of Object.keys(payload)) if (payload[key] === undefined) delete payload[key];
      return new SignJWT(payload).setProtectedHeader({ alg, kid, typ: 'at+jwt', ...mint.header }).sign(privateKey);
    },
  };
}
