import type { AapClaims } from '../claims/model.js';
import type { AuditEvent } from '../audit/event.js';
import type { Store } from '../stores/store.js';
import type { Hold } from '../stores/holds.js';
import type { CryptoKey, JWK, KeyObject } from 'jose';
import type { Logger } from '../log/logger.js';
import type { RequestInfo } from './request.js';
import type { ConstraintHandler, DpopMode, PopRequirement } from './route.js';
import type { PolicyName } from '../deny/reasons.js';

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
  /**
   * How long a fetched JWKS is fresh, in ms, when its response has no `Cache-Control: max-age` or
   * `Expires` (default 600000; at most 24 h). A response that has one is fresh for that long, within 5 min … 24 h.
   */
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

/**
 * A trusted issuer with keys of its own: a token naming this issuer is verified with these keys only.
 * Without `jwks`, they are discovered from this issuer's RFC 8414 metadata (never the top-level `jwks`).
 * With `introspection`, this issuer's tokens are introspected at this issuer's endpoint only.
 *
 * @example
 * createGuard({ audience, issuer: [
 *   { issuer: 'https://a.example.com', jwks: { uri: 'https://a.example.com/jwks' } },
 * { issuer: 'https://b.example.com' }, // discovered from https://b.example.com/.well-known/oauth-authorization-server
 * ] });
 */
export interface TrustedIssuer {
  /** The issuer identifier, compared exactly with `iss`. */
  readonly issuer: string;
  /** This issuer's keys. */
  readonly jwks?: JwksOption | undefined;
  /** Introspection of this issuer's tokens (RFC 7662), at this issuer's endpoint with its own client. */
  readonly introspection?: IssuerIntrospectionOptions | undefined;
}

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
  /**
   * Trusted issuer(s), compared exactly with `iss`. An entry `{ issuer, jwks? }` has keys of its own (given,
   * or discovered from its RFC 8414 metadata); a string issuer uses the top-level `jwks` (shared by every
   * string issuer: one authorization server under several names), or discovery when there is none.
   */
  readonly issuer: string | TrustedIssuer | readonly (string | TrustedIssuer)[];
  /** This resource server's identifier(s); one must appear in `aud`. */
  readonly audience: string | readonly string[];
  /** Key source of the issuers without their own; when absent, each discovers its keys (RFC 8414). */
  readonly jwks?: JwksOption | undefined;
  /**
   * Accept `http://` URLs on non-loopback hosts wherever the guard sends credentials or trusts answers: JWKS,
   * discovery, introspection endpoints, capability sets, the SET poll endpoint (default false: in cleartext,
   * keys and answers can be replaced and tokens and secrets read in transit; loopback — `localhost`,
   * 127.0.0.0/8, `[::1]` — is always allowed, for development).
   */
  readonly allowInsecureRequests?: boolean | undefined;
  /** Token introspection (RFC 7662, RFC 9701 answers): opaque tokens, and optionally JWTs (`mode`). */
  readonly introspection?: IntrospectionOptions | undefined;
  /**
   * How a token's `capabilities_ref` (capabilities given by reference) is resolved (default: fetched from the issuer's
   * origin).
   */
  readonly capabilitiesRef?: CapabilitiesRefOptions | undefined;
  /**
   * Fetch every issuer's keys (metadata, JWKS) in the background from `createGuard()` on, retrying with the
   * key source's failure backoff (1 s … 5 min) until they are loaded, so that a readiness route turns 200
   * without waiting for a request (default true). Its timers never keep the process alive and `close()`
   * stops them; a failure is logged once per outage, with its cause. `false` (tests, one-off scripts): keys
   * are fetched by the first request that needs them, or by `guard.ready()`.
   */
  readonly warmUp?: boolean | undefined;
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
  /**
   * Audit sink: one event per decision (draft §7.9). Without one the guard logs a warning at startup
   * (`audit.off`); `false` says in code that none is wanted (logged at `info`).
   */
  readonly audit?: AuditSink | false | undefined;
  /**
   * Where infrastructure events are logged (JWKS, store, audit sink failures and recoveries): any
   * pino-compatible logger, or `false` for none. Default: JSON lines on stderr at `warn`.
   */
  readonly logger?: Logger | false | undefined;
  /** Log one line per decision at `debug` (also on with `NODE_DEBUG=aap-guard`). Default false. */
  readonly debug?: boolean | undefined;
  /** Maximum access token size in bytes before parsing (default 16384). */
  readonly maxTokenSize?: number | undefined;
  /**
   * Largest `application/x-www-form-urlencoded` body the guard reads to look for an `access_token` in it
   * (RFC 6750 §2.2), in bytes (default 102400, express.urlencoded()'s own limit). A larger form body on a
   * guarded route is refused (413 `form_body_too_large`) unless the request carries an AAP token in the
   * Authorization header.
   */
  readonly maxFormBodySize?: number | undefined;
  /** Entries in the verified-token cache (default 10000; 0 disables). */
  readonly tokenCacheSize?: number | undefined;
  /**
   * RFC 9728 protected resource metadata URL advertised in `WWW-Authenticate` (§5.1). Default: this
   * resource's well-known URL (from the first https audience, else the request's origin), which every
   * adapter serves; `false`: advertise none (e.g. `check()` callers that serve no metadata).
   */
  readonly resourceMetadata?: string | false | undefined;
  /** Which peers are trusted proxies (default false: none). */
  readonly trustProxy?: TrustProxy | undefined;
  /** Public base URL of this API (for DPoP `htu`), e.g. `https://api.example.com`. */
  readonly publicUrl?: string | undefined;
  /**
   * Store faults (rate limits, DPoP replay, revocation sync) → 503 by default; `open` admits instead. JWKS outages and
   * holds always fail closed.
   */
  readonly onStoreError?: 'closed' | 'open' | undefined;
  /**
   * When proof of possession is required (draft §7.2, §12.2): `optional` (default), `by-risk` (the draft's
   * risk criteria, see `PopRequirement`) or `required`. Either binding meets it: a DPoP proof (RFC 9449)
   * or the client certificate of a certificate-bound token (RFC 8705). A route may override it
   * (`RouteSpec.pop`). Refusals: 401 `pop_required`.
   */
  readonly pop?: PopRequirement | undefined;
  /** DPoP (RFC 9449) settings. */
  readonly dpop?: DpopOptions | undefined;
  /** Agent policy (allow/deny lists, attestation). */
  readonly agents?: AgentPolicy | undefined;
  /** Resource-server delegation policy. */
  readonly delegation?: DelegationPolicy | undefined;
  /** Rate-limit behaviour. */
  readonly rateLimit?: RateLimitOptions | undefined;
  /**
   * Throttle failed token validations per client address (draft §12.11): after `max` failures (default 300)
   * within `windowMs` (default 60000) an address's unverified tokens are refused with 429
   * `too_many_failed_validations` and `Retry-After`, while tokens already verified (cached) keep working.
   * Counted per replica, in memory. `false` turns it off.
   */
  readonly failedValidations?: FailedValidationOptions | false | undefined;
  /** Constraint handling (unknown constraints, app-specific handlers, zones, regions). */
  readonly constraints?: ConstraintOptions | undefined;
  /** Human-oversight holds. */
  readonly oversight?: OversightOptions | undefined;
  /** Revocation: default lifetime of entries, lineage cache of delegated tokens. */
  readonly revocation?: RevocationOptions | undefined;
  /** What to do on a route with no declaration (adapters): default `deny` (403 `route_undeclared`). */
  readonly undeclared?: 'allow' | 'deny' | undefined;
  /**
   * `true` (default): every request needs an AAP access token. `false`: a request that carries no AAP
   * credential (no `Authorization`, or another scheme such as Basic or an API key) is let through
   * untouched, without a principal, for the app's own authentication; a request that presents a
   * Bearer or DPoP token is still checked in full and refused if it fails.
   */
  readonly authRequired?: boolean | undefined;
  /**
   * Roll out stricter policies report-only, like CSP's `Content-Security-Policy-Report-Only`: `true` for
   * every policy of `PolicyName`, or a list of them (default: none — every policy is enforced). A request a
   * report-only policy would refuse goes on (the checks after it still run, and a later deny still denies);
   * its decision and audit event carry `wouldDeny: [{ policy, reason, status, error, detail }]`, and the
   * OpenTelemetry counter `aap.would_deny` counts it. Only the policies `PolicyName` lists can be report-only:
   * a signature, issuer, audience, lifetime, proof or revocation failure always denies.
   *
   * @example
   * createGuard({ ...options, reportOnly: ['destination-ip', 'context'] });
   */
  readonly reportOnly?: boolean | readonly PolicyName[] | undefined;
  /**
   * Tells the app's own credentials apart from AAP access tokens: `(credential, request) => boolean`, called
   * with the `Authorization` header's scheme and credential (`{ scheme: 'Bearer', token: 'sk_live_…' }`)
   * BEFORE the guard parses or verifies anything. `true`: the request is treated as one without an AAP
   * credential — with `authRequired: false` it goes on to the app untouched (no principal), except on a
   * route that admits agents only (`agentsOnly`, the default for unsafe methods); with `authRequired: true`
   * it is refused with 401 `credentials_missing`. Either way it is never verified as a token, never counted
   * as a failed validation, and never reported as `token_malformed`. The scheme is `Bearer` or `DPoP` as
   * written here whatever its case in the header (RFC 9110 §11.1), any other scheme as sent. A throw is an
   * `internal_error` (fail closed).
   *
   * @example
   * const options = { authRequired: false, appCredentials: ({ scheme, token }: AppCredential) => scheme === 'Bearer' &&
   * token.startsWith('sk_') };
   */
  readonly appCredentials?: ((credential: AppCredential, request: RequestInfo) => boolean) | undefined;
}

/** What `appCredentials` is asked about: one `Authorization` header value, split at its first whitespace. */
export interface AppCredential {
  /** `Bearer` or `DPoP` (whatever the header's case), any other scheme as sent. */
  readonly scheme: string;
  /** The rest of the header value, trimmed. Never log it. */
  readonly token: string;
}

/** DPoP settings (RFC 9449). */
export interface DpopOptions {
  /**
   * `optional` (default: the DPoP scheme is accepted, and enforced for DPoP-bound tokens) or `disabled`.
   * `'required'` is deprecated: use `pop: 'required'` (met by DPoP or mTLS); kept as its alias, refusing with
   * `dpop_required`.
   */
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
  /**
   * A delegated token (`delegation.parent_jti`) is never broader than its parent (draft "Delegation Chain
   * Validation"): the guard records the capabilities of every token it sees (once per token, in the store,
   * for every replica) and refuses a child that grants more than its parent (`delegation_broader_than_parent`).
   * When no replica has seen the parent (it never came here, it expired, or the memory store restarted) its
   * capabilities are unknown, and this decides: `'allow-audited'` (default) admits the child, with
   * `detail.delegationBreadth` in its audit event; `'refuse'` denies it (`delegation_parent_unknown`) — use it
   * where every parent passes through this resource's replicas before its children do.
   */
  readonly unknownParent?: 'allow-audited' | 'refuse' | undefined;
}

/**
 * Window semantics. `sliding`: never more than N admitted in any interval of the window's length, counted
 * in 60 clock-aligned buckets of 1/60 of the window (a request may be admitted up to one bucket later than
 * an exact log would: 1 s for a minute, 1 min for an hour, 24 min for a day — never earlier). `fixed`:
 * clock-aligned UTC buckets (minute 0 of the hour, 00:00 UTC of the day), N per bucket.
 */
export type RateLimitMode = 'sliding' | 'fixed';

/** The window lengths of the `max_<noun>_per_<unit>` constraints. */
export type WindowUnit = 'minute' | 'hour' | 'day';

/**
 * What a custom `rateLimit.key` function is told besides the claims.
 *
 * @example
 * createGuard({
 *   ...options,
 * rateLimit: { key: (claims, { issuer }) => (issuer === 'https://as.example.com' ? claims.agent.operator :
 * claims.agent.id) },
 * });
 */
export interface RateLimitKeyContext {
  /**
   * The authorization server whose token this is: its `iss`, or — for issuers declared as one authorization
   * server under several names (one shared `jwks` object) — the first listed of those names. The key the
   * function returns is scoped by it already: two authorization servers never share a quota.
   */
  readonly issuer: string;
}

/**
 * `options.failedValidations`: how many tokens that fail validation (bad signature, format, issuer, audience,
 * lifetime, claims, or an inactive introspection answer) one client address may present per window before
 * its unverified tokens are refused. The client address is the resolved one (`trustProxy`); an IPv6 client
 * is counted by its /64.
 *
 * @example
 * createGuard({ ...options, failedValidations: { max: 100, windowMs: 60_000 } });
 */
export interface FailedValidationOptions {
  /** Failures admitted per window and address (default 300). */
  readonly max?: number | undefined;
  /** Sliding window length in ms, a multiple of 60 (default 60000). */
  readonly windowMs?: number | undefined;
  /** Most addresses counted at once (default 10000); past it new addresses are not counted until one expires. */
  readonly maxAddresses?: number | undefined;
}

/** Rate-limit behaviour. */
export interface RateLimitOptions {
  /**
   * Per unit, or one mode for all. Default: the spec's table (§5.6.1), `{ minute: 'sliding', hour: 'fixed',
   * day: 'fixed' }` — the hour resets at minute 0, the day at 00:00 UTC. `'sliding'` makes every window
   * sliding (`{ hour: 'sliding' }` just the hour); `'fixed'` every window fixed.
   */
  readonly mode?: RateLimitMode | { readonly [unit in WindowUnit]?: RateLimitMode } | undefined;
  /**
   * Whose budget a request consumes, always within the token's authorization server (see
   * `RateLimitKeyContext`): the token (`jti`, default, per the spec), agent, task (agent and task), or a
   * function of the claims (a request for which it returns no non-empty string is refused: 503 `internal_error`).
   */
  readonly key?: 'jti' | 'agent' | 'task' | ((claims: AapClaims, context: RateLimitKeyContext) => string) | undefined;
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
  /**
   * Whose address `ip_ranges_allowed` holds (draft §5.6.2, "validates destination IP of request"):
   * `'destination'` (default) — the address of the route's declared `target`, an IP literal or what
   * `resolveTarget` answers; `'caller'` — the client's address after trusted-proxy resolution, this
   * guard's reading before 0.3. See also `reportOnly: ['destination-ip']`.
   */
  readonly ipRanges?: 'destination' | 'caller' | undefined;
  /**
   * Resolve the host of a route's declared `target` to its addresses, for `ip_ranges_allowed` (e.g. with
   * `dns.promises.lookup(host, { all: true })`). Called only for a token whose candidate capability has
   * `ip_ranges_allowed` and a target that is not an IP literal. Every address it answers must be in range
   * (the application's connector may pick any of them); the checked addresses are on the principal
   * (`destination`), so the application connects to exactly what was checked, not to a second DNS
   * answer (DNS rebinding). No resolver, a throw, no answer or something that is not an IP address:
   * refused (`destination_unresolved`).
   */
  readonly resolveTarget?: ((host: string) => Promise<readonly string[]> | readonly string[]) | undefined;
  /** Milliseconds `resolveTarget` may take before the request is refused (`destination_unresolved`); default 5000. */
  readonly resolveTimeoutMs?: number | undefined;
}

/** Human-oversight holds. */
export interface OversightOptions {
  /** Seconds a hold stays valid (default 3600). */
  readonly holdTtl?: number | undefined;
  /**
   * Build an approval URL for a hold (otherwise its page in a mounted approval console, else the token's
   * `approval_reference`).
   */
  readonly approvalUrl?: ((hold: Hold) => string) | undefined;
  /** Notify the outside world of a new hold; failures are swallowed. */
  readonly onHold?: ((hold: Hold) => void | Promise<void>) | undefined;
  /** What a retry must share with the held request: the same token (default) or the same agent and task. */
  readonly match?: 'token' | 'agent-task' | undefined;
  /**
   * Largest request body a held action may carry, in bytes (default 1048576): the hold binds the body's
   * digest, so the guard reads it; a larger body is refused with 413 `request_too_large`.
   */
  readonly maxBodyBytes?: number | undefined;
  /** Pending holds one agent may have at once (default 20); beyond it: 429 `hold_quota_exceeded`. */
  readonly maxPendingPerAgent?: number | undefined;
  /** Holds one agent may create per minute (default 10); beyond it: 429 `hold_quota_exceeded`. */
  readonly maxHoldsPerMinute?: number | undefined;
  /**
   * Keep a bounded, redacted preview of a held request's body on the hold (`hold.preview`), so the
   * approver sees the draft being published, not only its digest. Off by default.
   */
  readonly preview?: HoldPreviewOptions | undefined;
}

/**
 * `oversight.preview`: what of a held request's body the hold keeps for the approver.
 *
 * @example
 * createGuard({ ...options, oversight: { preview: { maxBytes: 2048, redact: ['iban'] } } });
 */
export interface HoldPreviewOptions {
  /** Most bytes of (redacted) UTF-8 text kept (default 4096, at most 65536). */
  readonly maxBytes?: number | undefined;
  /**
   * Field names whose values become `"[redacted]"` in JSON and form bodies (any depth, case-insensitive),
   * on top of the built-in ones (`password`, `secret`, `token`, `authorization`, …); or a function given
   * the text after that built-in redaction (a form: one `name=value` line per field, line breaks inside
   * a name or value escaped as `\n`), returning the text to keep (a throw keeps no text). The
   * presented access token and DPoP proof are always cut out.
   */
  readonly redact?: readonly string[] | ((text: string, contentType: string | undefined) => string) | undefined;
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

/**
 * Which tokens are introspected: `opaque` (default) — only tokens that are not JWTs; `always` — JWTs too,
 * after their local verification, so the authorization server's word on `active` is taken for every token
 * (cached); `fallback` — JWTs only while the local revocation list cannot vouch (store unreachable, not yet
 * synchronized): the draft's "fallback to token introspection if revocation list fails to propagate",
 * instead of a 503.
 */
export type IntrospectionMode = 'opaque' | 'always' | 'fallback';

/**
 * Token introspection (RFC 7662), optionally with signed answers (RFC 9701), at ONE issuer's endpoint: only
 * that issuer's tokens are ever sent there. Top-level, it belongs to `issuer` (or to the only trusted
 * issuer); in a `{ issuer, jwks, introspection }` entry, to that entry's issuer.
 *
 * @example
 * createGuard({ issuer, audience, introspection: { client: { id: 'api', secret: process.env.AS_SECRET! } } });
 */
export interface IntrospectionOptions {
  /** The RFC 7662 endpoint (default: `introspection_endpoint` of the issuer's RFC 8414 metadata). */
  readonly endpoint?: string | undefined;
  /**
   * Top level only: the trusted issuer whose tokens this endpoint answers for (default: the only trusted
   * issuer; required with several — or configure it on that issuer's entry instead).
   */
  readonly issuer?: string | undefined;
  /**
   * Whether opaque tokens go to this endpoint (default true). An opaque token names no issuer until it is
   * introspected (RFC 7662), so only one issuer's introspection may receive them: with several issuers
   * introspected, set `false` on all but one.
   */
  readonly opaqueTokens?: boolean | undefined;
  /** This RS's client registration at the authorization server. */
  readonly client: IntrospectionClient;
  /** Which tokens are introspected (default `opaque`). */
  readonly mode?: IntrospectionMode | undefined;
  /** Ask for RFC 9701 JWT answers, signed by the issuer's keys, and accept nothing else (default false). */
  readonly jwtResponse?: boolean | undefined;
  /** Timeout of one call in ms (default 2000): slower is an outage (503). */
  readonly timeoutMs?: number | undefined;
  /** Answers cached (default 10000; 0 disables; concurrent calls for one token are coalesced anyway). */
  readonly cacheSize?: number | undefined;
  /**
   * Seconds an active answer is trusted, never past the token's `exp` (default 60: the draft's rapid-revocation bound).
   */
  readonly cacheMaxTtl?: number | undefined;
  /** Seconds an inactive answer is remembered (default 10). */
  readonly inactiveTtl?: number | undefined;
}

/** Introspection in a trusted issuer's entry: its issuer is the entry's. */
export type IssuerIntrospectionOptions = Omit<IntrospectionOptions, 'issuer'>;

/** How the guard authenticates to the introspection endpoint (RFC 7662 §2.1 requires client authentication). */
export type IntrospectionClient =
  /** RFC 6749 §2.3.1: HTTP Basic with the form-urlencoded id and secret. */
  | { readonly id: string; readonly auth?: 'client_secret_basic' | undefined; readonly secret: string }
  /** RFC 6749 §2.3.1: `client_id` and `client_secret` in the form body. */
  | { readonly id: string; readonly auth: 'client_secret_post'; readonly secret: string }
  /** RFC 7523 §2.2 / OpenID Connect Core §9: a JWT signed with the client's private key. */
  | {
      readonly id: string;
      readonly auth: 'private_key_jwt';
      /** The client's private key (a JWK with `d`, a `KeyObject` or a `CryptoKey`). */
      readonly key: CryptoKey | KeyObject | JWK;
      /** Signing algorithm (default: the JWK's `alg`, else ES256). */
      readonly alg?: string | undefined;
      /** `kid` of the client's registered public key. */
      readonly kid?: string | undefined;
    };

/**
 * Your own lookup of a `capabilities_ref`: receives the reference and who the token names; returns the
 * capabilities (an array, or `{ capabilities }`). A throw or a rejection is an outage: 503
 * `capabilities_unavailable`, never an allow.
 */
export type CapabilitiesResolver = (
  ref: string,
  token: { readonly iss: string; readonly sub?: string | undefined; readonly jti?: string | undefined },
) => unknown;

/**
 * How a token whose capabilities are given by reference (the draft's `capabilities_ref`, a URI) gets them.
 *
 * @example
 * createGuard({ ...options, capabilitiesRef: { allowedUrls: ['https://as.example.com/capability-sets/'] } });
 */
export interface CapabilitiesRefOptions {
  /**
   * `fetch` (default): GET the URI — only under the token issuer's origin or an `allowedUrls` prefix — and
   * cache the set like a JWKS (`Cache-Control`, 5 min … 24 h); `introspection`: introspect the token and take
   * the `capabilities` of the authorization server's answer (needs `options.introspection`); or a function.
   */
  readonly resolve?: 'fetch' | 'introspection' | CapabilitiesResolver | undefined;
  /** URL prefixes a reference may be fetched from, besides the token issuer's origin. */
  readonly allowedUrls?: readonly string[] | undefined;
  /** Fetch timeout in ms (default 5000). */
  readonly timeoutMs?: number | undefined;
  /** Freshness of a set whose response says nothing (`fetch`), or of a resolver's answer, in ms (default 600000). */
  readonly cacheMaxAgeMs?: number | undefined;
  /** Capability sets cached (default 1000). */
  readonly cacheSize?: number | undefined;
}
