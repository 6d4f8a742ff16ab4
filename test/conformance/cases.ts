/**
 * The conformance table: one list of framework-neutral cases, run unchanged through real HTTP by a
 * small driver per adapter (harness.ts). The shape of a case is in model.ts. Deny bodies must never
 * carry constraint values (the harness checks every case).
 *
 * Time is frozen at `NOW` (guard clock and token issuer alike; a `before` step may advance the
 * guard's clock), so windows and lifetimes are exact. The client IP of every request is the
 * loopback peer; other addresses come through `X-Forwarded-For`, which only counts when
 * `trustProxy` says so.
 *
 * The stateful groups live in their own modules: proof of possession (cases-pop.ts), rate limits
 * (cases-limits.ts), holds and revocation (cases-holds.ts); what the guard reads in bodies in cases-bodies.ts.
 */
import type { ConstraintInput, ReasonCode } from '@aap-guard/core';
import { bodyCases } from './cases-bodies.js';
import { holdCases, revocationCases } from './cases-holds.js';
import { limitCases } from './cases-limits.js';
import { popCases } from './cases-pop.js';
import { destinationCases, reportOnlyCases } from './cases-destination.js';
import {
  AGENT,
  OK,
  at,
  constrained,
  forbidden,
  iso,
  oversight,
  unauthorized,
  violation,
  withSections,
  type CaseRequest,
  type ConformanceCase,
  type Expectation,
  type TokenSpec,
} from './model.js';

/**
 * Reason codes with no case here, and where their cases belong. The harness checks the table covers every other one.
 */
export const OUT_OF_SCOPE: Readonly<Partial<Record<ReasonCode, string>>> = {
  // RFC 8705 needs HTTPS servers with client certificates, which the drivers do not start:
  // covered through real TLS in packages/express/test/mtls.test.ts.
  mtls_certificate_missing: 'proof of possession (mTLS): packages/express/test/mtls.test.ts',
  mtls_certificate_mismatch: 'proof of possession (mTLS): packages/express/test/mtls.test.ts',
  store_unavailable: 'store faults: test/stores/redis-faults.test.ts (a real Redis stopped mid-run)',
  jwks_unavailable: 'key-source faults',
  internal_error: 'defects only: no client input may reach it',
  // the drivers start no authorization server: introspection against a real loopback AS and the example oidc-provider
  token_inactive: 'introspection: packages/core/test/concerns/token/introspection/introspection.test.ts',
  introspection_unavailable:
    'introspection outages: packages/core/test/concerns/token/introspection/introspection.test.ts',
  capabilities_unavailable: 'capabilities_ref: packages/core/test/concerns/token/capabilities-ref.test.ts',
  hold_body_unavailable: 'a body parser mounted before the guard: test/regressions/approval-not-bound-to-body.test.ts',
  // two tokens (a parent seen first, then its child), and an admin operation: over HTTP on all three adapters there
  key_distrusted:
    'distrusted keys: test/regressions/compromised-key-cannot-be-distrusted.test.ts (and across replicas: test/revocation/distrust-replicas.test.ts)',
  delegation_broader_than_parent: 'parent then child: test/regressions/delegated-token-broader-than-parent.test.ts',
  delegation_parent_unknown:
    "delegation.unknownParent: 'refuse': test/regressions/delegated-token-broader-than-parent.test.ts",
};

// ---- builders -------------------------------------------------------------------------------------

const badRequest = (reason: ReasonCode): Expectation => ({ status: 400, error: 'invalid_request', reason });

const agent = (extra: Record<string, unknown> = {}) => ({
  id: AGENT,
  type: 'llm-autonomous',
  operator: 'org:example',
  ...extra,
});
const task = (extra: Record<string, unknown> = {}) => ({ id: 'task-001', purpose: 'research', ...extra });
const delegation = (depth: number, maxDepth: number, chain: readonly string[]) => ({
  depth,
  max_depth: maxDepth,
  chain,
});
const via = (ip: string): CaseRequest['headers'] => ({ 'x-forwarded-for': ip });
const span = (start: number, end: number) => ({ start: iso(start), end: iso(end) });

// ---- 1. credentials -------------------------------------------------------------------------------

const credentials: ConformanceCase[] = [
  { name: 'baseline: minimal token on a declared route', expect: { status: 200, body: { action: 'search.web' } } },
  { name: 'baseline: aap_-prefixed claim names', token: { spelling: 'prefixed' }, expect: OK },
  {
    name: 'baseline: scheme is case-insensitive',
    request: { headers: { authorization: 'bearer $TOKEN' } },
    expect: OK,
  },
  {
    name: 'credentials: none sent, challenge without error',
    request: { headers: { authorization: null } },
    expect: {
      status: 401,
      error: 'invalid_token',
      reason: 'credentials_missing',
      headers: { 'www-authenticate': /^(?![\s\S]*error=)Bearer\b/ },
    },
  },
  {
    name: 'credentials: challenge advertises resource metadata (RFC 9728)',
    options: { resourceMetadata: 'https://api.example.com/.well-known/oauth-protected-resource' },
    request: { headers: { authorization: null } },
    expect: {
      status: 401,
      reason: 'credentials_missing',
      headers: {
        'www-authenticate': /resource_metadata="https:\/\/api\.example\.com\/\.well-known\/oauth-protected-resource"/,
      },
    },
  },
  {
    name: 'credentials: two Authorization headers',
    request: { headers: { authorization: ['Bearer $TOKEN', 'Bearer $TOKEN'] } },
    expect: badRequest('credentials_multiple'),
  },
  {
    name: 'credentials: two credentials in one header',
    request: { headers: { authorization: 'Bearer $TOKEN, Bearer $TOKEN' } },
    expect: badRequest('credentials_multiple'),
  },
  {
    name: 'credentials: token in the query string',
    request: { headers: { authorization: null }, query: { access_token: '$TOKEN' } },
    expect: badRequest('credentials_in_query'),
  },
  {
    name: 'credentials: token in the query string besides the header',
    request: { query: { access_token: '$TOKEN' } },
    expect: badRequest('credentials_in_query'),
  },
  {
    name: 'credentials: another scheme is a 401 challenge, not a 400 (RFC 9110 §11.6.1)',
    request: { headers: { authorization: 'Basic dXNlcjpwYXNz' } },
    expect: {
      status: 401,
      error: 'invalid_token',
      reason: 'credentials_missing',
      headers: { 'www-authenticate': /^(?![\s\S]*error=)Bearer\b/ },
    },
  },
  {
    name: 'credentials: scheme without token',
    request: { headers: { authorization: 'Bearer' } },
    expect: badRequest('authorization_malformed'),
  },
  {
    name: 'credentials: token with inner space',
    request: { headers: { authorization: 'Bearer abc def' } },
    expect: badRequest('authorization_malformed'),
  },
  {
    name: 'credentials: token over maxTokenSize',
    options: { maxTokenSize: 256 },
    expect: unauthorized('token_too_large'),
  },
  {
    name: 'request: repeated target parameter is never guessed',
    route: { action: 'search.web' },
    request: { target: ['https://example.org/', 'https://evil.example/'] },
    expect: badRequest('request_invalid'),
  },
];

// ---- 2. token -------------------------------------------------------------------------------------

const expiredClaims = (exp: number) => ({ claims: { iat: exp - 600, exp } });

const token: ConformanceCase[] = [
  {
    name: 'token: not a JWS',
    request: { headers: { authorization: 'Bearer abc.def.ghi' } },
    expect: unauthorized('token_malformed'),
  },
  {
    name: 'token: two segments',
    request: { headers: { authorization: 'Bearer abc.def' } },
    expect: unauthorized('token_malformed'),
  },
  { name: 'token: alg none', token: { forge: 'alg-none' }, expect: unauthorized('token_alg_not_allowed') },
  {
    name: 'token: HS256 not in the allowlist',
    token: { forge: 'hs256' },
    expect: unauthorized('token_alg_not_allowed'),
  },
  { name: 'token: kid not in the JWKS', token: { forge: 'foreign-kid' }, expect: unauthorized('token_key_unknown') },
  {
    name: 'token: signed by another key under our kid',
    token: { forge: 'foreign-key' },
    expect: unauthorized('token_signature_invalid'),
  },
  {
    name: 'token: payload changed after signing',
    token: { forge: 'tampered' },
    expect: unauthorized('token_signature_invalid'),
  },
  {
    name: 'token: unknown crit header extension',
    token: { forge: 'crit' },
    expect: unauthorized('token_header_invalid'),
  },
  {
    name: 'token: typed as a DPoP proof',
    token: { header: { typ: 'dpop+jwt' } },
    expect: unauthorized('token_header_invalid'),
  },
  {
    name: 'token: requireTyp refuses typ JWT',
    options: { requireTyp: true },
    token: { header: { typ: 'JWT' } },
    expect: unauthorized('token_header_invalid'),
  },
  { name: 'token: requireTyp accepts at+jwt', options: { requireTyp: true }, expect: OK },
  {
    name: 'token: expired beyond the clock tolerance',
    token: expiredClaims(at(-301)),
    expect: unauthorized('token_expired', { 'www-authenticate': /error_description="The access token expired"/ }),
  },
  { name: 'token: expired within the clock tolerance', token: expiredClaims(at(-299)), expect: OK },
  {
    name: 'token: expired, clockTolerance 0',
    options: { clockTolerance: 0 },
    token: expiredClaims(at(-1)),
    expect: unauthorized('token_expired'),
  },
  {
    name: 'token: nbf beyond the clock tolerance',
    token: { claims: { nbf: at(301) } },
    expect: unauthorized('token_not_yet_valid'),
  },
  { name: 'token: nbf within the clock tolerance', token: { claims: { nbf: at(299) } }, expect: OK },
  {
    name: 'token: iat in the future',
    token: { claims: { iat: at(600), exp: at(1200) } },
    expect: unauthorized('token_not_yet_valid'),
  },
  {
    name: 'token: untrusted issuer',
    token: { claims: { iss: 'https://evil.example.com' } },
    expect: unauthorized('token_issuer_untrusted'),
  },
  {
    name: 'token: one of several trusted issuers',
    options: { issuer: ['https://other-as.example.com', 'https://as.example.com'] },
    expect: OK,
  },
  {
    name: 'token: audience of another resource',
    token: { claims: { aud: 'https://other.example.com' } },
    expect: unauthorized('token_audience_mismatch'),
  },
  {
    name: 'token: our audience among several',
    token: { claims: { aud: ['https://other.example.com', 'https://api.example.com'] } },
    expect: OK,
  },
  { name: 'token: no exp', token: { claims: { exp: undefined } }, expect: unauthorized('token_claims_invalid') },
  {
    name: 'claims: agent missing',
    token: withSections({ agent: undefined }),
    expect: unauthorized('token_claims_invalid'),
  },
  {
    name: 'claims: task missing',
    token: withSections({ task: undefined }),
    expect: unauthorized('token_claims_invalid'),
  },
  {
    name: 'claims: task without purpose',
    token: withSections({ task: { id: 'task-001' } }),
    expect: unauthorized('token_claims_invalid'),
  },
  { name: 'claims: capabilities empty', token: { capabilities: [] }, expect: unauthorized('token_claims_invalid') },
  {
    name: 'claims: action breaks the ABNF',
    token: { capabilities: [{ action: 'search..web' }] },
    expect: unauthorized('token_claims_invalid'),
  },
  {
    name: 'claims: agent.id over 128 characters',
    token: { agentId: 'a'.repeat(129) },
    expect: unauthorized('token_claims_invalid'),
  },
  {
    name: 'claims: both spellings of one section',
    token: { claims: { aap_agent: agent() } },
    expect: unauthorized('token_claims_invalid'),
  },
  {
    name: 'claims: time_window that is not a date-time',
    token: constrained({ time_window: { start: 'yesterday', end: iso(3600) } }),
    expect: unauthorized('token_claims_invalid'),
  },
  {
    name: 'claims: unknown top-level claims are kept',
    token: { claims: { client_id: 'c1', scope: 'search', grant_id: 'g1' } },
    expect: OK,
  },
];

// ---- 5. agent, task, delegation ----------------------------------------------------------------

const notRecognized = forbidden('aap_agent_not_recognized', 'agent_not_recognized');

const agents: ConformanceCase[] = [
  { name: 'agent: on the allow list', options: { agents: { allow: [AGENT] } }, expect: OK },
  { name: 'agent: not on the allow list', options: { agents: { allow: ['agent-other'] } }, expect: notRecognized },
  {
    name: 'agent: allow list is case-sensitive',
    options: { agents: { allow: ['Agent-Researcher-01'] } },
    expect: notRecognized,
  },
  { name: 'agent: on the deny list', options: { agents: { deny: [AGENT] } }, expect: notRecognized },
  { name: 'agent: operator allowed', options: { agents: { operators: ['org:example'] } }, expect: OK },
  { name: 'agent: operator not allowed', options: { agents: { operators: ['org:other'] } }, expect: notRecognized },
  { name: 'agent: operator denied', options: { agents: { deniedOperators: ['org:example'] } }, expect: notRecognized },
  {
    name: 'agent: denied model (string)',
    options: { agents: { deniedModels: ['model-x'] } },
    token: withSections({ agent: agent({ model: 'model-x' }) }),
    expect: notRecognized,
  },
  {
    name: 'agent: denied model (model.id)',
    options: { agents: { deniedModels: ['model-x'] } },
    token: withSections({ agent: agent({ model: { provider: 'p', id: 'model-x', version: '1' } }) }),
    expect: notRecognized,
  },
  {
    name: 'agent: model not denied',
    options: { agents: { deniedModels: ['model-x'] } },
    token: withSections({ agent: agent({ model: { provider: 'p', id: 'model-y' } }) }),
    expect: OK,
  },
  {
    name: 'agent: attestation required, no runtime',
    options: { agents: { requireAttested: true } },
    expect: notRecognized,
  },
  {
    name: 'agent: attestation required, attested false',
    options: { agents: { requireAttested: true } },
    token: withSections({ agent: agent({ runtime: { environment: 'k8s', attested: false } }) }),
    expect: notRecognized,
  },
  {
    name: 'agent: attestation required, attested',
    options: { agents: { requireAttested: true } },
    token: withSections({ agent: agent({ runtime: { environment: 'k8s', attested: true } }) }),
    expect: OK,
  },
];

const mismatch = forbidden('aap_task_mismatch', 'task_mismatch');
const taskExpired = forbidden('aap_task_mismatch', 'task_expired');
const sensitivity = (level: string): TokenSpec => withSections({ task: task({ data_sensitivity: level }) });

const tasks: ConformanceCase[] = [
  {
    name: 'task: purpose allowed on the route',
    route: { action: 'search.web', purposes: ['billing', 'research'] },
    expect: OK,
  },
  {
    name: 'task: purpose not allowed on the route',
    route: { action: 'search.web', purposes: ['billing'] },
    expect: mismatch,
  },
  {
    name: 'task: sensitivity above the ceiling',
    route: { action: 'search.web', maxSensitivity: 'internal' },
    token: sensitivity('confidential'),
    expect: mismatch,
  },
  {
    name: 'task: sensitivity below the ceiling',
    route: { action: 'search.web', maxSensitivity: 'internal' },
    token: sensitivity('public'),
    expect: OK,
  },
  {
    name: 'task: sensitivity at the ceiling',
    route: { action: 'search.web', maxSensitivity: 'internal' },
    token: sensitivity('internal'),
    expect: OK,
  },
  {
    name: 'task: personal ranks as restricted (above)',
    route: { action: 'search.web', maxSensitivity: 'confidential' },
    token: sensitivity('personal'),
    expect: mismatch,
  },
  {
    name: 'task: personal ranks as restricted (at)',
    route: { action: 'search.web', maxSensitivity: 'restricted' },
    token: sensitivity('personal'),
    expect: OK,
  },
  {
    name: 'task: unknown sensitivity level fails closed',
    route: { action: 'search.web', maxSensitivity: 'restricted' },
    token: sensitivity('top-secret'),
    expect: mismatch,
  },
  {
    name: 'task: id bound to a header, equal',
    route: { action: 'search.web', taskIdFrom: 'header:x-task-id' },
    request: { headers: { 'x-task-id': 'task-001' } },
    expect: OK,
  },
  {
    name: 'task: id bound to a header, different',
    route: { action: 'search.web', taskIdFrom: 'header:x-task-id' },
    request: { headers: { 'x-task-id': 'task-002' } },
    expect: mismatch,
  },
  {
    name: 'task: id bound to a header, header absent',
    route: { action: 'search.web', taskIdFrom: 'header:x-task-id' },
    expect: mismatch,
  },
  {
    name: 'task: id bound to a route parameter, equal',
    route: { action: 'search.web', taskIdFrom: 'param:taskId' },
    request: { path: '/r/task-001' },
    expect: OK,
  },
  {
    name: 'task: id bound to a route parameter, different',
    route: { action: 'search.web', taskIdFrom: 'param:taskId' },
    request: { path: '/r/task-999' },
    expect: mismatch,
  },
  {
    name: 'task: expired beyond the clock tolerance',
    token: withSections({ task: task({ expires_at: at(-400) }) }),
    expect: taskExpired,
  },
  // §7.4: "the RS MUST reject tokens for tasks past their expiration" — the clock tolerance is for a future
  // `created_at` only
  {
    name: 'task: expired within what the clock tolerance was',
    token: withSections({ task: task({ expires_at: at(-240) }) }),
    expect: taskExpired,
  },
  {
    name: 'task: expires at the request time',
    token: withSections({ task: task({ expires_at: at(0) }) }),
    expect: taskExpired,
  },
  { name: 'task: expires in the future', token: withSections({ task: task({ expires_at: at(3600) }) }), expect: OK },
  {
    name: 'task: created in the future',
    token: withSections({ task: task({ created_at: at(400) }) }),
    expect: taskExpired,
  },
  {
    name: 'task: created within the clock tolerance',
    token: withSections({ task: task({ created_at: at(100) }) }),
    expect: OK,
  },
];

const excessive = forbidden('aap_excessive_delegation', 'delegation_depth_exceeded');
const badChain = forbidden('aap_invalid_delegation_chain', 'delegation_chain_invalid');
const delegated = withSections({ delegation: delegation(1, 2, [AGENT, 'tool-scraper']) });

const delegations: ConformanceCase[] = [
  { name: 'delegation: absent', token: withSections({ delegation: undefined }), expect: OK },
  { name: 'delegation: depth 1 of 2', token: delegated, expect: OK },
  {
    name: 'delegation: depth over max_depth',
    token: withSections({ delegation: delegation(3, 2, [AGENT, 'a', 'b', 'c']) }),
    expect: excessive,
  },
  {
    name: 'delegation: depth over the RS maximum',
    options: { delegation: { maxDepth: 0 } },
    token: delegated,
    expect: excessive,
  },
  {
    name: 'delegation: depth at the RS maximum',
    options: { delegation: { maxDepth: 1 } },
    token: delegated,
    expect: OK,
  },
  {
    name: "delegation: depth over the capability's max_depth",
    token: { ...delegated, capabilities: [{ action: 'search.web', constraints: { max_depth: 0 } }] },
    expect: excessive,
  },
  {
    name: "delegation: depth at the capability's max_depth",
    token: { ...delegated, capabilities: [{ action: 'search.web', constraints: { max_depth: 1 } }] },
    expect: OK,
  },
  {
    name: 'delegation: chain shorter than depth + 1',
    token: withSections({ delegation: delegation(2, 3, [AGENT, 'tool-a']) }),
    expect: badChain,
  },
  { name: 'delegation: empty chain', token: withSections({ delegation: delegation(1, 2, []) }), expect: badChain },
  {
    name: 'delegation: depth missing',
    token: withSections({ delegation: { max_depth: 2, chain: [AGENT] } }),
    expect: badChain,
  },
  {
    name: 'delegation: act nesting matches the chain (innermost = first actor)',
    token: { ...delegated, claims: { act: { sub: 'tool-scraper', act: { sub: AGENT } } } },
    expect: OK,
  },
  {
    name: 'delegation: act nesting reversed',
    token: { ...delegated, claims: { act: { sub: AGENT, act: { sub: 'tool-scraper' } } } },
    expect: badChain,
  },
  {
    name: 'delegation: untrusted actor in the chain',
    options: { delegation: { trustedActor: (actor) => actor !== 'tool-evil' } },
    token: withSections({ delegation: delegation(1, 2, [AGENT, 'tool-evil']) }),
    expect: badChain,
  },
  {
    name: 'delegation: every actor trusted',
    options: { delegation: { trustedActor: (actor) => actor !== 'tool-evil' } },
    token: delegated,
    expect: OK,
  },
];

// ---- 6. capability match and stateless constraints -------------------------------------------------

// RFC 6750 §3.1 as the MCP authorization spec expects of a valid token without the permission: `insufficient_scope`
// with RFC 9728 `resource_metadata`, and no `scope` parameter (it would name the route's action)
const insufficientScope =
  /^Bearer error="insufficient_scope", error_description="[^"]+", resource_metadata="https:\/\/[^"]+"$/;
const missing = forbidden('aap_invalid_capability', 'capability_missing', undefined, {
  'www-authenticate': insufficientScope,
});
const domainDenied = forbidden('aap_domain_not_allowed', 'domain_not_allowed');

const capabilities: ConformanceCase[] = [
  { name: 'capability: action not granted', route: { action: 'cms.publish' }, expect: missing },
  {
    name: 'capability: action names are case-sensitive',
    token: { capabilities: [{ action: 'search.Web' }] },
    expect: missing,
  },
  { name: 'capability: no prefix matching', token: { capabilities: [{ action: 'search' }] }, expect: missing },
  {
    name: 'capability: granted by a later capability',
    token: { capabilities: [{ action: 'cms.read' }, { action: 'search.web' }] },
    expect: OK,
  },
  {
    name: 'capability: OR across capabilities, the second one satisfied',
    token: {
      capabilities: [
        { action: 'search.web', constraints: { domains_allowed: ['example.org'] } },
        { action: 'search.web', constraints: { domains_allowed: ['wikipedia.org'] } },
      ],
    },
    request: { target: 'https://en.wikipedia.org/wiki/OAuth' },
    expect: OK,
  },
  {
    name: "capability: all fail, the first one's reason (method)",
    token: {
      capabilities: [
        { action: 'search.web', constraints: { allowed_methods: ['POST'] } },
        { action: 'search.web', constraints: { domains_allowed: ['example.org'] } },
      ],
    },
    request: { target: 'https://other.example.net/' },
    expect: violation('method_not_allowed'),
  },
  {
    name: "capability: all fail, the first one's reason (domain)",
    token: {
      capabilities: [
        { action: 'search.web', constraints: { domains_allowed: ['example.org'] } },
        { action: 'search.web', constraints: { allowed_methods: ['POST'] } },
      ],
    },
    request: { target: 'https://other.example.net/' },
    expect: domainDenied,
  },
  {
    name: 'capability: the first satisfied one supplies the rate limits',
    token: {
      capabilities: [
        { action: 'search.web', constraints: { allowed_methods: ['POST'], max_requests_per_minute: 5 } },
        { action: 'search.web', constraints: { max_requests_per_minute: 7 } },
      ],
    },
    expect: { status: 200, headers: { 'ratelimit-policy': /q=7;/ } },
  },
  {
    name: 'capability: both satisfied, the first one supplies the rate limits',
    token: {
      capabilities: [
        { action: 'search.web', constraints: { max_requests_per_minute: 5 } },
        { action: 'search.web', constraints: { max_requests_per_minute: 7 } },
      ],
    },
    expect: { status: 200, headers: { 'ratelimit-policy': /q=5;/ } },
  },
];

const allowOrg = (
  target: string | undefined,
  extra: Record<string, unknown> = {},
): Pick<ConformanceCase, 'token' | 'request'> => ({
  token: constrained({ domains_allowed: ['example.org'], ...extra }),
  request: target === undefined ? {} : { target },
});

const domains: ConformanceCase[] = [
  { name: 'domains: exact match', ...allowOrg('https://example.org/article'), expect: OK },
  {
    name: 'domains: subdomain matches on a label boundary',
    ...allowOrg('https://data.example.org/climate'),
    expect: OK,
  },
  { name: 'domains: suffix without a label boundary', ...allowOrg('https://badexample.org/'), expect: domainDenied },
  { name: 'domains: another domain', ...allowOrg('https://malicious.com/data'), expect: domainDenied },
  {
    name: 'domains: allowed domain as a subdomain of another',
    ...allowOrg('https://example.org.evil.com/'),
    expect: domainDenied,
  },
  { name: 'domains: target host is case-insensitive', ...allowOrg('https://DATA.Example.ORG/x'), expect: OK },
  {
    name: 'domains: entry is case-insensitive',
    token: constrained({ domains_allowed: ['Example.Org'] }),
    request: { target: 'https://example.org/' },
    expect: OK,
  },
  { name: 'domains: trailing dot on the target', ...allowOrg('https://example.org./x'), expect: OK },
  {
    name: 'domains: trailing dot on the entry',
    token: constrained({ domains_allowed: ['example.org.'] }),
    request: { target: 'https://www.example.org/' },
    expect: OK,
  },
  { name: 'domains: port and path ignored', ...allowOrg('https://example.org:8443/a/b?c=d'), expect: OK },
  { name: 'domains: bare host target', ...allowOrg('data.example.org'), expect: OK },
  {
    name: 'domains: userinfo does not fool the host',
    ...allowOrg('https://example.org@evil.com/'),
    expect: domainDenied,
  },
  {
    name: 'domains: IDN entry, punycode target',
    token: constrained({ domains_allowed: ['bücher.example'] }),
    request: { target: 'https://xn--bcher-kva.example/' },
    expect: OK,
  },
  {
    name: 'domains: punycode entry, IDN target',
    token: constrained({ domains_allowed: ['xn--bcher-kva.example'] }),
    request: { target: 'https://www.bücher.example/' },
    expect: OK,
  },
  { name: 'domains: IPv4 literal target', ...allowOrg('https://93.184.216.34/'), expect: domainDenied },
  // An IP literal is not a DNS name: the entry cannot be honoured as written, so the constraint denies everything.
  {
    name: 'domains: an IP-literal entry is unusable, fails closed',
    token: constrained({ domains_allowed: ['127.0.0.1'] }),
    request: { target: 'http://127.0.0.1/' },
    expect: domainDenied,
  },
  { name: 'domains: IPv6 literal target', ...allowOrg('http://[::1]/'), expect: domainDenied },
  { name: 'domains: no target on a constrained route fails closed', ...allowOrg(undefined), expect: domainDenied },
  {
    name: 'domains: blocked wins over allowed',
    ...allowOrg('https://evil.example.org/', { domains_blocked: ['evil.example.org'] }),
    expect: domainDenied,
  },
  {
    name: 'domains: blocked matches subdomains',
    token: constrained({ domains_blocked: ['example.com'] }),
    request: { target: 'https://a.b.example.com/' },
    expect: domainDenied,
  },
  {
    name: 'domains: blocked only, other target',
    token: constrained({ domains_blocked: ['example.com'] }),
    request: { target: 'https://example.org/' },
    expect: OK,
  },
];

const methods: ConformanceCase[] = [
  { name: 'methods: GET allowed', token: constrained({ allowed_methods: ['GET', 'POST'] }), expect: OK },
  {
    name: 'methods: GET not allowed',
    token: constrained({ allowed_methods: ['POST'] }),
    expect: violation('method_not_allowed'),
  },
  {
    name: 'methods: DELETE not allowed',
    token: constrained({ allowed_methods: ['GET'] }),
    request: { method: 'DELETE' },
    expect: violation('method_not_allowed'),
  },
  {
    name: 'methods: PUT allowed',
    token: constrained({ allowed_methods: ['PUT'] }),
    request: { method: 'PUT', body: 'x' },
    expect: OK,
  },
];

const tooLarge: Expectation = { status: 413, error: 'aap_constraint_violation', reason: 'request_too_large' };
const sized = constrained({ max_request_size: 10 });

const sizes: ConformanceCase[] = [
  {
    name: 'size: under the limit',
    token: sized,
    request: { method: 'POST', body: '12345' },
    expect: { status: 200, body: { received: 5 } },
  },
  {
    name: 'size: exactly the limit',
    token: sized,
    request: { method: 'POST', body: '1234567890' },
    expect: { status: 200, body: { received: 10 } },
  },
  {
    name: 'size: Content-Length over the limit',
    token: sized,
    request: { method: 'POST', body: 'x'.repeat(100) },
    expect: tooLarge,
  },
  {
    name: 'size: chunked body under the limit',
    token: sized,
    request: { method: 'POST', body: '12345', chunked: true },
    expect: { status: 200, body: { received: 5 } },
  },
  {
    name: 'size: chunked body over the limit while streaming',
    token: sized,
    request: { method: 'POST', body: 'x'.repeat(100), chunked: true },
    expect: tooLarge,
  },
  {
    name: 'size: a zero-padded Content-Length is its number (RFC 9110 §8.6)',
    token: sized,
    request: { method: 'POST', body: 'x'.repeat(100), headers: { 'content-length': '0000000000000000100' } },
    expect: tooLarge,
  },
  {
    name: 'size: a zero-padded Content-Length within the limit',
    token: sized,
    request: { method: 'POST', body: '12345', headers: { 'content-length': '00005' } },
    expect: { status: 200, body: { received: 5 } },
  },
];

const encrypted = constrained({ require_encryption: true });

const encryption: ConformanceCase[] = [
  { name: 'encryption: required, refused over cleartext', token: encrypted, expect: violation() },
  {
    name: 'encryption: an absolute-form https target over a cleartext socket is still cleartext (RFC 9112 §3.2.2)',
    token: encrypted,
    request: { absoluteForm: 'https://api.example.com' },
    expect: violation(),
  },
  {
    name: "encryption: a trusted proxy's X-Forwarded-Proto https",
    options: { trustProxy: ['127.0.0.1'] },
    token: encrypted,
    request: { headers: { 'x-forwarded-proto': 'https' } },
    expect: OK,
  },
  {
    name: "encryption: an untrusted peer's X-Forwarded-Proto is ignored",
    token: encrypted,
    request: { headers: { 'x-forwarded-proto': 'https' } },
    expect: violation(),
  },
  {
    name: 'encryption: a trusted proxy saying http',
    options: { trustProxy: ['127.0.0.1'] },
    token: encrypted,
    request: { headers: { forwarded: 'proto=http' } },
    expect: violation(),
  },
];

const expired = forbidden('aap_capability_expired', 'capability_expired');
const outOfContext = forbidden('aap_invalid_context', 'context_violation');

const windows: ConformanceCase[] = [
  { name: 'time_window: inside', token: constrained({ time_window: span(-3600, 3600) }), expect: OK },
  { name: 'time_window: ended', token: constrained({ time_window: span(-7200, -3600) }), expect: expired },
  { name: 'time_window: not started', token: constrained({ time_window: span(3600, 7200) }), expect: expired },
  { name: 'time_window: start is inclusive', token: constrained({ time_window: span(0, 3600) }), expect: OK },
  { name: 'time_window: end is exclusive', token: constrained({ time_window: span(-3600, 0) }), expect: expired },
  {
    name: 'context.time_window: inside',
    token: withSections({ context: { time_window: span(-3600, 3600) } }),
    expect: OK,
  },
  {
    name: 'context.time_window: ended',
    token: withSections({ context: { time_window: span(-7200, -3600) } }),
    expect: outOfContext,
  },
  {
    name: 'context.time_window: not started',
    token: withSections({ context: { time_window: span(3600, 7200) } }),
    expect: outOfContext,
  },
];

const classification: ConformanceCase[] = [
  {
    name: 'classification: route below the maximum',
    route: { action: 'search.web', classification: 'public' },
    token: constrained({ data_classification_max: 'internal' }),
    expect: OK,
  },
  {
    name: 'classification: route at the maximum',
    route: { action: 'search.web', classification: 'internal' },
    token: constrained({ data_classification_max: 'internal' }),
    expect: OK,
  },
  {
    name: 'classification: route above the maximum',
    route: { action: 'search.web', classification: 'confidential' },
    token: constrained({ data_classification_max: 'internal' }),
    expect: violation(),
  },
  {
    name: 'classification: personal ranks as restricted',
    route: { action: 'search.web', classification: 'personal' },
    token: constrained({ data_classification_max: 'confidential' }),
    expect: violation(),
  },
];

const ranges = (list: readonly string[]) => constrained({ ip_ranges_allowed: list });

/**
 * `ip_ranges_allowed` read as the caller's address (`constraints.ipRanges: 'caller'`); the destination reading is in
 * cases-destination.ts.
 */
const callerIps: ConformanceCase[] = [
  { name: 'ip_ranges: peer address in range', token: ranges(['127.0.0.0/8']), expect: OK },
  { name: 'ip_ranges: single address range', token: ranges(['127.0.0.1/32']), expect: OK },
  {
    name: 'ip_ranges: X-Forwarded-For ignored without trustProxy',
    token: ranges(['203.0.113.0/24']),
    request: { headers: via('203.0.113.7') },
    expect: violation(),
  },
  {
    name: 'ip_ranges: forwarded address from a trusted proxy',
    options: { trustProxy: ['127.0.0.1'] },
    token: ranges(['203.0.113.0/24']),
    request: { headers: via('203.0.113.7') },
    expect: OK,
  },
  {
    name: 'ip_ranges: forwarded address out of range',
    options: { trustProxy: true },
    token: ranges(['203.0.113.0/24']),
    request: { headers: via('198.51.100.7') },
    expect: violation(),
  },
  {
    name: 'ip_ranges: a client-supplied leftmost entry is not the client',
    options: { trustProxy: ['127.0.0.1'] },
    token: ranges(['203.0.113.0/24']),
    request: { headers: via('203.0.113.7, 198.51.100.9') },
    expect: violation(),
  },
  {
    name: 'ip_ranges: IPv6 in range',
    options: { trustProxy: true },
    token: ranges(['2001:db8::/32']),
    request: { headers: via('2001:db8::7') },
    expect: OK,
  },
  { name: 'ip_ranges: malformed range fails closed', token: ranges(['not-a-cidr']), expect: violation() },
  {
    name: 'ip_ranges: IPv6 out of range',
    options: { trustProxy: true },
    token: ranges(['2001:db8::/32']),
    request: { headers: via('2001:db9::1') },
    expect: violation(),
  },
];
const ips: ConformanceCase[] = callerIps.map((c) => ({
  ...c,
  name: c.name.replace('ip_ranges:', 'ip_ranges (caller):'),
  options: { ...c.options, constraints: { ipRanges: 'caller' } },
}));

const zone = (name: string): TokenSpec => withSections({ context: { network_zone: name } });

const zones: ConformanceCase[] = [
  {
    name: 'network_zone: client in the zone',
    options: { constraints: { networkZones: { corp: ['127.0.0.0/8'] } } },
    token: zone('corp'),
    expect: OK,
  },
  {
    name: 'network_zone: client outside the zone',
    options: { constraints: { networkZones: { corp: ['10.0.0.0/8'] } } },
    token: zone('corp'),
    expect: outOfContext,
  },
  {
    name: 'network_zone: unknown zone',
    options: { constraints: { networkZones: { corp: ['127.0.0.0/8'] } } },
    token: zone('dmz'),
    expect: outOfContext,
  },
  { name: 'network_zone: no zones configured', token: zone('corp'), expect: outOfContext },
  {
    name: 'network_zone: forwarded client of a trusted proxy',
    options: { trustProxy: true, constraints: { networkZones: { corp: ['10.0.0.0/8'] } } },
    token: zone('corp'),
    request: { headers: via('10.1.2.3') },
    expect: OK,
  },
];

const geo = (restriction: unknown): TokenSpec => withSections({ context: { geo_restriction: restriction } });

// §7.8 "The RS MUST apply additional checks for geo or network restrictions when provided": a restriction
// the guard cannot resolve is refused, as `allowed_regions` is; "none" (the draft's example) restricts nothing.
const geos: ConformanceCase[] = [
  { name: 'geo_restriction: none', token: geo('none'), expect: OK },
  { name: 'geo_restriction: a region, no resolver configured', token: geo('US'), expect: outOfContext },
  {
    name: 'geo_restriction: a value the guard cannot read',
    options: { constraints: { region: () => 'US' } },
    token: geo('eu-only'),
    expect: outOfContext,
  },
  {
    name: 'geo_restriction: resolved region in the list',
    options: { constraints: { region: () => 'CA' } },
    token: geo(['US', 'CA']),
    expect: OK,
  },
  {
    name: 'geo_restriction: resolved region not in the list',
    options: { constraints: { region: () => 'DE' } },
    token: geo('US'),
    expect: outOfContext,
  },
  {
    name: 'geo_restriction: region unknown',
    options: { constraints: { region: () => undefined } },
    token: geo('US'),
    expect: outOfContext,
  },
  {
    name: 'context.location describes the agent, restricts nothing',
    token: withSections({ context: { location: { region: 'DE' } } }),
    expect: OK,
  },
];

const regionOf = (region: string | undefined) => ({ constraints: { region: () => region } });
const regioned = constrained({ allowed_regions: ['US', 'CA'] });

const regions: ConformanceCase[] = [
  { name: 'regions: resolved region allowed', options: regionOf('CA'), token: regioned, expect: OK },
  { name: 'regions: resolved region not allowed', options: regionOf('DE'), token: regioned, expect: violation() },
  { name: 'regions: region unknown', options: regionOf(undefined), token: regioned, expect: violation() },
  { name: 'regions: no resolver configured', token: regioned, expect: violation() },
  {
    name: 'regions: resolver sees the client address after proxy resolution',
    options: { trustProxy: true, constraints: { region: (_request, ip) => (ip === '203.0.113.7' ? 'US' : undefined) } },
    token: regioned,
    request: { headers: via('203.0.113.7') },
    expect: OK,
  },
];

const draftOnly = constrained({ status: 'draft_only' });
const isDraftOnly = (value: unknown): boolean => value === 'draft_only';
const isPost = (_value: unknown, input: ConstraintInput): boolean => input.request.method.toUpperCase() === 'POST';

const handlers: ConformanceCase[] = [
  {
    name: 'custom constraint: guard handler accepts',
    options: { constraints: { handlers: { status: isDraftOnly } } },
    token: draftOnly,
    expect: OK,
  },
  {
    name: 'custom constraint: guard handler refuses',
    options: { constraints: { handlers: { status: () => false } } },
    token: draftOnly,
    expect: violation(),
  },
  {
    name: 'custom constraint: route handler accepts',
    route: { action: 'search.web', constraints: { status: isDraftOnly } },
    token: draftOnly,
    expect: OK,
  },
  {
    name: 'custom constraint: route handler refuses',
    route: { action: 'search.web', constraints: { status: () => false } },
    token: draftOnly,
    expect: violation(),
  },
  {
    name: 'custom constraint: handler sees the request',
    route: { action: 'search.web', constraints: { status: isPost } },
    token: draftOnly,
    expect: violation(),
  },
  { name: 'custom constraint: nobody understands it', token: draftOnly, expect: violation('constraint_unknown') },
  {
    name: 'custom constraint: unknown ignored by option',
    options: { constraints: { unknown: 'ignore' } },
    token: draftOnly,
    expect: OK,
  },
  {
    name: 'custom constraint: unknown on another capability does not matter',
    token: {
      capabilities: [{ action: 'search.web' }, { action: 'cms.publish', constraints: { status: 'draft_only' } }],
    },
    expect: OK,
  },
];

// ---- 7. oversight -------------------------------------------------------------------------------

const REFERENCE = 'https://approvals.example.com/policies/7';

/** `authRequired: false`: an API that also serves clients that are not agents. */
const coexist = { authRequired: false } as const;
const anonymous = { authorization: null };
/** No AAP credential where one is needed: 401 with a challenge that names no error (RFC 6750 §3.1). */
const noCredential: Expectation = {
  status: 401,
  reason: 'credentials_missing',
  headers: { 'www-authenticate': /^Bearer(?![^,]*error=)/ },
};
/** The app's own API keys: `Bearer sk_…`. */
const appCredentials = ({ scheme, token }: { readonly scheme: string; readonly token: string }): boolean =>
  scheme === 'Bearer' && token.startsWith('sk_');

const coexistence: ConformanceCase[] = [
  {
    name: 'coexistence: no credential goes on untouched, without a principal',
    options: coexist,
    request: { headers: { authorization: null } },
    expect: { status: 200, body: { action: null } },
  },
  {
    name: 'coexistence: another scheme goes on untouched',
    options: coexist,
    request: { headers: { authorization: 'Basic dXNlcjpwYXNz' } },
    expect: { status: 200, body: { action: null } },
  },
  {
    name: 'coexistence: an API key header goes on untouched',
    options: coexist,
    request: { headers: { authorization: null, 'x-api-key': 'k-1' } },
    expect: { status: 200, body: { action: null } },
  },
  {
    name: 'coexistence: a valid agent token is checked and authorized',
    options: coexist,
    expect: { status: 200, body: { action: 'search.web' } },
  },
  {
    name: 'coexistence: a failing agent token is refused, never passed through',
    options: coexist,
    token: expiredClaims(at(-3600)),
    expect: unauthorized('token_expired'),
  },
  {
    name: 'coexistence: a malformed Bearer header is refused',
    options: coexist,
    request: { headers: { authorization: 'Bearer' } },
    expect: badRequest('authorization_malformed'),
  },
  {
    name: 'coexistence: an agent token without the capability is refused',
    options: coexist,
    token: { capabilities: [{ action: 'cms.publish' }] },
    expect: forbidden('aap_invalid_capability', 'capability_missing'),
  },
  {
    name: 'coexistence: a DPoP proof without a token is refused',
    options: coexist,
    request: { headers: { authorization: null, dpop: 'eyJ0eXAiOiJkcG9wK2p3dCJ9.e30.c2ln' } },
    expect: { status: 401, reason: 'credentials_missing' },
  },
  // A declared route admits only agents for unsafe methods unless it says otherwise (`agentsOnly`).
  {
    name: 'coexistence: an anonymous write to a declared route is refused by default',
    options: coexist,
    request: { method: 'POST', body: 'x', headers: anonymous },
    expect: noCredential,
  },
  {
    name: 'coexistence: agentsOnly: false passes an anonymous write to the app',
    options: coexist,
    route: { action: 'search.web', agentsOnly: false },
    request: { method: 'POST', body: 'x', headers: anonymous },
    expect: { status: 200, body: { action: null, received: 1 } },
  },
  {
    name: 'coexistence: agentsOnly: true refuses an anonymous read',
    options: coexist,
    route: { action: 'search.web', agentsOnly: true },
    request: { headers: anonymous },
    expect: noCredential,
  },
  {
    name: 'coexistence: an agent token on an agentsOnly route is checked and authorized',
    options: coexist,
    route: { action: 'search.web', agentsOnly: true },
    request: { method: 'POST', body: 'x' },
    expect: { status: 200, body: { action: 'search.web' } },
  },
  // `appCredentials`: the app's own API keys in `Authorization: Bearer` are told apart, never parsed as tokens.
  {
    name: 'app credentials: a key the predicate recognizes goes on untouched (never token_malformed)',
    options: { ...coexist, appCredentials },
    request: { headers: { authorization: 'Bearer sk_live_1234' } },
    expect: { status: 200, body: { action: null } },
  },
  {
    name: 'app credentials: an agent token beside the predicate is checked in full',
    options: { ...coexist, appCredentials },
    expect: { status: 200, body: { action: 'search.web' } },
  },
  {
    name: 'app credentials: refused on an agentsOnly route',
    options: { ...coexist, appCredentials },
    route: { action: 'search.web', agentsOnly: true },
    request: { headers: { authorization: 'Bearer sk_live_1234' } },
    expect: noCredential,
  },
  {
    name: 'app credentials: refused on a write by default',
    options: { ...coexist, appCredentials },
    request: { method: 'POST', body: 'x', headers: { authorization: 'Bearer sk_live_1234' } },
    expect: noCredential,
  },
  {
    name: 'app credentials: with authRequired, refused as no AAP credential',
    options: { appCredentials },
    request: { headers: { authorization: 'Bearer sk_live_1234' } },
    expect: noCredential,
  },
];

const oversights: ConformanceCase[] = [
  {
    name: 'oversight: action requires approval, with reference',
    token: oversight(['search.web', 'cms.publish'], REFERENCE),
    expect: forbidden('aap_approval_required', 'approval_required', { approval_reference: REFERENCE }),
  },
  {
    name: 'oversight: action requires approval, no reference',
    token: oversight(['search.web']),
    expect: forbidden('aap_approval_required', 'approval_required', { approval_reference: undefined }),
  },
  { name: 'oversight: other actions only', token: oversight(['cms.publish'], REFERENCE), expect: OK },
  {
    name: "oversight: the draft's requires_approval_for is honoured (alias)",
    token: withSections({ oversight: { requires_approval_for: ['search.web'], approval_reference: REFERENCE } }),
    expect: forbidden('aap_approval_required', 'approval_required', { approval_reference: REFERENCE }),
  },
  {
    name: 'oversight: both member names, as a union',
    token: withSections({
      oversight: { requires_human_approval_for: ['cms.publish'], requires_approval_for: ['search.web'] },
    }),
    expect: forbidden('aap_approval_required', 'approval_required'),
  },
  { name: 'oversight: exact, case-sensitive action', token: oversight(['search.Web'], REFERENCE), expect: OK },
];

// ---- adapters: undeclared routes; pipeline order -------------------------------------------------

const routes: ConformanceCase[] = [
  // no insufficient_scope here: no token could authorize an undeclared route, so a client must not step up
  {
    name: 'route: undeclared denied by default',
    route: null,
    expect: forbidden('aap_invalid_capability', 'route_undeclared', undefined, { 'www-authenticate': null }),
  },
  {
    name: 'route: undeclared denied when configured',
    options: { undeclared: 'deny' },
    route: null,
    expect: forbidden('aap_invalid_capability', 'route_undeclared'),
  },
  { name: 'route: undeclared allowed, authenticated only', options: { undeclared: 'allow' }, route: null, expect: OK },
  {
    name: 'route: undeclared and no credentials, 401 first',
    options: { undeclared: 'deny' },
    route: null,
    request: { headers: { authorization: null } },
    expect: { status: 401, reason: 'credentials_missing' },
  },
];

const order: ConformanceCase[] = [
  {
    name: 'order: token lifetime before capability',
    route: { action: 'cms.publish' },
    token: expiredClaims(at(-3600)),
    expect: unauthorized('token_expired'),
  },
  {
    name: 'order: agent policy before capability',
    options: { agents: { deny: [AGENT] } },
    route: { action: 'cms.publish' },
    expect: notRecognized,
  },
  {
    name: 'order: delegation before capability',
    route: { action: 'cms.publish' },
    token: withSections({ delegation: delegation(3, 2, [AGENT, 'a', 'b', 'c']) }),
    expect: excessive,
  },
  {
    name: 'order: capability before oversight',
    route: { action: 'cms.publish' },
    token: oversight(['cms.publish'], REFERENCE),
    expect: missing,
  },
  {
    name: 'order: constraints before oversight',
    token: {
      ...oversight(['search.web'], REFERENCE),
      capabilities: [{ action: 'search.web', constraints: { allowed_methods: ['POST'] } }],
    },
    expect: violation('method_not_allowed'),
  },
];

/** The whole table, in pipeline order. */
export const CASES: readonly ConformanceCase[] = Object.freeze([
  ...credentials,
  ...token,
  ...popCases,
  ...revocationCases,
  ...agents,
  ...tasks,
  ...delegations,
  ...capabilities,
  ...domains,
  ...methods,
  ...sizes,
  ...bodyCases,
  ...encryption,
  ...windows,
  ...classification,
  ...ips,
  ...destinationCases,
  ...reportOnlyCases,
  ...zones,
  ...geos,
  ...regions,
  ...handlers,
  ...coexistence,
  ...oversights,
  ...holdCases,
  ...limitCases,
  ...routes,
  ...order,
]);
