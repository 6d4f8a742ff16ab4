import type { Logger } from '../../base/log/logger.js';
import { checkKeys } from '../../base/types/known-keys.js';
import type { Hold, HoldBudget, HoldStore } from '../../base/stores/holds.js';
import { memoryHolds } from '../../base/stores/memory-holds.js';
import type { Store } from '../../base/stores/store.js';
import type { GuardOptions } from '../../base/types/options.js';
import { REDACTED_FIELDS, type PreviewSettings } from './preview.js';

/** Oversight hold settings: validated once, frozen. */
export interface HoldSettings {
  /** How long a hold can be approved and used, in ms. */
  readonly ttlMs: number;
  /** How long a record is kept past its expiry, so a late retry hears `hold_expired` (= ttlMs). */
  readonly retainMs: number;
  readonly match: 'token' | 'agent-task';
  readonly approvalUrl: ((hold: Hold) => string) | undefined;
  readonly onHold: ((hold: Hold) => void | Promise<void>) | undefined;
  /** Largest body a held action may carry (its digest is bound to the hold). */
  readonly maxBodyBytes: number;
  /** What one agent may have pending, and create per minute. */
  readonly budget: HoldBudget;
  /** Keep a bounded, redacted preview of the body on each hold (`oversight.preview`); off when undefined. */
  readonly preview: PreviewSettings | undefined;
}

/** Oversight holds' runtime: the hold store, the approval link a console registered, a once-logger. */
export interface HoldRuntime {
  readonly store: HoldStore;
  /** The approval link an approval console mounted for this guard registered (`guard.holds.linkApprovals`). */
  readonly consoleLink: ApprovalLinkSlot;
  /** Log, once, that a held action's body could not be read (a deployment problem, not a client one). */
  readonly warnBodyUnavailable: (problem: string) => void;
}

/** Where a mounted approval console registers the link to a hold's page: set once, by the first console. */
export interface ApprovalLinkSlot {
  link: ((hold: Hold) => string) | undefined;
}

/** Longest hold TTL accepted: 7 days. */
const MAX_TTL_SECONDS = 7 * 86_400;

/**
 * Validate `options.oversight` once and pick the hold store: the store's own `holds`, else memory.
 */
export function resolveHoldOptions(
  options: GuardOptions,
  store: Store,
  logger: Logger,
): { readonly settings: HoldSettings; readonly runtime: HoldRuntime } {
  const given = options.oversight ?? {};
  if (typeof given !== 'object' || given === null) throw new TypeError('options.oversight must be an object');
  const ttl = given.holdTtl ?? 3600;
  if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl <= 0 || ttl > MAX_TTL_SECONDS) {
    throw new TypeError(`options.oversight.holdTtl must be a number of seconds in (0, ${MAX_TTL_SECONDS}]`);
  }
  const match = given.match ?? 'token';
  if (match !== 'token' && match !== 'agent-task')
    throw new TypeError("options.oversight.match must be 'token' or 'agent-task'");
  for (const name of ['approvalUrl', 'onHold'] as const) {
    if (given[name] !== undefined && typeof given[name] !== 'function')
      throw new TypeError(`options.oversight.${name} must be a function`);
  }
  const holds = store.holds ?? memoryHolds();
  if (typeof holds.consume !== 'function' || typeof holds.create !== 'function') {
    throw new TypeError('options.store.holds must implement the HoldStore interface');
  }
  const ttlMs = Math.round(ttl * 1000);
  const settings: HoldSettings = Object.freeze({
    ttlMs,
    retainMs: ttlMs,
    match,
    approvalUrl: given.approvalUrl,
    onHold: given.onHold,
    maxBodyBytes: count(given.maxBodyBytes, 1_048_576, 'maxBodyBytes', 0, 1 << 30),
    preview: previewSettings(given.preview),
    budget: Object.freeze({
      maxPendingPerAgent: count(given.maxPendingPerAgent, 20, 'maxPendingPerAgent', 1, 1_000_000),
      maxPerMinute: count(given.maxHoldsPerMinute, 10, 'maxHoldsPerMinute', 1, 1_000_000),
    }),
  });
  const runtime: HoldRuntime = Object.freeze({
    store: holds,
    consoleLink: { link: undefined },
    warnBodyUnavailable: once((problem: string) =>
      logger.warn(
        { event: 'oversight.body_unavailable', problem },
        'a held action was refused: its body could not be bound to the hold (mount the guard before body parsers)',
      ),
    ),
  });
  return { settings, runtime };
}

/** `oversight.preview`: off unless given (`false` also turns it off). */
function previewSettings(given: unknown): PreviewSettings | undefined {
  if (given === undefined || given === false) return undefined;
  if (typeof given !== 'object' || given === null || Array.isArray(given))
    throw new TypeError('options.oversight.preview must be an object { maxBytes?, redact? }');
  checkKeys(given, ['maxBytes', 'redact'], 'createGuard(options.oversight.preview)');
  const { maxBytes, redact } = given as { maxBytes?: unknown; redact?: unknown };
  const names = new Set(REDACTED_FIELDS);
  if (Array.isArray(redact)) {
    for (const name of redact) {
      if (typeof name !== 'string' || name.length === 0)
        throw new TypeError('options.oversight.preview.redact must be field names (non-empty strings) or a function');
      names.add(name.toLowerCase());
    }
  } else if (redact !== undefined && typeof redact !== 'function') {
    throw new TypeError('options.oversight.preview.redact must be field names (non-empty strings) or a function');
  }
  const transform = typeof redact === 'function' ? (redact as PreviewSettings['transform']) : undefined;
  return Object.freeze({ maxBytes: count(maxBytes, 4096, 'preview.maxBytes', 1, 65_536), names, transform });
}

function count(value: unknown, fallback: number, name: string, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new TypeError(`options.oversight.${name} must be an integer between ${min} and ${max}`);
  }
  return value;
}

function once<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
  let done = false;
  return (...args) => {
    if (done) return;
    done = true;
    fn(...args);
  };
}
