import type { AuditTarget } from '../base/audit/safe-sink.js';
import type { Hold, HoldFilter, HoldStatus, HoldUpdate } from '../base/stores/holds.js';
import { scopeOf, type IssuerScope } from '../concerns/token/issuer-scope.js';
import { auditHold } from '../base/audit/operation-events.js';
import type { HoldRuntime, HoldSettings } from '../concerns/holds/options.js';
import { HOLD_ID } from '../concerns/holds/hold-id.js';

/** A human decision, as given to `guard.holds.approve()` / `deny()`. */
export interface HoldDecisionInput {
  /** Who decides (user id, e-mail…): required, recorded on the hold and in the audit event. */
  readonly by: string;
  readonly note?: string | undefined;
}

/**
 * `guard.holds`: look at holds and decide on them. Store faults reject (the admin routers answer 503).
 *
 * @example
 * const [oldest] = await guard.holds.list({ status: 'pending' });
 * const result = await guard.holds.approve(oldest!.id, { by: 'alice@example.com' });
 * if (!result.ok) console.log(result.problem); // 'unknown' | 'expired' | 'denied' | …
 */
export interface HoldsApi {
  get(id: string): Promise<Hold | undefined>;
  list(filter?: HoldFilter): Promise<readonly Hold[]>;
  approve(id: string, decision: HoldDecisionInput): Promise<HoldUpdate>;
  deny(id: string, decision: HoldDecisionInput): Promise<HoldUpdate>;
  /**
   * Make `link(hold)` the `approval_reference` of new holds — the hold's page in an approval console
   * mounted for this guard (`@aap-guard/admin` calls it) — unless `oversight.approvalUrl` is configured,
   * which comes first. The first link registered wins; returns whether this one was taken. A link that
   * throws or returns no string falls back to the token's `approval_reference`.
   */
  linkApprovals(link: (hold: Hold) => string): boolean;
}

const STATUSES: readonly HoldStatus[] = ['pending', 'approved', 'denied', 'used'];

/** What `guard.holds` reads of the guard's settings and runtime. */
interface HoldsApiContext {
  readonly settings: { readonly holds: Pick<HoldSettings, 'approvalUrl'> };
  readonly runtime: AuditTarget & {
    readonly holds: HoldRuntime;
    readonly now: () => number;
    /** The issuer scopes, to read a `list({ issuer })` filter given by any name of an authorization server. */
    readonly token: { readonly keys: { readonly scopes: ReadonlyMap<string, IssuerScope> } };
  };
}

/**
 * Build `guard.holds` over the guard's settings and runtime. Programming errors (no `by`, a bad filter) throw
 * `TypeError`; an id that is not one of ours is simply unknown.
 */
export function holdsApi({ settings, runtime }: HoldsApiContext): HoldsApi {
  const store = runtime.holds.store;
  const decide = async (to: 'approved' | 'denied', id: string, input: HoldDecisionInput): Promise<HoldUpdate> => {
    const by = input?.by;
    if (typeof by !== 'string' || by.length === 0 || by.length > 256)
      throw new TypeError(`holds.${to === 'approved' ? 'approve' : 'deny'}(id, { by }): by must be a non-empty string`);
    const note = input.note;
    if (note !== undefined && (typeof note !== 'string' || note.length > 1024))
      throw new TypeError('holds decision note must be a string of at most 1024 characters');
    if (typeof id !== 'string' || !HOLD_ID.test(id)) return { ok: false, problem: 'unknown' };
    const verdict = { by, now: runtime.now(), note };
    const result = to === 'approved' ? await store.approve(id, verdict) : await store.deny(id, verdict);
    if (result.ok) auditHold(runtime, to, result.hold, by, verdict.now);
    return result;
  };
  return Object.freeze({
    async get(id: string) {
      return typeof id === 'string' && HOLD_ID.test(id) ? store.get(id, runtime.now()) : undefined;
    },
    async list(filter: HoldFilter = {}) {
      if (filter.status !== undefined && !STATUSES.includes(filter.status))
        throw new TypeError(`holds.list({ status }) must be one of ${STATUSES.join(', ')}`);
      const limit = filter.limit ?? 100;
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000)
        throw new TypeError('holds.list({ limit }) must be an integer in [1, 1000]');
      const issuer = filter.issuer;
      if (issuer !== undefined && typeof issuer !== 'string') {
        throw new TypeError('holds.list({ issuer }) must be a string');
      }
      // A hold records its issuer scope's name: any name of that authorization server finds its holds.
      const scopes = runtime.token.keys.scopes;
      const scoped = issuer === undefined ? filter : { ...filter, issuer: scopeOf(scopes, issuer).issuer };
      return store.list({ ...scoped, limit }, runtime.now());
    },
    approve: (id: string, input: HoldDecisionInput) => decide('approved', id, input),
    deny: (id: string, input: HoldDecisionInput) => decide('denied', id, input),
    linkApprovals(link: (hold: Hold) => string) {
      if (typeof link !== 'function') throw new TypeError('holds.linkApprovals(link): link must be a function');
      const slot = runtime.holds.consoleLink;
      if (slot.link !== undefined) return false;
      slot.link = link;
      return settings.holds.approvalUrl === undefined;
    },
  });
}
