/**
 * The normalized AAP claims model. Both spellings seen in the wild — the draft's bare names
 * (`agent`, `task`, …) and the `aap_`-prefixed names (`aap_agent`, …) — normalize into it.
 * Unknown members are preserved (AS-specific extensions); only the members the RS reads are typed.
 */

/** `agent` claim. `model` is an object in the draft's examples and a string in its schema: both accepted. */
export interface AgentClaim {
  readonly id: string;
  readonly type: string;
  readonly operator: string;
  readonly name?: string;
  readonly model?: string | { readonly provider?: string; readonly id?: string; readonly version?: string };
  readonly runtime?: { readonly environment?: string; readonly attested?: boolean };
  readonly [extra: string]: unknown;
}

/** `task` claim. */
export interface TaskClaim {
  readonly id: string;
  readonly purpose: string;
  readonly data_sensitivity?: string;
  readonly created_by?: string;
  /** Unix seconds. */
  readonly created_at?: number;
  /** Unix seconds. */
  readonly expires_at?: number;
  readonly [extra: string]: unknown;
}

/** Constraints of one capability (AND semantics). Unknown names are preserved for the unknown-constraint policy. */
export interface Constraints {
  readonly max_requests_per_minute?: number;
  readonly max_requests_per_hour?: number;
  readonly max_requests_per_day?: number;
  readonly domains_allowed?: readonly string[];
  readonly domains_blocked?: readonly string[];
  readonly ip_ranges_allowed?: readonly string[];
  readonly max_depth?: number;
  readonly time_window?: TimeWindow;
  readonly allowed_methods?: readonly string[];
  readonly max_response_size?: number;
  readonly max_request_size?: number;
  readonly allowed_regions?: readonly string[];
  readonly data_classification_max?: string;
  readonly [other: string]: unknown;
}

/** ISO 8601 instants; start inclusive, end exclusive. */
export interface TimeWindow {
  readonly start: string;
  readonly end: string;
}

/** One entry of `capabilities`. */
export interface Capability {
  readonly action: string;
  readonly constraints?: Constraints;
  readonly [extra: string]: unknown;
}

/** `oversight` claim. */
export interface OversightClaim {
  /** How much human oversight the task is under: `none` < `notification` < `approval` < `supervised` (schema enum). */
  readonly level?: string;
  readonly requires_human_approval_for?: readonly string[];
  /** The name the draft's Claim Semantics section uses; honoured as an alias (union with the above). */
  readonly requires_approval_for?: readonly string[];
  readonly approval_reference?: string;
  readonly [extra: string]: unknown;
}

/** `delegation` claim (RFC 8693 token exchange metadata). */
export interface DelegationClaim {
  readonly depth: number;
  readonly max_depth: number;
  readonly chain?: readonly string[];
  readonly parent_jti?: string;
  readonly [extra: string]: unknown;
}

/** `context` claim. */
export interface ContextClaim {
  readonly network_zone?: string;
  readonly time_window?: TimeWindow;
  /** `"none"`, an ISO 3166-1 alpha-2 code or a list of them; anything else is refused (fail closed). */
  readonly geo_restriction?: unknown;
  readonly [extra: string]: unknown;
}

/** `audit` claim. */
export interface AuditClaim {
  readonly trace_id?: string;
  readonly session_id?: string;
  readonly [extra: string]: unknown;
}

/** RFC 8693 §4.1 `act` (actor) claim; nested for multi-hop delegation, innermost = first actor. */
export interface ActClaim {
  readonly sub?: string;
  readonly act?: ActClaim;
  readonly [extra: string]: unknown;
}

/** RFC 7800 / RFC 9449 §6 / RFC 8705 §3.1 confirmation claim. */
export interface CnfClaim {
  readonly jkt?: string;
  readonly 'x5t#S256'?: string;
  readonly [extra: string]: unknown;
}

/**
 * Normalized claims of a verified AAP access token.
 *
 * @example
 * const d = await guard.check(info, { action: 'search.web' });
 * if (d.allowed) console.log(d.claims?.agent.id, d.claims?.task.purpose);
 */
export interface AapClaims {
  readonly iss: string;
  readonly sub?: string;
  readonly aud: string | readonly string[];
  /** Unix seconds. */
  readonly exp: number;
  readonly iat?: number;
  readonly nbf?: number;
  readonly jti?: string;
  readonly agent: AgentClaim;
  readonly task: TaskClaim;
  readonly capabilities: readonly Capability[];
  readonly oversight?: OversightClaim;
  readonly delegation?: DelegationClaim;
  readonly context?: ContextClaim;
  readonly audit?: AuditClaim;
  readonly act?: ActClaim;
  readonly cnf?: CnfClaim;
  /** Non-AAP claims (`client_id`, `scope`, `grant_id`, …), untouched. */
  readonly extra: Readonly<Record<string, unknown>>;
}
