/**
 * Proof-of-possession cases (RFC 9449 DPoP): every DPoP reason through real HTTP, with real proofs
 * made by `@aap-guard/testing` over the request's final URL, method and minted token, at `NOW`.
 * mTLS (RFC 8705) over TLS needs HTTPS servers (see OUT_OF_SCOPE in cases.ts); here a certificate-bound
 * token meets the PoP requirement through an RFC 9440 `Client-Cert` header from a trusted proxy.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryStore, type ReasonCode, type SpecError } from '@aap-guard/core';
import { createDpopKey, dpopProof, type DpopProofOptions } from '@aap-guard/testing';
import {
  OK,
  at,
  withSections,
  type CaseRequest,
  type ConformanceCase,
  type Expectation,
  type FlowKit,
  type FromFlow,
  type RequestKit,
  type TokenSpec,
} from './model.js';

/** The key the bound token names in `cnf.jkt`, and a key it does not. */
const KEY = await createDpopKey();
const OTHER_KEY = await createDpopKey();
const BOUND: TokenSpec = { jkt: KEY.jkt };
const NONCE_SECRET = 'a-dpop-nonce-secret-of-at-least-32-bytes';
const API = 'https://api.example.com';

/**
 * What to change in a proof: any proof option; `htu` is sent verbatim, made from the request URL; `nonce` may come from
 * the flow.
 */
interface Tweak extends Partial<Omit<DpopProofOptions, 'nonce'>> {
  readonly htu?: ((url: string) => string) | undefined;
  readonly nonce?: string | FromFlow<string> | undefined;
}

/** The `DPoP` header: one proof by `KEY` over the request, issued at `NOW`, changed by `tweak`. */
const proofFor =
  (tweak: Tweak = {}) =>
  async (kit: RequestKit): Promise<Record<string, string>> => {
    const { htu, nonce, ...rest } = tweak;
    const options: DpopProofOptions = {
      key: KEY,
      method: kit.method,
      url: kit.url,
      accessToken: kit.token,
      iat: at(0),
      ...rest,
    };
    const claims = htu ? { ...rest.claims, htu: htu(kit.url) } : rest.claims;
    return { dpop: await dpopProof({ ...options, claims, nonce: typeof nonce === 'function' ? nonce(kit) : nonce }) };
  };

/** A request with `Authorization: DPoP <token>` and a proof. */
const proven = (tweak?: Tweak, request: CaseRequest = {}): CaseRequest => ({
  ...request,
  headers: { authorization: 'DPoP $TOKEN', ...request.headers },
  headersFor: proofFor(tweak),
});

/** Two valid proofs in one `DPoP` header (RFC 9449 §4.3 step 1 allows exactly one). */
const twoProofs = async (kit: RequestKit): Promise<Record<string, string>> => {
  const [first, second] = await Promise.all([proofFor()(kit), proofFor()(kit)]);
  return { dpop: `${first.dpop}, ${second.dpop}` };
};

/** The request URL on another path, or on another origin (query dropped). */
const otherPath = (url: string): string => new URL('/elsewhere', url).href;
const onApi = (url: string): string => `${API}${new URL(url).pathname}`;
/** The `DPoP-Nonce` the last earlier response carried. */
const lastNonce = ({ responses }: FlowKit): string => String(responses.at(-1)?.headers['dpop-nonce']);

/** A DPoP challenge (RFC 9449 §7.1): the scheme, the error, and the accepted proof algorithms. */
const dpopChallenge = (error: SpecError): RegExp => new RegExp(`^DPoP error="${error}"(?=.*, algs="[A-Za-z0-9 ]+")`);
const refused = (error: SpecError, reason: ReasonCode, headers?: Expectation['headers']): Expectation => ({
  status: 401,
  error,
  reason,
  headers: { 'www-authenticate': dpopChallenge(error), ...headers },
});
const badProof = (reason: ReasonCode): Expectation => refused('invalid_dpop_proof', reason);
const unauthorizedBearer = (reason: ReasonCode): Expectation => ({
  status: 401,
  error: 'invalid_token',
  reason,
  headers: { 'www-authenticate': /^Bearer error="invalid_token"/ },
});

const withNonces = (lifetime = 60) => ({ dpop: { nonce: { secret: NONCE_SECRET, lifetime } } });
const nonceRequired: Expectation = refused('use_dpop_nonce', 'dpop_nonce_required', {
  'dpop-nonce': /^[A-Za-z0-9_-]{22}$/,
});

const valid: ConformanceCase[] = [
  {
    name: 'dpop: valid proof for a bound token',
    token: BOUND,
    request: proven(),
    expect: { status: 200, body: { action: 'search.web' } },
  },
  {
    name: 'dpop: valid proof on a POST with a body',
    token: BOUND,
    request: proven({}, { method: 'POST', body: 'hello' }),
    expect: { status: 200, body: { received: 5 } },
  },
  {
    name: 'dpop: required mode admits a valid proof',
    options: { dpop: { mode: 'required' } },
    token: BOUND,
    request: proven(),
    expect: OK,
  },
  { name: 'dpop: disabled mode admits an unbound Bearer token', options: { dpop: { mode: 'disabled' } }, expect: OK },
  // RFC 9449 §4.3 step 9: htu matches the request URI "ignoring any query and fragment parts".
  {
    name: 'dpop: htu with the query and a fragment',
    token: BOUND,
    request: proven({ htu: (url) => `${url}#part` }, { query: { q: 'x' } }),
    expect: OK,
  },
  // RFC 3986 §6.2.2 and §6.2.3: case of scheme and host, default port and unreserved percent-encodings do not count.
  {
    name: 'dpop: htu with upper-case scheme',
    token: BOUND,
    request: proven({ htu: (url) => url.replace(/^http:/, 'HTTP:') }),
    expect: OK,
  },
  {
    name: 'dpop: htu with a percent-encoded unreserved character',
    token: BOUND,
    request: proven({ htu: (url) => url.replace(/\/r$/, '/%72') }),
    expect: OK,
  },
  {
    name: 'dpop: iat at the far edge of the window (60 s back)',
    token: BOUND,
    request: proven({ iat: at(-60) }),
    expect: OK,
  },
  { name: 'dpop: iat within the forward leeway (5 s)', token: BOUND, request: proven({ iat: at(5) }), expect: OK },
  {
    name: 'dpop: publicUrl names the origin of htu',
    options: { publicUrl: API },
    token: BOUND,
    request: proven({ htu: onApi }),
    expect: OK,
  },
  {
    name: 'dpop: forwarded origin from a trusted proxy',
    options: { trustProxy: ['127.0.0.1'] },
    token: BOUND,
    request: proven(
      { htu: onApi },
      { headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'api.example.com' } },
    ),
    expect: OK,
  },
];

const policy: ConformanceCase[] = [
  {
    name: 'dpop: required mode refuses an unbound Bearer token',
    options: { dpop: { mode: 'required' } },
    expect: refused('invalid_token', 'dpop_required'),
  },
  {
    name: 'dpop: route requiring DPoP refuses an unbound Bearer token',
    route: { action: 'search.web', dpop: 'required' },
    expect: refused('invalid_token', 'dpop_required'),
  },
  {
    name: 'dpop: bound token sent as Bearer is a downgrade',
    token: BOUND,
    expect: refused('invalid_token', 'dpop_downgrade'),
  },
  {
    name: 'dpop: bound token sent as Bearer with a proof is a downgrade',
    token: BOUND,
    request: proven({}, { headers: { authorization: 'Bearer $TOKEN' } }),
    expect: refused('invalid_token', 'dpop_downgrade'),
  },
  // RFC 9110 §11.6.1: the challenge names the schemes applicable to the resource; with DPoP disabled that is Bearer
  // alone.
  {
    name: 'dpop: disabled mode refuses the DPoP scheme',
    options: { dpop: { mode: 'disabled' } },
    token: BOUND,
    request: proven(),
    expect: {
      status: 401,
      error: 'invalid_token',
      reason: 'dpop_disabled',
      headers: { 'www-authenticate': /^Bearer error="invalid_token"(?![\s\S]*algs=)/ },
    },
  },
  {
    name: 'dpop: route with DPoP disabled refuses a bound token',
    route: { action: 'search.web', dpop: 'disabled' },
    token: BOUND,
    request: proven(),
    expect: { status: 401, error: 'invalid_token', reason: 'dpop_disabled' },
  },
  {
    name: 'dpop: DPoP scheme with an unbound token',
    request: proven(),
    expect: refused('invalid_token', 'dpop_key_mismatch'),
  },
  {
    name: 'dpop: proof signed by a key the token is not bound to',
    token: BOUND,
    request: proven({ key: OTHER_KEY }),
    expect: refused('invalid_token', 'dpop_key_mismatch'),
  },
];

const proofs: ConformanceCase[] = [
  {
    name: 'dpop: DPoP scheme without a proof',
    token: BOUND,
    request: { headers: { authorization: 'DPoP $TOKEN' } },
    expect: badProof('dpop_proof_missing'),
  },
  {
    name: 'dpop: proof that is not a JWS',
    token: BOUND,
    request: { headers: { authorization: 'DPoP $TOKEN', dpop: 'not.a-proof' } },
    expect: badProof('dpop_proof_invalid'),
  },
  {
    name: 'dpop: two proofs',
    token: BOUND,
    request: { headers: { authorization: 'DPoP $TOKEN' }, headersFor: twoProofs },
    expect: badProof('dpop_proof_invalid'),
  },
  {
    name: 'dpop: proof typed JWT',
    token: BOUND,
    request: proven({ typ: 'JWT' }),
    expect: badProof('dpop_proof_invalid'),
  },
  {
    name: 'dpop: proof jwk with a private member',
    token: BOUND,
    request: proven({ header: { jwk: { ...KEY.publicJwk, d: 'AAAA' } } }),
    expect: badProof('dpop_proof_invalid'),
  },
  {
    name: 'dpop: proof jwk of another key than the signer',
    token: BOUND,
    request: proven({ header: { jwk: OTHER_KEY.publicJwk } }),
    expect: badProof('dpop_proof_invalid'),
  },
  {
    name: 'dpop: proof algorithm not allowed',
    options: { dpop: { algorithms: ['EdDSA'] } },
    token: BOUND,
    request: proven(),
    expect: badProof('dpop_proof_invalid'),
  },
  {
    name: 'dpop: proof without jti',
    token: BOUND,
    request: proven({ claims: { jti: undefined } }),
    expect: badProof('dpop_proof_invalid'),
  },
  {
    name: 'dpop: proof without iat',
    token: BOUND,
    request: proven({ claims: { iat: undefined } }),
    expect: badProof('dpop_proof_invalid'),
  },
  {
    name: 'dpop: proof for another method',
    token: BOUND,
    request: proven({ method: 'POST' }),
    expect: badProof('dpop_htm_mismatch'),
  },
  {
    name: 'dpop: proof for another path',
    token: BOUND,
    request: proven({ htu: otherPath }),
    expect: badProof('dpop_htu_mismatch'),
  },
  {
    name: 'dpop: proof for another origin',
    token: BOUND,
    request: proven({ htu: onApi }),
    expect: badProof('dpop_htu_mismatch'),
  },
  {
    name: 'dpop: proof for the request URL when publicUrl says otherwise',
    options: { publicUrl: API },
    token: BOUND,
    request: proven(),
    expect: badProof('dpop_htu_mismatch'),
  },
  {
    name: 'dpop: forwarded origin ignored without trustProxy',
    token: BOUND,
    request: proven(
      { htu: onApi },
      { headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'api.example.com' } },
    ),
    expect: badProof('dpop_htu_mismatch'),
  },
  {
    name: 'dpop: proof older than the window',
    token: BOUND,
    request: proven({ iat: at(-61) }),
    expect: badProof('dpop_iat_out_of_window'),
  },
  {
    name: 'dpop: proof from the future',
    token: BOUND,
    request: proven({ iat: at(6) }),
    expect: badProof('dpop_iat_out_of_window'),
  },
  {
    name: 'dpop: maxAge option narrows the window',
    options: { dpop: { maxAge: 10 } },
    token: BOUND,
    request: proven({ iat: at(-11) }),
    expect: badProof('dpop_iat_out_of_window'),
  },
  {
    name: 'dpop: proof replayed',
    token: BOUND,
    before: [{ request: proven({ jti: 'proof-jti-0001' }), status: 200 }],
    request: proven({ jti: 'proof-jti-0001' }),
    expect: badProof('dpop_replay'),
  },
  {
    name: 'dpop: a fresh jti is not a replay',
    token: BOUND,
    before: [{ request: proven(), status: 200 }],
    request: proven(),
    expect: OK,
  },
  {
    name: 'dpop: proof for another token',
    token: BOUND,
    request: proven({ accessToken: 'another-access-token' }),
    expect: badProof('dpop_ath_mismatch'),
  },
  {
    name: 'dpop: proof without ath',
    token: BOUND,
    request: proven({ claims: { ath: undefined } }),
    expect: badProof('dpop_ath_mismatch'),
  },
];

/** Guard options with a memory store whose replay budget holds one marker — a fresh store for each run (a getter). */
const oneReplayMarker = {
  get store() {
    return memoryStore({ maxReplays: 1 });
  },
};

// The memory store never forgets a live replay marker to make room (issue 12): a full budget refuses.
const budgets: ConformanceCase[] = [
  {
    name: 'store: a full replay budget refuses a fresh proof rather than forget a live marker',
    options: oneReplayMarker,
    token: BOUND,
    before: [{ request: proven(), status: 200 }],
    request: proven(),
    expect: {
      status: 503,
      error: 'temporarily_unavailable',
      reason: 'store_full',
      headers: { 'retry-after': /^\d+$/ },
    },
  },
  {
    name: 'store: the replay budget frees up as markers expire',
    options: oneReplayMarker,
    token: { ...BOUND, ttl: 3600 },
    before: [{ request: proven(), status: 200 }, { advance: 67 }],
    request: proven({ iat: at(67) }),
    expect: OK,
  },
];

// RFC 9449 §9: stateless nonces, lifetime 60 s, `NOW` on a bucket boundary.
const nonces: ConformanceCase[] = [
  {
    name: 'dpop nonce: proof without a nonce gets one',
    options: withNonces(),
    token: BOUND,
    request: proven(),
    expect: nonceRequired,
  },
  {
    name: 'dpop nonce: unknown nonce',
    options: withNonces(),
    token: BOUND,
    request: proven({ nonce: 'AAAAAAAAAAAAAAAAAAAAAA' }),
    expect: nonceRequired,
  },
  {
    name: 'dpop nonce: the issued nonce is accepted',
    options: withNonces(),
    token: BOUND,
    before: [{ request: proven(), status: 401 }],
    request: proven({ nonce: lastNonce }),
    expect: { status: 200, headers: { 'dpop-nonce': null } },
  },
  {
    name: 'dpop nonce: a nonce of the previous bucket is accepted, with a fresh one',
    options: withNonces(),
    token: BOUND,
    before: [{ request: proven(), status: 401 }, { advance: 60 }],
    request: proven({ nonce: lastNonce, iat: at(60) }),
    expect: { status: 200, headers: { 'dpop-nonce': /^[A-Za-z0-9_-]{22}$/ } },
  },
  {
    name: 'dpop nonce: an undeclared route in allow mode (authenticated only) gets the fresh one too',
    options: { ...withNonces(), undeclared: 'allow' },
    route: null,
    token: BOUND,
    before: [{ request: proven(), status: 401 }, { advance: 60 }],
    request: proven({ nonce: lastNonce, iat: at(60) }),
    expect: { status: 200, headers: { 'dpop-nonce': /^[A-Za-z0-9_-]{22}$/ } },
  },
  {
    name: 'dpop nonce: a nonce two buckets old is stale',
    options: withNonces(),
    token: BOUND,
    before: [{ request: proven(), status: 401 }, { advance: 120 }],
    request: proven({ nonce: lastNonce, iat: at(120) }),
    expect: nonceRequired,
  },
  {
    name: 'dpop nonce: any other proof refusal carries a fresh nonce',
    options: withNonces(),
    token: BOUND,
    request: proven({ method: 'POST' }),
    expect: refused('invalid_dpop_proof', 'dpop_htm_mismatch', { 'dpop-nonce': /^[A-Za-z0-9_-]{22}$/ }),
  },
];

// ---- the PoP requirement (draft §7.2, §12.2, D.2): a bound token with its DPoP proof OR its certificate ----

/** A real self-signed certificate (openssl), as DER: the client's, forwarded by a TLS-terminating proxy. */
function clientCertificate(): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'aap-pop-'));
  try {
    const [key, cert] = [join(dir, 'agent.key'), join(dir, 'agent.crt')];
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-keyout',
        key,
        '-out',
        cert,
        '-subj',
        '/CN=agent',
      ],
      { stdio: 'ignore' },
    );
    return new X509Certificate(readFileSync(cert, 'utf8')).raw;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const CERT = clientCertificate();
/** A token bound to the certificate (RFC 8705 §3.1 `cnf["x5t#S256"]`). */
const CERT_BOUND: TokenSpec = {
  claims: { cnf: { 'x5t#S256': createHash('sha256').update(CERT).digest('base64url') } },
};
/** The certificate as the proxy forwards it (RFC 9440 §2.2), from a peer the guard trusts as a proxy. */
const withCertificate: CaseRequest = { headers: { 'client-cert': `:${CERT.toString('base64')}:` } };
const viaProxy = { trustProxy: ['127.0.0.1'] };

/** An unbound Bearer token refused for want of PoP; the challenge invites DPoP where the route accepts it. */
const popRequired: Expectation = refused('invalid_token', 'pop_required');
/** ...and a Bearer challenge where DPoP is disabled: mTLS (RFC 8705) defines no challenge of its own. */
const popRequiredNoDpop: Expectation = {
  status: 401,
  error: 'invalid_token',
  reason: 'pop_required',
  headers: { 'www-authenticate': /^Bearer error="invalid_token"(?![\s\S]*algs=)/ },
};
const byRisk = { pop: 'by-risk' } as const;
const classified = (level: string): TokenSpec => ({
  capabilities: [{ action: 'search.web', constraints: { data_classification_max: level } }],
});

const requirement: ConformanceCase[] = [
  {
    name: 'pop: required admits a DPoP-bound token with its proof',
    options: { pop: 'required' },
    token: BOUND,
    request: proven(),
    expect: OK,
  },
  {
    name: 'pop: required admits a certificate-bound token with its certificate',
    options: { pop: 'required', ...viaProxy },
    token: CERT_BOUND,
    request: withCertificate,
    expect: OK,
  },
  // issue 24: the deprecated `dpop.mode: 'required'` refused this token (401 dpop_required) — it is proof of possession
  {
    name: 'pop: dpop.mode required (deprecated) admits a certificate-bound token',
    options: { dpop: { mode: 'required' }, ...viaProxy },
    token: CERT_BOUND,
    request: withCertificate,
    expect: OK,
  },
  {
    name: 'pop: route dpop required (deprecated) admits a certificate-bound token',
    options: viaProxy,
    route: { action: 'search.web', dpop: 'required' },
    token: CERT_BOUND,
    request: withCertificate,
    expect: OK,
  },
  { name: 'pop: required refuses an unbound Bearer token', options: { pop: 'required' }, expect: popRequired },
  {
    name: 'pop: a route requiring PoP refuses an unbound Bearer token',
    route: { action: 'search.web', pop: 'required' },
    expect: popRequired,
  },
  {
    name: 'pop: a route requiring PoP admits a certificate-bound token',
    options: viaProxy,
    route: { action: 'search.web', pop: 'required' },
    token: CERT_BOUND,
    request: withCertificate,
    expect: OK,
  },
  {
    name: 'pop: a route requiring PoP with DPoP disabled challenges with Bearer',
    route: { action: 'search.web', pop: 'required', dpop: 'disabled' },
    expect: popRequiredNoDpop,
  },
  // RFC 6750 §3.1 / RFC 9449 §7.1: a 403 for a missing capability challenges in the scheme the client used
  {
    name: 'dpop: a bound token without the capability gets insufficient_scope in a DPoP challenge',
    route: { action: 'cms.publish' },
    token: BOUND,
    request: proven(),
    expect: {
      status: 403,
      error: 'aap_invalid_capability',
      reason: 'capability_missing',
      headers: {
        'www-authenticate':
          /^DPoP error="insufficient_scope", error_description="[^"]+", resource_metadata="[^"]+", algs="[A-Za-z0-9 ]+"$/,
      },
    },
  },
  {
    name: 'pop: a certificate-bound token without its certificate is still refused',
    options: { pop: 'required', ...viaProxy },
    token: CERT_BOUND,
    expect: unauthorizedBearer('mtls_certificate_missing'),
  },
];

// spec §12.2 "Profile Selection Criteria", turned on with `pop: 'by-risk'`; an unsafe method (RFC 9110 §9.2.1) stands
// for a write
const risk: ConformanceCase[] = [
  { name: 'pop by risk: a safe method with no risk admits an unbound token', options: byRisk, expect: OK },
  {
    name: 'pop by risk: off by default, an unsafe method admits an unbound token',
    request: { method: 'POST', body: 'x' },
    expect: OK,
  },
  {
    name: 'pop by risk: an unsafe method refuses an unbound token',
    options: byRisk,
    request: { method: 'POST', body: 'x' },
    expect: popRequired,
  },
  {
    name: 'pop by risk: DELETE refuses an unbound token',
    options: byRisk,
    request: { method: 'DELETE' },
    expect: popRequired,
  },
  {
    name: 'pop by risk: a DPoP-bound token with its proof passes an unsafe method',
    options: byRisk,
    token: BOUND,
    request: proven({}, { method: 'POST', body: 'x' }),
    expect: OK,
  },
  {
    name: 'pop by risk: a certificate-bound token with its certificate passes an unsafe method',
    options: { ...byRisk, ...viaProxy },
    token: CERT_BOUND,
    request: { ...withCertificate, method: 'POST', body: 'x' },
    expect: OK,
  },
  {
    name: 'pop by risk: a read-only route lets an unsafe method through',
    options: byRisk,
    route: { action: 'search.web', readOnly: true },
    request: { method: 'POST', body: 'x' },
    expect: OK,
  },
  {
    name: 'pop by risk: a route that writes refuses a safe method',
    options: byRisk,
    route: { action: 'search.web', readOnly: false },
    expect: popRequired,
  },
  {
    name: 'pop by risk: data_classification_max confidential',
    options: byRisk,
    token: classified('confidential'),
    expect: popRequired,
  },
  {
    name: 'pop by risk: data_classification_max restricted',
    options: byRisk,
    token: classified('restricted'),
    expect: popRequired,
  },
  {
    name: 'pop by risk: data_classification_max internal is no risk',
    options: byRisk,
    token: classified('internal'),
    expect: OK,
  },
  {
    name: 'pop by risk: oversight level approval',
    options: byRisk,
    token: withSections({ oversight: { level: 'approval' } }),
    expect: popRequired,
  },
  {
    name: 'pop by risk: oversight level supervised',
    options: byRisk,
    token: withSections({ oversight: { level: 'supervised' } }),
    expect: popRequired,
  },
  {
    name: 'pop by risk: oversight level notification is no risk',
    options: byRisk,
    token: withSections({ oversight: { level: 'notification' } }),
    expect: OK,
  },
  { name: 'pop by risk: a token living over an hour', options: byRisk, token: { ttl: 3601 }, expect: popRequired },
  { name: 'pop by risk: a token living one hour is no risk', options: byRisk, token: { ttl: 3600 }, expect: OK },
  {
    name: 'pop by risk: a route opting out admits an unbound token',
    options: byRisk,
    route: { action: 'search.web', pop: 'optional' },
    request: { method: 'POST', body: 'x' },
    expect: OK,
  },
  {
    name: 'pop by risk: a route opting in without the guard option',
    route: { action: 'search.web', pop: 'by-risk' },
    request: { method: 'PUT', body: 'x' },
    expect: popRequired,
  },
  {
    name: 'pop by risk: with DPoP disabled the challenge is Bearer',
    options: { ...byRisk, dpop: { mode: 'disabled' } },
    request: { method: 'POST', body: 'x' },
    expect: popRequiredNoDpop,
  },
];

/** Proof-of-possession cases, in pipeline order. */
export const popCases: readonly ConformanceCase[] = [
  ...valid,
  ...policy,
  ...proofs,
  ...nonces,
  ...budgets,
  ...requirement,
  ...risk,
];
