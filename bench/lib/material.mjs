// The credentials of a run: one issuer and its tokens for the whole run, a forger (another key with the
// issuer's kid), a DPoP key, and what each subject's requests carry — fixed headers, the template of its
// pool of one-use credentials (signed by the load generator), or variants sent in turn.
import { randomUUID } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, exportJWK } from 'jose';
import { CAPABILITY, PATH } from '../subjects.mjs';
import { dist } from './dist.mjs';

const { createIssuer, createDpopKey, dpopProof } = await import(dist('testing').href);

const TTL = 12 * 3600; // any run ends long before its tokens expire
/** A delegated token (depth 1, its own parent_jti): the path of a first-seen agent token, lineage included. */
const delegated = () => ({
  sections: {
    delegation: { depth: 1, max_depth: 2, chain: ['agent-origin-01', 'agent-researcher-01'], parent_jti: randomUUID() },
  },
});

/** `{ as, tokens, headersOf(s), loadOf(s), probeContext(s, port) }` for one run. */
export async function createMaterial() {
  const as = await createIssuer();
  const forger = await createIssuer({ kid: as.kid });
  const dpopKey = await createDpopKey('ES256');
  const tokens = {
    bearer: await as.mint({ ttl: TTL, capabilities: [CAPABILITY] }),
    forged: await forger.mint({ ttl: TTL, capabilities: [CAPABILITY] }),
    bound: await as.mint({ ttl: TTL, jkt: dpopKey.jkt, capabilities: [CAPABILITY] }),
  };
  const mintFresh = () => as.mint({ ttl: TTL, capabilities: [CAPABILITY], ...delegated() });
  const mintForged = () => forger.mint({ ttl: TTL, capabilities: [CAPABILITY], ...delegated() });
  const template = async (issuer, token) => ({
    kind: 'jwt',
    privateJwk: await exportJWK(issuer.privateKey),
    header: decodeProtectedHeader(token),
    payload: decodeJwt(token),
  });
  const pools = {
    dpop: {
      kind: 'dpop',
      privateJwk: await exportJWK(dpopKey.privateKey),
      publicJwk: dpopKey.publicJwk,
      token: tokens.bound,
    },
    fresh: await template(as, await mintFresh()),
    forged: await template(forger, await mintForged()),
  };

  /** The fixed headers of every measured request of `s` (a pooled value or a variant comes on top). */
  const headersOf = (s) => {
    if (s.token === 'dpop') return { authorization: `DPoP ${tokens.bound}` };
    return s.token === 'bearer' ? { authorization: `Bearer ${tokens.bearer}` } : {};
  };
  /** What the load generator sends to `s`: `{ headers, variants?, pool? }`. */
  const loadOf = (s) => ({
    headers: headersOf(s),
    variants: s.variants?.map((authorization) => ({ authorization })),
    pool: pools[s.token],
  });

  /** Probe helpers for `s` listening on `port` (see PROBES in bench/subjects.mjs). */
  const probeContext = (s, port, get) => {
    const url = (path) => `http://127.0.0.1:${port}${path}`;
    const proof = (path) => dpopProof({ key: dpopKey, method: 'GET', url: url(path), accessToken: tokens.bound });
    const request = async (path = PATH) => {
      if (s.token === 'dpop') return { ...headersOf(s), dpop: await proof(path) };
      if (s.token === 'fresh') return { authorization: `Bearer ${await mintFresh()}` };
      if (s.token === 'forged') return { authorization: `Bearer ${await mintForged()}` };
      if (s.token === 'garbage') return { authorization: s.variants[0] };
      return headersOf(s);
    };
    return { get, tokens, proof, request };
  };
  return { as, tokens, loadOf, probeContext };
}
