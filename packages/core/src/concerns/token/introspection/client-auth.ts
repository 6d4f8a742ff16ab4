import { randomUUID } from 'node:crypto';
import { SignJWT, importJWK, type CryptoKey, type JWK, type KeyObject } from 'jose';
import type { IntrospectionClient } from '../../../base/types/options.js';

/** The form members and headers one introspection request carries for client authentication. */
export interface ClientCredentials {
  readonly headers: Readonly<Record<string, string>>;
  readonly form: Readonly<Record<string, string>>;
}

/** Builds the credentials of one request (a fresh assertion each time for `private_key_jwt`). */
export type Authenticate = (audience: string) => Promise<ClientCredentials>;

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Seconds a client assertion is valid: short, it is used once (RFC 7523 §3 item 4). */
const ASSERTION_TTL = 60;

/**
 * Validate `options.introspection.client` once and return how each request authenticates. Throws
 * `TypeError` naming the option.
 */
export function clientAuthentication(
  client: IntrospectionClient | undefined,
  name: string,
  now: () => number,
): Authenticate {
  if (client === null || typeof client !== 'object')
    throw new TypeError(`${name} is required: { id, secret } or { id, auth: 'private_key_jwt', key }`);
  const id = client.id;
  if (typeof id !== 'string' || id.length === 0) throw new TypeError(`${name}.id must be a non-empty string`);
  const auth = client.auth ?? 'client_secret_basic';
  if (auth === 'client_secret_basic' || auth === 'client_secret_post') {
    const secret = (client as { secret?: unknown }).secret;
    if (typeof secret !== 'string' || secret.length === 0)
      throw new TypeError(`${name}.secret must be a non-empty string for ${auth}`);
    return auth === 'client_secret_basic' ? basic(id, secret) : post(id, secret);
  }
  if (auth === 'private_key_jwt')
    return privateKeyJwt(client as Extract<IntrospectionClient, { auth: 'private_key_jwt' }>, name, now);
  throw new TypeError(`${name}.auth must be 'client_secret_basic', 'client_secret_post' or 'private_key_jwt'`);
}

/** RFC 6749 §2.3.1: the id and secret are form-urlencoded (Appendix B) before Basic encoding. */
function basic(id: string, secret: string): Authenticate {
  const encoded = Buffer.from(`${formEncode(id)}:${formEncode(secret)}`, 'utf8').toString('base64');
  const credentials: ClientCredentials = Object.freeze({
    headers: Object.freeze({ authorization: `Basic ${encoded}` }),
    form: Object.freeze({}),
  });
  return async () => credentials;
}

function post(id: string, secret: string): Authenticate {
  const credentials: ClientCredentials = Object.freeze({
    headers: Object.freeze({}),
    form: Object.freeze({ client_id: id, client_secret: secret }),
  });
  return async () => credentials;
}

/**
 * RFC 7523 §3: iss = sub = client_id, aud = the authorization server's issuer identifier, a unique jti, a short exp.
 */
function privateKeyJwt(
  client: Extract<IntrospectionClient, { auth: 'private_key_jwt' }>,
  name: string,
  now: () => number,
): Authenticate {
  const given = client.key as unknown;
  if (given === null || typeof given !== 'object')
    throw new TypeError(`${name}.key must be a private JWK, a KeyObject or a CryptoKey`);
  const jwk = isJwk(given) ? given : undefined;
  if (jwk && typeof jwk.d !== 'string') throw new TypeError(`${name}.key must be a private key (a JWK with "d")`);
  const alg = client.alg ?? (typeof jwk?.alg === 'string' ? jwk.alg : 'ES256');
  if (typeof alg !== 'string' || /^(none|HS\d+)$/i.test(alg))
    throw new TypeError(`${name}.alg must be an asymmetric JWS algorithm`);
  const kid = client.kid ?? (typeof jwk?.kid === 'string' ? jwk.kid : undefined);
  let key: Promise<CryptoKey | KeyObject | Uint8Array> | undefined;
  const signingKey = () => (key ??= jwk ? importJWK(jwk, alg) : Promise.resolve(given as CryptoKey | KeyObject));
  return async (audience) => {
    const iat = Math.floor(now() / 1000);
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg, ...(kid ? { kid } : {}) })
      .setIssuer(client.id)
      .setSubject(client.id)
      .setAudience(audience)
      .setJti(randomUUID())
      .setIssuedAt(iat)
      .setExpirationTime(iat + ASSERTION_TTL)
      .sign(await signingKey());
    return {
      headers: {},
      form: { client_id: client.id, client_assertion_type: ASSERTION_TYPE, client_assertion: assertion },
    };
  };
}

function isJwk(value: object): value is JWK {
  return typeof (value as { kty?: unknown }).kty === 'string';
}

/** application/x-www-form-urlencoded encoding of one value (WHATWG URL's serializer). */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}
