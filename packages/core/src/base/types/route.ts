import type { AapClaims, Capability } from '../claims/model.js';
import type { RequestInfo } from './request.js';

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
  /**
   * Per-route proof-of-possession requirement (draft §7.2, §12.2): `required`, `by-risk` or `optional`;
   * absent = the guard's `pop`. A route can tighten the guard's requirement or opt out of `by-risk`, but
   * not relax a guard-wide `required` (authentication refuses the unbound token before the route is known).
   */
  readonly pop?: PopRequirement | undefined;
  /**
   * Whether the route only reads, for `pop: 'by-risk'` (the draft's "write, delete, or execute actions").
   * Absent: by the HTTP method, unsafe methods (RFC 9110 §9.2.1: all but GET, HEAD, OPTIONS, TRACE) write.
   * `true`: no method of this route writes; `false`: every method does (e.g. a GET that triggers a job).
   */
  readonly readOnly?: boolean | undefined;
  /**
   * Whether the DPoP scheme is accepted on this route: `disabled` refuses it (and DPoP-bound tokens),
   * `optional` accepts it. `required` is deprecated: it is `pop: 'required'`, met by DPoP or mTLS.
   */
  readonly dpop?: DpopMode | undefined;
  /** Handlers for application-specific constraints on this route, by constraint name. */
  readonly constraints?: Readonly<Record<string, ConstraintHandler>> | undefined;
  /**
   * Whether only a valid agent token reaches the route. It matters where the guard lets requests without
   * an AAP credential through (`authRequired: false`, or a credential `appCredentials` recognizes):
   * `true` refuses them here (401 `credentials_missing`), `false` passes them on to the app's own
   * authentication. Default: `true` for unsafe methods (anything but GET, HEAD, OPTIONS and TRACE,
   * RFC 9110 §9.2.1), `false` for safe ones — an anonymous write never reaches a handler by default.
   */
  readonly agentsOnly?: boolean | undefined;
}

/**
 * Whether the DPoP scheme is accepted: `optional` (it is, and still enforced for DPoP-bound tokens,
 * RFC 9449 §7.1) or `disabled`. `required` is a deprecated alias of `pop: 'required'` (proof of possession
 * by DPoP OR mTLS), whose refusals keep the reason `dpop_required`.
 */
export type DpopMode = 'required' | 'optional' | 'disabled';

/**
 * When an unbound (bearer) token is refused (draft §7.2, §12.2 "Profile Selection Criteria"). A bound
 * token — a DPoP proof for `cnf.jkt`, or the certificate of `cnf["x5t#S256"]` — always meets it.
 * - `optional`: bearer tokens are accepted;
 * - `by-risk`: refused where the draft says PoP SHOULD be REQUIRED: the authorizing capability's
 *   `data_classification_max` is `confidential` or above, `oversight.level` is `approval` or above, the
 *   token lives over an hour, or the route writes (`RouteSpec.readOnly`, else an unsafe method);
 * - `required`: refused everywhere.
 */
export type PopRequirement = 'required' | 'by-risk' | 'optional';

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
