/**
 * The shape of the conformance table (cases.ts and its stateful groups), its frozen clock, and the
 * expectation builders every group shares.
 *
 * A case names the guard options (issuer, audience and jwks are supplied by the harness), the route
 * declaration, the token to mint, the request, and what the client must see: status, `error`,
 * `reason`, headers and body members. Stateful flows (rate-limit history, DPoP replay and nonces,
 * holds, revocation) are `before` steps: requests sent first with the same token, operations on the
 * guard (`guard.holds.approve`, `guard.revoke`), and advances of the guard's clock.
 */
import type { Guard, GuardOptions, ReasonCode, RouteSpec, SpecError } from '@aap-guard/core';
import type { MintOptions } from '@aap-guard/testing';
import type { Response } from './http.js';

/** The frozen request time (ms): 2025-06-15T12:00:00Z. The guard's clock starts here for every case. */
export const NOW = Date.UTC(2025, 5, 15, 12, 0, 0);
/** Unix seconds `offset` seconds from `NOW`. */
export const at = (offset: number): number => Math.floor(NOW / 1000) + offset;
/** RFC 3339 instant `offset` seconds from `NOW`. */
export const iso = (offset: number): string => new Date(NOW + offset * 1000).toISOString().replace('.000Z', 'Z');

/** How the token is made: signed by the trusted issuer (default), or forged in one specific way. */
export type Forgery =
  | 'foreign-kid' //  signed by another key, with a kid the JWKS does not list
  | 'foreign-key' //  signed by another key, under the trusted key's kid
  | 'tampered' //     a valid token whose payload was changed after signing
  | 'crit' //         a critical header extension the RS cannot know (RFC 7515 §4.1.11)
  | 'alg-none' //     unsecured JWS (RFC 7519 §6)
  | 'hs256'; //       HMAC with a shared secret

/** The token of a case: `@aap-guard/testing` mint options (claims/header overrides), optionally forged. */
export interface TokenSpec extends MintOptions {
  readonly forge?: Forgery | undefined;
}

/** What a flow has seen so far: the case's token and the responses to its earlier requests, in order. */
export interface FlowKit {
  readonly token: string;
  readonly responses: readonly Response[];
}

/** What the harness knows once the token is minted and the URL built, for headers computed per request. */
export interface RequestKit extends FlowKit {
  /** Absolute URL of the request (for DPoP `htu`). */
  readonly url: string;
  readonly method: string;
}

/**
 * The request. In header and query values, `$TOKEN` is replaced by the minted token. Unless
 * `headers.authorization` is given (`null` drops it), `Authorization: Bearer $TOKEN` is sent.
 */
export interface CaseRequest {
  /** Default GET. */
  readonly method?: string | undefined;
  /** `/r` (default) or `/r/<taskId>`: the two paths every driver mounts the route on. */
  readonly path?: string | undefined;
  readonly query?: Readonly<Record<string, string | readonly string[]>> | undefined;
  /** A repeated header is an array (sent as separate header lines); `null` drops a default header. */
  readonly headers?: Readonly<Record<string, string | readonly string[] | null>> | undefined;
  /** The route's target URL or host, sent as the `target` query parameter (an array repeats it). */
  readonly target?: string | readonly string[] | undefined;
  /** Request body; in a string body, `$TOKEN` is replaced by the minted token. */
  readonly body?: string | Uint8Array | undefined;
  /** The body's media type; default application/octet-stream. */
  readonly contentType?: string | undefined;
  /** Send the body chunked, without Content-Length. */
  readonly chunked?: boolean | undefined;
  /**
   * Send the request target in absolute form with this origin (`GET https://api.example.com/r HTTP/1.1`, RFC 9112
   * §3.2.2).
   */
  readonly absoluteForm?: string | undefined;
  /** Extra headers computed once token, URL and earlier responses are known (DPoP proofs, hold ids, nonces). */
  readonly headersFor?: ((kit: RequestKit) => Promise<Record<string, string>> | Record<string, string>) | undefined;
}

/** An expected value computed from the flow (e.g. the hold id an earlier response carried). */
export type FromFlow<T> = (kit: FlowKit) => T;

/** What the client must see. A header given as `null` must be absent; a RegExp must match. */
export interface Expectation {
  readonly status: number;
  readonly error?: SpecError | undefined;
  readonly reason?: ReasonCode | undefined;
  readonly headers?: Readonly<Record<string, string | RegExp | null | FromFlow<string>>> | undefined;
  /** Members the JSON body must have (`undefined` = must be absent; a RegExp must match; a function computes it). */
  readonly body?: Readonly<Record<string, unknown>> | undefined;
  /** The reasons, in order, of the last decision event's `wouldDeny` (report-only policies); `[]`: none. */
  readonly wouldDeny?: readonly ReasonCode[] | undefined;
}

/**
 * One step of a case before its request: a request with its expected status (its response joins
 * `FlowKit.responses`), an operation on the guard behind the server, or an advance of the guard's clock.
 */
export type Step =
  | { readonly request?: CaseRequest | undefined; readonly status: number }
  | { readonly operate: (guard: Guard, kit: FlowKit) => Promise<unknown> }
  | { readonly advance: number };

/** One row of the table. */
export interface ConformanceCase {
  /** Unique; `group: what`. */
  readonly name: string;
  /**
   * Guard options; the harness supplies issuer, audience, jwks, a clock starting at `NOW` and an audit sink (a case may
   * override them).
   */
  readonly options?: Partial<GuardOptions> | undefined;
  /** The route declaration; default `{ action: 'search.web' }`; `null` mounts the route undeclared. */
  readonly route?: RouteSpec | null | undefined;
  readonly token?: TokenSpec | undefined;
  readonly request?: CaseRequest | undefined;
  /** Steps run first, in order, with the same token and guard. */
  readonly before?: readonly Step[] | undefined;
  readonly expect: Expectation;
}

// ---- shared builders ------------------------------------------------------------------------------

export const AGENT = 'agent-researcher-01';
export const OK: Expectation = { status: 200 };

export const unauthorized = (reason: ReasonCode, headers?: Expectation['headers']): Expectation => ({
  status: 401,
  error: 'invalid_token',
  reason,
  headers: { 'www-authenticate': /^Bearer error="invalid_token"/, ...headers },
});
export const forbidden = (
  error: SpecError,
  reason: ReasonCode,
  body?: Expectation['body'],
  headers?: Expectation['headers'],
): Expectation => ({
  status: 403,
  error,
  reason,
  body,
  headers,
});
export const violation = (reason: ReasonCode = 'constraint_violation'): Expectation =>
  forbidden('aap_constraint_violation', reason);

/** A token whose only capability is `search.web` with these constraints. */
export const constrained = (constraints: Record<string, unknown>, extra: TokenSpec = {}): TokenSpec => ({
  ...extra,
  capabilities: [{ action: 'search.web', constraints }],
});
export const withSections = (sections: Record<string, unknown>): TokenSpec => ({ sections });
/** A token whose `oversight` section puts these actions under human approval. */
export const oversight = (actions: readonly string[], reference?: string): TokenSpec =>
  withSections({
    oversight: { requires_human_approval_for: actions, ...(reference ? { approval_reference: reference } : {}) },
  });
