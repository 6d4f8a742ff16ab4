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
  /** Per-route override of the DPoP requirement. */
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
