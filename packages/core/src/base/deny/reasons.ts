/**
 * The deny model: every stable reason code, and one table that maps it to an HTTP status,
 * a spec error code, a generic description and whether a WWW-Authenticate challenge is sent.
 *
 * Descriptions are deliberately generic (draft "Privacy-Preserving Error Messages"): they never
 * name a constraint value, an agent, or the policy that matched. Detail goes to the audit event.
 */

/** Spec error codes: RFC 6750 §3.1, RFC 9449 §7.1 / §8, AAP appendix C, RFC 6749 §5.2. */
export type SpecError =
  | 'invalid_request'
  | 'invalid_token'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'
  | 'aap_invalid_capability'
  | 'aap_constraint_violation'
  | 'aap_task_mismatch'
  | 'aap_approval_required'
  | 'aap_excessive_delegation'
  | 'aap_invalid_context'
  | 'aap_domain_not_allowed'
  | 'aap_agent_not_recognized'
  | 'aap_invalid_delegation_chain'
  | 'aap_capability_expired'
  | 'temporarily_unavailable';

/**
 * The policies an operator may roll out report-only (`GuardOptions.reportOnly`): each is a default that
 * got stricter, and its denies can be watched ("would deny", in the audit event) before they are enforced,
 * the way a CSP `Content-Security-Policy-Report-Only` header is.
 *
 * - `pop`: proof of possession required by the route's risk;
 * - `delegation-breadth`: a delegated token's capabilities bounded by its parent's;
 * - `context`: `context` restrictions the guard cannot verify refused (fail closed);
 * - `destination-ip`: `ip_ranges_allowed` checked against the declared target's address (§5.6.2), not
 *   the caller's — while report-only, the caller's address is still checked, as before.
 *
 * Never a token's signature, issuer, audience or lifetime, a proof, or a revocation: those are not
 * rollouts. The hour/day rate-limit windows are not a policy here either: their rollout is
 * `rateLimit.mode` (`'sliding'` keeps the old reading) — a report-only window would need a second
 * counter per window in every store.
 */
export type PolicyName = 'pop' | 'delegation-breadth' | 'context' | 'destination-ip';

/** Every `PolicyName`, for validating `reportOnly`. */
export const POLICY_NAMES: readonly PolicyName[] = Object.freeze([
  'pop',
  'delegation-breadth',
  'context',
  'destination-ip',
]);

interface Row {
  readonly status: 400 | 401 | 403 | 413 | 415 | 429 | 503;
  readonly error: SpecError;
  readonly description: string;
  /**
   * The rollout policy this reason belongs to, if any: with the policy report-only, a check that denies with
   * it where that policy can go on (`reportOrDeny(ctx, policy, deny)` in checks/report-only.ts, naming the
   * policy at the call site) records a "would deny" and lets the request go on; a reason of no policy, or of
   * another, is always enforced.
   */
  readonly policy?: PolicyName;
}

const req = (description: string): Row => ({ status: 400, error: 'invalid_request', description });
const tok = (description: string): Row => ({ status: 401, error: 'invalid_token', description });
const proof = (description: string): Row => ({ status: 401, error: 'invalid_dpop_proof', description });
const forbid = (error: SpecError, description: string): Row => ({ status: 403, error, description });
/** A row whose reason belongs to a rollout policy (report-only capable). */
const rollout = (policy: PolicyName, row: Row): Row => ({
  status: row.status,
  error: row.error,
  description: row.description,
  policy,
});

/** The table. Add a reason here and the type, the responses and the docs follow. */
export const REASONS = {
  // 1. credentials (RFC 6750 §2, §3.1; RFC 9449 §7.1)
  credentials_missing: tok('Authentication required'),
  credentials_multiple: req('More than one authentication method was used'),
  credentials_in_query: req('Access tokens must be sent in the Authorization header'),
  // an application/x-www-form-urlencoded body the guard could not read for an access_token (over
  // maxFormBodySize, or read before the guard with nothing to show), on a request without an AAP header token
  form_body_too_large: {
    status: 413,
    error: 'invalid_request',
    description: 'Request payload exceeds the allowed size',
  },
  authorization_malformed: req('The Authorization header is malformed'),
  request_invalid: req('The request could not be interpreted'),
  // 2. token (RFC 7519, RFC 8725, RFC 9068)
  token_too_large: tok('The access token is invalid'),
  token_malformed: tok('The access token is malformed'),
  token_alg_not_allowed: tok('The access token is invalid'),
  token_header_invalid: tok('The access token is invalid'),
  token_key_unknown: tok('The access token is invalid'),
  token_signature_invalid: tok('The access token is invalid'),
  token_expired: tok('The access token expired'),
  token_not_yet_valid: tok('The access token is not yet valid'),
  token_issuer_untrusted: tok('The access token is invalid'),
  token_audience_mismatch: tok('The access token is not intended for this audience'),
  token_claims_invalid: tok('The access token is missing required claims or they are malformed'),
  // the authorization server's introspection endpoint says the token is not active (RFC 7662 §2.2)
  token_inactive: tok('The access token is invalid'),
  // the client address presented too many tokens that failed validation (draft §12.11; options.failedValidations):
  // its unverified tokens wait for Retry-After, its verified (cached) ones keep working
  too_many_failed_validations: {
    status: 429,
    error: 'invalid_request',
    description: 'Too many failed authentication attempts',
  },
  // 3. proof of possession (RFC 9449, RFC 8705)
  // an unbound (bearer) token where proof of possession is required — by the guard, the route, or the
  // draft's risk criteria (§12.2, `pop: 'by-risk'`); a DPoP proof or the bound certificate meets it
  // policy 'pop': only the by-risk requirement may be rolled out report-only (checks/pop-by-risk.ts); a
  // requirement the guard or the route states is always enforced
  pop_required: rollout('pop', tok('A sender-constrained access token is required')),
  // deprecated alias of `pop_required`, sent where the requirement was asked as `dpop.mode` / route `dpop: 'required'`
  dpop_required: tok('A sender-constrained access token is required'),
  dpop_downgrade: tok('A sender-constrained access token was presented without its proof'),
  // DPoP scheme, or a DPoP-bound token, where `dpop.mode` / the route says `disabled`
  dpop_disabled: tok('DPoP is not accepted for this resource'),
  dpop_proof_missing: proof('A DPoP proof is required'),
  dpop_proof_invalid: proof('The DPoP proof is invalid'),
  dpop_htm_mismatch: proof('The DPoP proof is invalid'),
  dpop_htu_mismatch: proof('The DPoP proof is invalid'),
  dpop_iat_out_of_window: proof('The DPoP proof is invalid'),
  dpop_replay: proof('The DPoP proof is invalid'),
  dpop_ath_mismatch: proof('The DPoP proof is invalid'),
  dpop_key_mismatch: tok('The access token is not bound to this proof key'),
  dpop_nonce_required: {
    status: 401,
    error: 'use_dpop_nonce',
    description: 'Resource server requires nonce in DPoP proof',
  },
  mtls_certificate_missing: tok('A client certificate is required for this access token'),
  mtls_certificate_mismatch: tok('The client certificate does not match the access token'),
  // 4. revocation
  token_revoked: tok('The access token is invalid'),
  // the key that signed the token is distrusted by the operator (guard.keys.distrust; draft "Key Compromise Incident
  // Response")
  key_distrusted: tok('The access token is invalid'),
  // 5. agent, task, delegation
  agent_not_recognized: forbid('aap_agent_not_recognized', 'Agent identity not recognized by policy'),
  task_mismatch: forbid('aap_task_mismatch', 'Request inconsistent with the task binding'),
  task_expired: forbid('aap_task_mismatch', 'Request inconsistent with the task binding'),
  delegation_depth_exceeded: forbid('aap_excessive_delegation', 'Delegation depth exceeded'),
  delegation_chain_invalid: forbid('aap_invalid_delegation_chain', 'Delegation chain validation failed'),
  // a delegated token grants what its parent did not (draft "Delegation Chain Validation": never broader than the
  // parent)
  delegation_broader_than_parent: rollout(
    'delegation-breadth',
    forbid('aap_invalid_delegation_chain', 'Delegation chain validation failed'),
  ),
  // a delegated token whose parent no replica has seen, under `delegation.unknownParent: 'refuse'`
  delegation_parent_unknown: rollout(
    'delegation-breadth',
    forbid('aap_invalid_delegation_chain', 'Delegation chain validation failed'),
  ),
  // 6. capability and stateless constraints
  route_undeclared: forbid('aap_invalid_capability', 'No capability authorizes this request'),
  capability_missing: forbid('aap_invalid_capability', 'No capability authorizes this request'),
  domain_not_allowed: forbid('aap_domain_not_allowed', 'Domain not in allowed list'),
  method_not_allowed: forbid('aap_constraint_violation', 'The request violates capability constraints'),
  // 413 — the draft's table says `request_too_large`, its vector says `aap_constraint_violation`;
  // we send the vector's error code (it is the registered AAP code) and `request_too_large` as reason.
  request_too_large: {
    status: 413,
    error: 'aap_constraint_violation',
    description: 'Request payload exceeds the allowed size',
  },
  // a body in a content coding (gzip, deflate, br…) on a route with `max_request_size`: its decoded size is
  // what the handler gets, and it is not counted — 415 with `Accept-Encoding: identity` (RFC 9110 §15.5.16)
  content_encoding_unsupported: {
    status: 415,
    error: 'invalid_request',
    description: 'The request content encoding is not supported',
  },
  capability_expired: forbid('aap_capability_expired', 'The capability is not valid at this time'),
  // policy 'context': only the geo_restriction rule (fail closed since 0.2) is reported, never time or zone
  context_violation: rollout('context', forbid('aap_invalid_context', 'Context restriction violated')),
  constraint_violation: forbid('aap_constraint_violation', 'The request violates capability constraints'),
  constraint_unknown: forbid('aap_constraint_violation', 'The request violates capability constraints'),
  // `ip_ranges_allowed` (§5.6.2 "validates destination IP"): the declared target's address is not in range
  destination_not_allowed: rollout(
    'destination-ip',
    forbid('aap_constraint_violation', 'The request violates capability constraints'),
  ),
  // `ip_ranges_allowed` with no target, a host the app's `constraints.resolveTarget` could not resolve, or none
  // configured
  destination_unresolved: rollout(
    'destination-ip',
    forbid('aap_constraint_violation', 'The request violates capability constraints'),
  ),
  // 7. oversight
  approval_required: forbid('aap_approval_required', 'This action requires human approval'),
  hold_pending: forbid('aap_approval_required', 'This action requires human approval'),
  hold_denied: forbid('aap_approval_required', 'This action requires human approval'),
  hold_expired: forbid('aap_approval_required', 'This action requires human approval'),
  hold_mismatch: forbid('aap_approval_required', 'This action requires human approval'),
  hold_used: forbid('aap_approval_required', 'This action requires human approval'),
  // the body of a held action was read before the guard could bind the hold to it (a body parser mounted
  // before the guard, with no digest left under BODY_DIGEST): the approval could not be bound, so refused
  hold_body_unavailable: forbid('aap_approval_required', 'This action requires human approval'),
  // one agent has too many holds pending, or created too many in the last minute (oversight options)
  hold_quota_exceeded: {
    status: 429,
    error: 'aap_constraint_violation',
    description: 'Too many requests are awaiting human approval',
  },
  // 8. stateful
  rate_limited: {
    status: 429,
    error: 'aap_constraint_violation',
    description: 'Rate limit exceeded for this capability',
  },
  // infrastructure
  store_unavailable: {
    status: 503,
    error: 'temporarily_unavailable',
    description: 'The service is temporarily unavailable',
  },
  // a budget of the memory store is full of live entries: refused rather than forgetting one (Retry-After)
  store_full: { status: 503, error: 'temporarily_unavailable', description: 'The service is temporarily unavailable' },
  jwks_unavailable: {
    status: 503,
    error: 'temporarily_unavailable',
    description: 'The service is temporarily unavailable',
  },
  // the introspection endpoint is unreachable, slow, or answers garbage (RFC 7662); Retry-After follows its backoff
  introspection_unavailable: {
    status: 503,
    error: 'temporarily_unavailable',
    description: 'The service is temporarily unavailable',
  },
  // a token's capabilities_ref could not be resolved (fetch or resolver failed, or answered no capability list)
  capabilities_unavailable: {
    status: 503,
    error: 'temporarily_unavailable',
    description: 'The service is temporarily unavailable',
  },
  // a defect in a check: fail closed, never a 500 and never an allow
  internal_error: {
    status: 503,
    error: 'temporarily_unavailable',
    description: 'The service is temporarily unavailable',
  },
} as const satisfies Record<string, Row>;

/** Stable fine-grained deny reason codes. */
export type ReasonCode = keyof typeof REASONS;
