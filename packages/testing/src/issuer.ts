import { randomUUID } from 'node:crypto';
import {
  SignJWT,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTHeaderParameters,
  type CryptoKey,
} from 'jose';
import { aapPayload, type AapPayloadOptions } from './payload.js';
import { publicJwkOf } from './public-jwk.js';

/** Options of `createIssuer()`. */
export interface IssuerOptions {
  /** `iss` of minted tokens (default `https://as.example.com`). */
  readonly issuer?: string;
  /** Default `aud` (default `https://api.example.com`). */
  readonly audience?: string | readonly string[];
  /** Signing algorithm (default ES256). */
  readonly alg?: string;
  /** Key id (default: the `kid` of `privateJwk`, else a random UUID). */
  readonly kid?: string;
  /**
   * Sign with this private key (a JWK with its private members, e.g. `exportJWK(issuer.privateKey)` of an
   * earlier issuer) instead of a freshly generated one: an issuer whose tokens outlive the process. Its
   * `alg` and `kid`, when present, are the defaults of `alg` and `kid`.
   */
  readonly privateJwk?: JWK;
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
  const alg = options.alg ?? options.privateJwk?.alg ?? 'ES256';
  const kid = options.kid ?? options.privateJwk?.kid ?? randomUUID();
  const now = options.now ?? Date.now;
  const { privateKey, publicJwk } = await signingKey(alg, options.privateJwk);
  const jwk = { ...publicJwk, kid, alg, use: 'sig' };
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

interface SigningKey {
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

/** The signing key and its public JWK: imported from `privateJwk`, or generated (extractable, so it can be saved). */
async function signingKey(alg: string, privateJwk: JWK | undefined): Promise<SigningKey> {
  if (!privateJwk) {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    return { privateKey, publicJwk: await exportJWK(publicKey) };
  }
  const publicJwk = publicJwkOf(privateJwk, 'createIssuer: options.privateJwk');
  return { privateKey: (await importJWK(privateJwk, alg, { extractable: true })) as CryptoKey, publicJwk };
}
