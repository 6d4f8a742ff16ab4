// Pools of one-use credentials, signed by the load generator before the timed part of a run, so that
// signing costs neither the server nor the measured interval:
//  - `dpop`: fresh DPoP proofs for one bound token (jose, through @aap-guard/testing's dpopProof);
//  - `jwt`: distinct access tokens made from a template (a fresh `jti`, and a fresh `parent_jti` when the
//    template is delegated), each a real ES256 JWS signed with node:crypto (jose's async signer is ~3×
//    slower) — with the issuer's key (tokens never seen before) or with a forger's (refused, each
//    verified in full).
import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import { importJWK } from 'jose';
import { dist } from './dist.mjs';

const { dpopProof } = await import(dist('testing').href);

/** `count` proofs for GET `url`, bound to `token`, signed with the private JWK `privateJwk`. */
async function proofs({ privateJwk, publicJwk, token }, url, count) {
  const key = { alg: 'ES256', privateKey: await importJWK(privateJwk, 'ES256'), publicJwk };
  const pool = [];
  while (pool.length < count) {
    const batch = Math.min(500, count - pool.length);
    const signing = Array.from({ length: batch }, () => dpopProof({ key, method: 'GET', url, accessToken: token }));
    pool.push(...(await Promise.all(signing)));
  }
  return pool;
}

const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** `count` tokens like `payload` (each with its own jti, and parent_jti if delegated), signed with `privateJwk`. */
function tokens({ privateJwk, header, payload }, count) {
  const key = createPrivateKey({ key: privateJwk, format: 'jwk' });
  const head = encode(header);
  const delegated = typeof payload.delegation?.parent_jti === 'string';
  const pool = new Array(count);
  for (let i = 0; i < count; i += 1) {
    const claims = { ...payload, jti: randomUUID() };
    if (delegated) claims.delegation = { ...payload.delegation, parent_jti: randomUUID() };
    const input = `${head}.${encode(claims)}`;
    const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
    pool[i] = `Bearer ${input}.${signature}`;
  }
  return pool;
}

/**
 * A pool of `count` one-use header values for requests to `url`: `{ header, values }` — the header each
 * request sets to its own value (`dpop` or `authorization`).
 */
export async function makePool(spec, url, count) {
  if (spec.kind === 'dpop') return { header: 'dpop', values: await proofs(spec, url, count) };
  if (spec.kind === 'jwt') return { header: 'authorization', values: tokens(spec, count) };
  throw new Error(`bench: unknown pool kind ${spec.kind}`);
}
