import type { AapClaims, Capability } from '../base/claims/model.js';
import type { Deny } from '../base/deny/deny.js';
import type { WouldDeny } from '../base/deny/would-deny.js';
import type { GuardRuntime, GuardSettings } from '../options/resolve.js';
import type { CompiledRoute } from '../concerns/route/compile-route.js';
import type { RequestInfo } from '../base/types/request.js';
import type { ResponseLimits } from '../base/types/decision.js';
import type { HeldBody, HoldSubject } from '../concerns/holds/hold-binding.js';
import type { VerifiedToken } from '../concerns/token/cache.js';
import type { TokenLineage } from '../concerns/revocation/ancestors.js';

/** The credentials found on the request (step 1). */
export interface Credentials {
  readonly token: string;
  readonly scheme: 'Bearer' | 'DPoP';
  /** Every DPoP header value sent (RFC 9449 §4.3: exactly one is required; the PoP check enforces it). */
  readonly proofs: readonly string[];
}

/** A DPoP proof that verified; its `jti` is consumed in the stateful step. */
export interface VerifiedProof {
  readonly jti: string;
  readonly jkt: string;
  /** Proof `iat` in ms. */
  readonly iat: number;
}

/**
 * Per-request state threaded through the pipeline. Checks read what earlier checks set and
 * set what later checks need; nothing here outlives the request.
 */
export interface CheckContext {
  /**
   * The request; an adapter whose route is known only after authentication adds the route's members (target, params).
   */
  request: RequestInfo;
  /** Upper-case method. */
  readonly method: string;
  /** The route's declaration; undefined while authenticating before the route is known. */
  route: CompiledRoute | undefined;
  /** The guard's settings (data, frozen). */
  readonly settings: GuardSettings;
  /** The guard's runtime (store, key sources, caches, logger, audit sink). */
  readonly runtime: GuardRuntime;
  /** The request time in ms, read once from the injected clock. */
  readonly now: number;
  /** Response headers accumulated by checks (RateLimit, DPoP-Nonce…). */
  readonly headers: Record<string, string>;
  /** Internal detail for the audit event. */
  readonly detail: Record<string, unknown>;
  credentials?: Credentials;
  /** The verified-token cache's entry for the credential's token, found while parsing it (step 1). */
  cached?: VerifiedToken | undefined;
  /** base64url SHA-256 of the access token: the audit's token hash and DPoP's `ath`. */
  tokenHash?: string;
  claims?: AapClaims;
  /**
   * The `kid` of the JWS the token step verified (null: the header named none); undefined when no JWS was
   * verified here (an opaque token the authorization server vouched for by introspection).
   */
  signedBy?: string | null | undefined;
  /** What the store knows of the token (its ancestors, its parent's capabilities), set by the revocation step. */
  lineage?: TokenLineage | undefined;
  /** The authorization server confirmed the token active in an introspection answer (cached at most `cacheMaxTtl`). */
  introspected?: boolean;
  proof?: VerifiedProof;
  /**
   * The proof's `jti` was consumed ahead of the route (`Engine.consumeProof`: an adapter that cannot tell
   * yet which route will run): step 8 then consumes only the route's windows, never the same `jti` twice.
   */
  proofConsumed?: boolean;
  /** The client address after trusted-proxy resolution. */
  clientIp?: string | undefined;
  /** The request's region (`constraints.region`), asked once (`requestRegion`); absent: not asked yet. */
  region?: string | undefined;
  /** The capabilities naming the route's action, in token order (step 6). */
  candidates?: readonly Capability[];
  /**
   * Delegation hops of the token (the larger of `delegation.depth` and the `act` nesting), set by the delegation check.
   */
  delegationDepth?: number;
  /** The capability that authorized the request: its rate limits are the ones consumed. */
  capability?: Capability;
  /**
   * Whose counters the capability's rate limits use: the action, or `action#n` for the n-th (n ≥ 1)
   * capability naming the same action, so that each capability's rate limits count only what it authorized.
   */
  rateLimitScope?: string;
  /**
   * The route target's addresses for `ip_ranges_allowed` (the destination step), or why there are none;
   * undefined when no candidate capability needs them.
   */
  destination?: ResolvedTarget | undefined;
  /** The route target's host, parsed once (domain constraints). */
  targetHost?: { readonly host: string; readonly ip: boolean } | undefined;
  limits?: ResponseLimits;
  /** No AAP credential and `authRequired: false`: the request goes on without a principal. */
  anonymous?: boolean;
  /** The request's `Content-Length` (or `RequestInfo.contentLength`), parsed once. */
  contentLength?: number | undefined;
  /** What the stateful step does about oversight: create a hold, or consume an approved one. */
  hold?: HoldPlan;
  /** Denies of report-only policies, recorded instead of enforced (`reportOrDeny()`), in check order. */
  wouldDeny?: WouldDeny[] | undefined;
}

/** The destination step's answer: the target host's addresses, or the problem that left none. */
export type ResolvedTarget =
  | { readonly host: string; readonly addresses: readonly string[]; readonly problem?: undefined }
  | {
      readonly host: string | undefined;
      readonly addresses?: undefined;
      readonly problem: string;
      readonly fault?: string | undefined;
    };

/** Step 7's verdict for an action under oversight, carried out by step 8. */
export type HoldPlan =
  | { readonly kind: 'create'; readonly subject: HeldBody }
  | { readonly kind: 'retry'; readonly id: string; readonly subject: HoldSubject };

/** What one step of the pipeline runs: a deny, or nothing to say (synchronously while it can). */
export type Check = (ctx: CheckContext) => Deny | undefined | Promise<Deny | undefined>;

/** One step of the pipeline: its name (a deny's `detail.check`) beside the check it runs (engine/pipeline.ts). */
export interface Step {
  readonly name: string;
  readonly run: Check;
}
