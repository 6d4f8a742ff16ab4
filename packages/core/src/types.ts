import type { AapClaims, Capability } from './claims/model.js';
import type { AuditEvent } from './audit/event.js';
import type { ReasonCode, SpecError } from './deny/reasons.js';
import type { Store } from './stores/store.js';
import type { Hold } from './stores/holds.js';
import type { CryptoKey, JWK, KeyObject } from 'jose';
import type { Logger } from './observe/logger.js';

/**
 * A framework-free view of one HTTP request. Adapters build it; the core never sees a framework object.
 *
 * @example
 * const info: RequestInfo = {
 *   method: 'POST',
 *   url: 'https://api.example.com/v1/search?q=x',
 *   headers: { authorization: 'Bearer eyJ…' },
 *   target: 'https://en.wikipedia.org/wiki/OAuth',
 * };
 */
export interface RequestInfo {
  /** HTTP method, any case (normalized to upper case). */
  readonly method: string;
  /** Absolute URL as the client addressed it (scheme, host, path, query). */
  readonly url: string;
  /**
   * Request headers with lower-case names. A header sent several times is an array
   * (Node's `IncomingMessage.headersDistinct` shape) or a comma-joined string.
   */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The URL or host the agent wants the route to act on (for `domains_allowed` / `domains_blocked`). */
  readonly target?: string | undefined;
  /** Declared request body size in bytes (Content-Length), when known. */
  readonly contentLength?: number | undefined;
  /** Address of the TCP peer (the adapter's socket address; proxies are resolved by the core). */
  readonly clientIp?: string | undefined;
  /** DER bytes of the TLS client certificate presented on this connection, if any (RFC 8705). */
  readonly clientCertificate?: Uint8Array | undefined;
  /** Route parameters, when the framework knows them (for task-id binding). */
  readonly params?: Readonly<Record<string, string | undefined>> | undefined;
  /** SHA-256 digest (base64url) of the request body, when the adapter has it (oversight holds). */
  readonly bodyDigest?: string | undefined;
  /**
   * Set by adapters when a parsed form body carries `access_token` (RFC 6750 §2.2): the guard refuses it,
   * an access token must come in the Authorization header only.
   */
  readonly bodyAccessToken?: boolean | undefined;
}

/** Ordered sensitivity/classification levels: public < internal < confidential < restricted (= personal). */
export type DataLevel = 'public' | 'internal' | 'confidential' | 'restricted' | 'personal';

/**
 * What a route does, declared by the API owner. Compiled once by `guard.route()`.
 *
 * @example
 * const search: RouteSpec = { action: 'search.web', purposes: ['research'], classification: 'public' };
 */
export interface RouteSpec {
  /** The AAP action this route performs (must match the action ABNF). */
  readonly action: string;
  /** Task purposes allowed on this route; absent = any purpose. */
  readonly purposes?: readonly string[] | undefined;
  /** Highest `task.data_sensitivity` this route accepts; absent = no ceiling. */
  readonly maxSensitivity?: DataLevel | undefined;
  /** Classification of the data this route serves (checked against `data_classification_max`). */
  readonly classification?: DataLevel | undefined;
  /** Bind `task.id` to a request value: a header name (`header:x-task-id`) or route parameter (`param:taskId`). */
  readonly taskIdFrom?: `header:${string}` | `param:${string}` | undefined;
  /** Per-route override of the DPoP requirement. */
  readonly dpop?: DpopMode | undefined;
  /** Handlers for application-specific constraints on this route, by constraint name. */
  readonly constraints?: Readonly<Record<string, ConstraintHandler>> | undefined;
}

/** Whether a DPoP proof is demanded: `optional` still enforces it for DPoP-bound tokens (RFC 9449 §7.1). */
export type DpopMode = 'required' | 'optional' | 'disabled';

/**
 * A handler for an application-specific constraint (e.g. `status: "draft_only"`).
 * Return `true` to accept, `false` to deny with `aap_constraint_violation`.
 */
export type ConstraintHandler = (value: unknown, input: ConstraintInput) => boolean;

/** What a constraint handler may look at. */
export interface ConstraintInput {
  readonly request: RequestInfo;
  readonly claims: AapClaims;
  readonly capability: Capability;
}

/** The verified caller, attached by adapters as `req.aap` / `request.aap` / `ctx.state.aap`. */
export interface Principal {
  /** Normalized AAP claims of the verified token. */
  readonly claims: AapClaims;
  /** Scheme the token came with. */
  readonly scheme: 'Bearer' | 'DPoP';
  /** The capability that authorized the route's action, once a route was authorized. */
  readonly capability?: Capability | undefined;
  /** The action authorized, once a route was authorized. */
  readonly action?: string | undefined;
}

/**
 * The outcome of `guard.check()`: a value, never an exception.
 *
 * @example
 * const d = await guard.check(info, { action: 'search.web' });
 * if (!d.allowed) res.writeHead(d.status, d.headers).end(JSON.stringify(d.body));
 */
export interface Decision {
  readonly allowed: boolean;
  /** 200 on allow; 401 | 403 | 413 | 429 | 503 on deny. */
  readonly status: number;
  /** Spec error code on deny (RFC 6749 §5.2 / RFC 6750 §3.1 / AAP appendix C). */
  readonly error?: SpecError | undefined;
  /** Stable fine-grained reason code on deny. */
  readonly reason?: ReasonCode | undefined;
  /** Response headers to set (WWW-Authenticate, Retry-After, RateLimit…, DPoP-Nonce). */
  readonly headers: Readonly<Record<string, string>>;
  /** JSON body to send on deny; privacy-preserving. */
  readonly body?: DenyBody | undefined;
  /** Normalized claims (present on allow, and on denies after the token was verified). */
  readonly claims?: AapClaims | undefined;
  /** The verified principal (present on allow). */
  readonly principal?: Principal | undefined;
  /** Per-request response limits the adapter enforces (e.g. `max_response_size`). */
  readonly limits?: ResponseLimits | undefined;
  /** The audit event emitted for this decision. */
  readonly audit: AuditEvent;
}

/** Limits the adapter enforces while streaming. */
export interface ResponseLimits {
  /** Cut the response off after this many bytes. */
  readonly maxResponseSize?: number | undefined;
  /** Abort the request body after this many bytes (no Content-Length sent). */
  readonly maxRequestSize?: number | undefined;
}

/** Deny body per RFC 6749 §5.2: generic description, stable reason, nothing about policy values. */
export interface DenyBody {
  readonly error: SpecError;
  readonly error_description: string;
  readonly reason: ReasonCode;
  readonly approval_reference?: string | undefined;
  readonly hold_id?: string | undefined;
}

/**
 * An audit sink: receives one event per decision. A sink that throws or returns a rejected promise never
 * changes a decision; the failure is reported once through `options.logger`. A returned promise is only
 * watched for rejection (the guard never waits for it).
 */
export type AuditSink = (event: AuditEvent) => unknown;

/** A JSON Web Key Set given locally. */
export interface LocalJwks {
  readonly keys: readonly Record<string, unknown>[];
}

/** A remote JWKS endpoint. */
export interface RemoteJwks {
  readonly uri: string;
  /** Fetch timeout in ms (default 5000). */
  readonly timeoutMs?: number | undefined;
  /** Minimum ms between refetches on an unknown `kid` (default 30000). */
  readonly cooldownMs?: number | undefined;
  /** How long a fetched JWKS is fresh, in ms (default 600000; capped at 24 h per the spec). */
  readonly cacheMaxAgeMs?: number | undefined;
}

/**
 * A key lookup of your own: receives the token's verified-to-be-well-formed protected header (use `kid`/`alg`)
 * and the token, returns the verification key. Throw `InfrastructureError('jwks_unavailable', …)` for an
 * outage (503); any other throw means "no key for this token" (401 `token_key_unknown`).
 */
export type KeyFunction = (
  protectedHeader: Readonly<Record<string, unknown>>,
  token: string,
) => Promise<CryptoKey | KeyObject | JWK> | CryptoKey | KeyObject | JWK;

/** Key set for access-token signatures: a local JWKS, a remote JWKS, or a key function. */
export type JwksOption = LocalJwks | RemoteJwks | KeyFunction;

/** Trusted-proxy setting: which peers may set X-Forwarded-* / Forwarded / Client-Cert headers. */
export type TrustProxy = boolean | readonly string[] | ((ip: string) => boolean);

/**
 * Options of `createGuard()`. Only issuer, audience and a key source are required.
 *
 * @example
 * createGuard({ issuer: 'https://as.example.com', audience: 'https://api.example.com',
 *               jwks: { uri: 'https://as.example.com/jwks' } });
 */
export interface GuardOptions {
  /** Trusted issuer(s); compared exactly with `iss`. */
  readonly issuer: string | readonly string[];
  /** This resource server's identifier(s); one must appear in `aud`. */
  readonly audience: string | readonly string[];
  /** Key source; when absent, discovered from the (single) issuer's RFC 8414 metadata. */
  readonly jwks?: JwksOption | undefined;
  /** Allowed JWS algorithms for access tokens (default: asymmetric RS/PS/ES/EdDSA). */
  readonly algorithms?: readonly string[] | undefined;
  /** Require `typ: at+jwt` (RFC 9068 §2.1). Default false. */
  readonly requireTyp?: boolean | undefined;
  /** Seconds of tolerance for `exp`/`nbf`/`iat` only (default 300, maximum 300 per the draft). */
  readonly clockTolerance?: number | undefined;
  /** Injectable clock in ms. */
  readonly now?: (() => number) | undefined;
  /** Shared state: rate limits, DPoP replay, holds, revocations. Default `memoryStore()`. */
  readonly store?: Store | undefined;
  /** Audit sink. */
  readonly audit?: AuditSink | undefined;
  /**
   * Where infrastructure events are logged (JWKS, store, audit sink failures and recoveries): any
   * pino-compatible logger, or `false` for none. Default: JSON lines on stderr at `warn`.
   */
  readonly logger?: Logger | false | undefined;
  /** Log one line per decision at `debug` (also on with `NODE_DEBUG=aap-guard`). Default false. */
  readonly debug?: boolean | undefined;
  /** Maximum access token size in bytes before parsing (default 16384). */
  readonly maxTokenSize?: number | undefined;
  /** Entries in the verified-token cache (default 10000; 0 disables). */
  readonly tokenCacheSize?: number | undefined;
  /** RFC 9728 protected resource metadata URL, advertised in WWW-Authenticate. */
  readonly resourceMetadata?: string | undefined;
  /** Which peers are trusted proxies (default false: none). */
  readonly trustProxy?: TrustProxy | undefined;
  /** Public base URL of this API (for DPoP `htu`), e.g. `https://api.example.com`. */
  readonly publicUrl?: string | undefined;
  /** Store faults (rate limits, DPoP replay, revocation sync) → 503 by default; `open` admits instead. JWKS outages and holds always fail closed. */
  readonly onStoreError?: 'closed' | 'open' | undefined;
  /** DPoP (RFC 9449) settings. */
  readonly dpop?: DpopOptions | undefined;
  /** Agent policy (allow/deny lists, attestation). */
  readonly agents?: AgentPolicy | undefined;
  /** Resource-server delegation policy. */
  readonly delegation?: DelegationPolicy | undefined;
  /** Rate-limit behaviour. */
  readonly rateLimit?: RateLimitOptions | undefined;
  /** Constraint handling (unknown constraints, app-specific handlers, zones, regions). */
  readonly constraints?: ConstraintOptions | undefined;
  /** Human-oversight holds. */
  readonly oversight?: OversightOptions | undefined;
  /** Revocation: default lifetime of entries, lineage cache of delegated tokens. */
  readonly revocation?: RevocationOptions | undefined;
  /** What to do on a route with no declaration (adapters): default `allow` (authenticate only). */
  readonly undeclared?: 'allow' | 'deny' | undefined;
}

/** DPoP settings (RFC 9449). */
export interface DpopOptions {
  /** Global requirement (default `optional`: enforced for DPoP-bound tokens only). */
  readonly mode?: DpopMode | undefined;
  /** Allowed proof algorithms (default ES256, ES384, ES512, RS256, PS256, EdDSA). */
  readonly algorithms?: readonly string[] | undefined;
  /** Seconds a proof's `iat` may lie in the past (default 60). */
  readonly maxAge?: number | undefined;
  /** Seconds a proof's `iat` may lie in the future (default 5). */
  readonly leeway?: number | undefined;
  /** Server nonces (RFC 9449 §9): stateless, HMAC over a time bucket. */
  readonly nonce?: { readonly secret: string | Uint8Array; readonly lifetime?: number | undefined } | undefined;
}

/** Which agents may call at all (spec "Agent Identity Validation"). */
export interface AgentPolicy {
  readonly allow?: readonly string[] | undefined;
  readonly deny?: readonly string[] | undefined;
  readonly operators?: readonly string[] | undefined;
  readonly deniedOperators?: readonly string[] | undefined;
  readonly deniedModels?: readonly string[] | undefined;
  readonly requireAttested?: boolean | undefined;
}

/** Resource-server delegation policy (spec "Delegation Chain Validation"). */
export interface DelegationPolicy {
  /** RS-wide maximum depth, applied on top of the token's own `max_depth`. */
  readonly maxDepth?: number | undefined;
  /** Predicate over chain entries: an untrusted actor denies the request. */
  readonly trustedActor?: ((actor: string) => boolean) | undefined;
}

/** Window semantics: `sliding` never admits more than N in any interval; `fixed` uses clock-aligned UTC buckets. */
export type RateLimitMode = 'sliding' | 'fixed';

/** The window lengths of the `max_<noun>_per_<unit>` constraints. */
export type WindowUnit = 'minute' | 'hour' | 'day';

/** Rate-limit behaviour. */
export interface RateLimitOptions {
  /**
   * `sliding` (default): never more than N in any interval; `fixed`: clock-aligned buckets. Or per unit —
   * the spec's own table is `{ minute: 'sliding', hour: 'fixed', day: 'fixed' }`.
   */
  readonly mode?: RateLimitMode | { readonly [unit in WindowUnit]?: RateLimitMode } | undefined;
  /** Whose budget a request consumes: the token (`jti`, default, per the spec), agent, task, or a function. */
  readonly key?: 'jti' | 'agent' | 'task' | ((claims: AapClaims) => string) | undefined;
  /** Send RateLimit headers on allowed responses too (default true). */
  readonly headersOnAllow?: boolean | undefined;
}

/** Constraint handling. */
export interface ConstraintOptions {
  /** A constraint nobody understands: `deny` (default; never grant more than the token says) or `ignore`. */
  readonly unknown?: 'deny' | 'ignore' | undefined;
  /** Handlers for application-specific constraints, by name. */
  readonly handlers?: Readonly<Record<string, ConstraintHandler>> | undefined;
  /** Network zones by name → CIDR lists, for `context.network_zone`. */
  readonly networkZones?: Readonly<Record<string, readonly string[]>> | undefined;
  /** Resolve the ISO 3166-1 alpha-2 region of a request, for `allowed_regions`. */
  readonly region?: ((request: RequestInfo, clientIp: string | undefined) => string | undefined) | undefined;
}

/** Human-oversight holds. */
export interface OversightOptions {
  /** Seconds a hold stays valid (default 3600). */
  readonly holdTtl?: number | undefined;
  /** Build an approval URL for a hold (otherwise the token's `approval_reference`). */
  readonly approvalUrl?: ((hold: Hold) => string) | undefined;
  /** Notify the outside world of a new hold; failures are swallowed. */
  readonly onHold?: ((hold: Hold) => void | Promise<void>) | undefined;
  /** What a retry must share with the held request: the same token (default) or the same agent and task. */
  readonly match?: 'token' | 'agent-task' | undefined;
}

/** Revocation settings. */
export interface RevocationOptions {
  /**
   * Seconds a revocation stays in force when `revoke()` is given no `until` (default 86400: one day,
   * longer than any access token this guard should accept; revoke with an explicit `until` past the
   * `exp` of longer-lived tokens). Entries are dropped after `until`.
   */
  readonly defaultTtl?: number | undefined;
  /**
   * Delegated tokens whose ancestors (learned from the store's lineage in one call at first sight) each
   * replica caches, so that descendants of a revoked token are denied with Map lookups (default 10000;
   * 0: no lineage, only the token's own `parent_jti` is checked).
   */
  readonly lineageSize?: number | undefined;
}
