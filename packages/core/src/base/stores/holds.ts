/**
 * The hold store: human-oversight holds, kept apart from the rate-limit `Store` so each
 * stays one small interface. Every method takes the request time `now` (the guard's injected clock).
 * A rejected promise means an infrastructure fault (the guard answers 503 `store_unavailable`).
 */

/** Life cycle of a hold: `pending` → `approved` → `used`, or `pending` → `denied`. Expiry is by time. */
export type HoldStatus = 'pending' | 'approved' | 'denied' | 'used';

/**
 * One request held for human approval.
 *
 * @example
 * const hold = await guard.holds.get(id);
 * if (hold?.status === 'pending') await guard.holds.approve(id, { by: 'alice@example.com' });
 */
export interface Hold {
  /** Random, unguessable (192 bits, base64url). */
  readonly id: string;
  readonly status: HoldStatus;
  /**
   * The authorization server whose agent is held: the name of the token's issuer scope — its `iss`, or the
   * first listed of the issuer names that share its keys. Agent, task and `jti` ids are that issuer's own
   * (RFC 7519 §4.1.7): two issuers' agents with one `agent.id` are two agents, with a budget each.
   */
  readonly issuer: string;
  readonly agent: { readonly id: string; readonly operator: string };
  /** The task the held request belongs to (`purpose` when the token said). */
  readonly task: { readonly id: string; readonly purpose?: string | undefined };
  /** The delegation chain of the held token (origin first), when it was delegated. */
  readonly chain?: readonly string[] | undefined;
  /** The held token's `jti`, when it has one. */
  readonly jti?: string | undefined;
  readonly action: string;
  /** Upper-case HTTP method. */
  readonly method: string;
  /** Path and query of the held request (`/v1/publish?draft=1`). */
  readonly path: string;
  /** base64url SHA-256 of the held request's body, when the adapter provided one. */
  readonly bodyDigest?: string | undefined;
  /** What the approver sees of the body (`oversight.preview`; off by default): bounded and redacted. */
  readonly preview?: HoldPreview | undefined;
  /** What the held request does in its protocol's terms, when its integration said (an MCP tool call). */
  readonly operation?: HoldOperation | undefined;
  /**
   * Where a human approves (the `approvalUrl(hold)` option, else its console page when a console is mounted, else the
   * token's `approval_reference`).
   */
  readonly approvalReference?: string | undefined;
  /** ms since the epoch. */
  readonly createdAt: number;
  /** ms since the epoch; a hold is unusable from this instant. */
  readonly expiresAt: number;
  /** Opaque digest of what a retry must match (subject, action, method, path, body digest). */
  readonly binding: string;
  readonly approvedBy?: string | undefined;
  readonly approvedAt?: number | undefined;
  readonly deniedBy?: string | undefined;
  readonly deniedAt?: number | undefined;
  /** Free text given with the approval or denial. */
  readonly note?: string | undefined;
  /** When the approved retry consumed the hold. */
  readonly usedAt?: number | undefined;
}

/**
 * A bounded, redacted view of a held request's body, kept next to its digest so that the approver sees
 * what is being approved (`oversight.preview`). Never the access token or a DPoP proof.
 *
 * @example
 * if (hold.preview?.text !== undefined) console.log(hold.preview.text, hold.preview.truncated ? '…' : '');
 */
export interface HoldPreview {
  /** The body's media type (`Content-Type` without parameters), when sent. */
  readonly contentType?: string | undefined;
  /** Size of the whole body in bytes, when known. */
  readonly bytes?: number | undefined;
  /** The body as text — redacted, cut at `oversight.preview.maxBytes` bytes of UTF-8; absent when not shown. */
  readonly text?: string | undefined;
  /** True when `text` is only the start of the (redacted) body. */
  readonly truncated?: boolean | undefined;
  /** When `truncated`: how many bytes (UTF-8) of the redacted text the cut hides. */
  readonly hiddenBytes?: number | undefined;
  /** When `truncated` and the body is a form: the fields the cut hides, wholly or in part. */
  readonly hiddenFields?: HiddenFields | undefined;
  /** Why there is no `text`. */
  readonly omitted?: HoldPreviewOmission | undefined;
}

/**
 * What a held request does in its protocol's own terms (`RequestInfo.operation`): an MCP `tools/call` is
 * `{ kind: 'mcp.tools/call', name: 'publish', arguments: { text: '{ "id": "d-1" }', … } }` where method and
 * path say only `POST /mcp`. The name is always kept; the arguments only with `oversight.preview`, as a
 * preview of their JSON: the same redaction (sensitive member names, the presented credentials, `redact`)
 * and the same bound (`maxBytes`).
 *
 * @example
 * if (hold.operation) console.log(hold.operation.name, hold.operation.arguments?.text ?? '');
 */
export interface HoldOperation {
  /** The protocol's word for it (`mcp.tools/call`). */
  readonly kind: string;
  /** Its name (the tool), invisible characters escaped, at most 200 characters. */
  readonly name: string;
  /** Its arguments as redacted, bounded JSON (`oversight.preview`); absent when previews are off. */
  readonly arguments?: HoldPreview | undefined;
}

/**
 * The fields of a form body past the preview's cut: an approver learns that they exist and what they are
 * called (`to`, `amount`…) however much padding comes before them.
 *
 * @example
 * const hidden = hold.preview?.hiddenFields;
 * if (hidden) console.log(`${hidden.count} more fields: ${hidden.names.join(', ')}`);
 */
export interface HiddenFields {
  /** Fields past the cut (the one it cuts through included). */
  readonly count: number;
  /** Distinct names among them. */
  readonly distinct: number;
  /** Those names in order of appearance, escaped as in the text; at most 50, each cut at 64 characters. */
  readonly names: readonly string[];
  /** The first of them is partly shown: the cut falls inside it. */
  readonly partial: boolean;
}

/**
 * Why a preview shows no text: `unavailable` (only a digest was given, no bytes), `binary` (not a text
 * media type), `not_utf8`, `unparsable` (JSON or form that cannot be parsed, so cannot be redacted),
 * `redact_failed` (the `redact` function threw or returned no string).
 */
export type HoldPreviewOmission = 'unavailable' | 'binary' | 'not_utf8' | 'unparsable' | 'redact_failed';

/** Why an update did not happen. `unknown`: no such hold (never existed, or its record is gone). */
export type HoldProblem = 'unknown' | 'mismatch' | 'expired' | HoldStatus;

/** The one result shape of `approve`, `deny` and `consume`. */
export type HoldUpdate =
  | { readonly ok: true; readonly hold: Hold }
  | { readonly ok: false; readonly problem: HoldProblem; readonly hold?: Hold | undefined };

/** A human decision on a hold. */
export interface HoldVerdict {
  /** Who decided (user id, e-mail…): recorded on the hold and in the audit event. */
  readonly by: string;
  /** The decision time in ms. */
  readonly now: number;
  readonly note?: string | undefined;
}

/**
 * What one agent may have in flight: checked and counted atomically with each creation. An agent is
 * `hold.issuer` and `hold.agent.id` together: another issuer's agent with the same id has a budget of its own.
 */
export interface HoldBudget {
  /** Holds of one agent that may be pending (not expired, not decided) at once. */
  readonly maxPendingPerAgent: number;
  /** Holds one agent may create in any 60-second interval (sliding). */
  readonly maxPerMinute: number;
}

/** The outcome of `create()`: recorded, or refused by a budget (nothing recorded then). */
export type HoldCreation =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** `pending`: the agent's pending cap; `rate`: its creation rate; `full`: the store's own capacity. */
      readonly problem: 'pending' | 'rate' | 'full';
      /** When a creation would be admitted again, when known (ms from now). */
      readonly retryAfterMs?: number | undefined;
    };

/** Filter of `list()`. */
export interface HoldFilter {
  readonly status?: HoldStatus | undefined;
  /** Holds of this issuer's agents (`Hold.issuer`; `guard.holds.list()` also takes another name of its scope). */
  readonly issuer?: string | undefined;
  /** Holds of agents with this id — of every issuer unless `issuer` is given too. */
  readonly agentId?: string | undefined;
  readonly taskId?: string | undefined;
  /** Most holds returned, newest first (default 100). */
  readonly limit?: number | undefined;
}

/**
 * Storage of holds. `approve`, `deny` and `consume` are atomic compare-and-set operations: of several
 * racing calls (on one replica or many), exactly one succeeds.
 *
 * @example
 * const guard = createGuard({ ...options, store: { ...memoryStore(), holds: memoryHolds() } });
 */
export interface HoldStore {
  /**
   * Record a new pending hold — unless the agent's budget is spent (its pending holds, or its creations in
   * the last minute), checked and counted in the same atomic step; then nothing is recorded. The agent is
   * `hold.issuer` with `hold.agent.id`: budgets of two issuers' agents with the same id never mix. Keep the
   * record `retainMs` past `hold.expiresAt` (to report `hold_expired`). Pending holds never push out other
   * agents' holds, and an approved hold is never evicted before its record expires.
   */
  create(hold: Hold, options: { readonly retainMs: number; readonly budget: HoldBudget }): Promise<HoldCreation>;
  get(id: string, now: number): Promise<Hold | undefined>;
  /** Holds matching the filter, newest first — found through indexes by status, agent and task, whatever the volume. */
  list(filter: HoldFilter, now: number): Promise<readonly Hold[]>;
  /** `pending` and not expired → `approved` (records who and when). */
  approve(id: string, verdict: HoldVerdict): Promise<HoldUpdate>;
  /** `pending` and not expired → `denied` (records who and when). */
  deny(id: string, verdict: HoldVerdict): Promise<HoldUpdate>;
  /**
   * The retry: `approved`, not expired and `binding` equal → `used` (exactly once). Checked in this order:
   * unknown, binding (`mismatch`), `used`, `denied`, expiry (`expired`), `pending`.
   */
  consume(id: string, binding: string, now: number): Promise<HoldUpdate>;
  close?(): Promise<void>;
}
