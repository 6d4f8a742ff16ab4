import { isIP } from 'node:net';
import { MemoryCounters } from '../../base/stores/memory-counters.js';
import type { WindowSpec } from '../../base/stores/store.js';
import type { ReasonCode } from '../../base/deny/reasons.js';
import type { FailedValidationOptions } from '../../base/types/options.js';

/**
 * `failedValidations` validated: how many failures a client address may have per window, and how many addresses are
 * counted.
 */
export interface FailedValidationSettings {
  readonly max: number;
  readonly windowMs: number;
  readonly maxAddresses: number;
}

/**
 * The failures of the token itself that count against its client address: it did not parse, its signature,
 * algorithm, header, key, issuer, audience, lifetime or claims were wrong, or its authorization server says
 * it is not active. Never a capability deny of a valid token, a revocation, a DPoP proof, nor an outage.
 */
const COUNTED: ReadonlySet<ReasonCode> = new Set<ReasonCode>([
  'token_malformed',
  'token_alg_not_allowed',
  'token_header_invalid',
  'token_key_unknown',
  'token_signature_invalid',
  'token_expired',
  'token_not_yet_valid',
  'token_issuer_untrusted',
  'token_audience_mismatch',
  'token_claims_invalid',
  'token_inactive',
]);

/**
 * Whether a deny of the token step counts as a failed validation.
 *
 * @example
 * countsAsFailedValidation('token_signature_invalid'); // true
 * countsAsFailedValidation('jwks_unavailable'); // false: an outage is not the client's failure
 */
export function countsAsFailedValidation(reason: ReasonCode): boolean {
  return COUNTED.has(reason);
}

/**
 * Failed token validations per client address (draft §12.11, "rate-limit the number of token validation
 * attempts per source IP"), PER REPLICA, in memory:
 *
 * - What it protects is this process's work — a signature verification, a key refresh, an introspection
 *   call per forged token — so the budget is this process's too. Counting in the shared store would turn
 *   every garbage token into a store round trip: the flood would reach Redis, and a store outage would
 *   decide how authentication failures are counted. Behind N replicas an address gets N × `max` failures
 *   per window at most.
 * - The same bucketed windows as the rate limits (`MemoryCounters`, a sliding window in 61 buckets):
 *   checked before an uncached token is verified, counted only after it failed. A cached token (verified
 *   before) is never checked nor counted, so clients behind one NAT keep working with their tokens while a
 *   neighbour's garbage is refused; a request the coexistence rules let through (no AAP token) never
 *   reaches verification.
 * - Bounded: at most `maxAddresses` counters. When they are all live, a new address is not counted until
 *   one expires (its tokens are still verified in full: this is a brake on cost, not an authorization rule).
 * - An IPv6 client is counted by its /64 (one host usually holds a whole /64); an address the guard could
 *   not resolve (a malformed forwarded hop) shares one counter.
 */
export class FailedValidations {
  readonly #counters: MemoryCounters;
  /** Verifications under way per source: each may still fail, so each holds a place in the budget. */
  readonly #pending = new Map<string, number>();

  constructor(readonly settings: FailedValidationSettings) {
    this.#counters = new MemoryCounters(settings.maxAddresses);
  }

  /**
   * ms until `ip` may present an unverified token again; 0 when it may now. The failures counted and the
   * verifications of its tokens still under way count alike — else a burst of concurrent forged tokens would
   * all pass the check before the first failure is counted. Changes nothing.
   */
  wait(ip: string | undefined, now: number): number {
    this.#counters.sweep(now);
    const probe = this.#counters.probe(this.#spec(ip), now);
    if (probe.admitAt > now) return probe.admitAt - now;
    return probe.used + (this.#pending.get(sourceOf(ip)) ?? 0) >= this.settings.max ? PENDING_WAIT_MS : 0;
  }

  /** A verification of a token from `ip` begins; `done()` ends it, whatever its outcome. */
  begin(ip: string | undefined): () => void {
    const source = sourceOf(ip);
    this.#pending.set(source, (this.#pending.get(source) ?? 0) + 1);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const left = (this.#pending.get(source) ?? 1) - 1;
      if (left > 0) this.#pending.set(source, left);
      else this.#pending.delete(source);
    };
  }

  /** Count one failed validation of a token from `ip`. */
  record(ip: string | undefined, now: number): void {
    this.#counters.sweep(now);
    const probe = this.#counters.probe(this.#spec(ip), now);
    if (probe.admitAt > now || !this.#counters.fits([probe])) return; // over the limit already, or the budget is full
    this.#counters.record(probe);
  }

  clear(): void {
    this.#counters.clear();
    this.#pending.clear();
  }

  #spec(ip: string | undefined): WindowSpec {
    return { key: sourceOf(ip), limit: this.settings.max, windowMs: this.settings.windowMs, mode: 'sliding' };
  }
}

/**
 * What a failure is counted against: an IPv4 address, an IPv6 address's /64, or `?` for an unknown one.
 *
 * @example
 * sourceOf('2001:db8:1:2:aaaa::1'); // '2001:db8:1:2::/64'
 */
export function sourceOf(ip: string | undefined): string {
  if (ip === undefined) return '?';
  if (isIP(ip) !== 6) return ip;
  const [head = '', tail] = ip.toLowerCase().split('::');
  const groups = head === '' ? [] : head.split(':');
  if (tail !== undefined) while (groups.length < 4) groups.push('0'); // '::' fills with zeros
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** Retry-After of a refusal while the address's verifications under way fill its budget: they end within a second. */
const PENDING_WAIT_MS = 1000;

const DEFAULTS: FailedValidationSettings = Object.freeze({ max: 300, windowMs: 60_000, maxAddresses: 10_000 });

/**
 * Validate `options.failedValidations` once: `false` turns the throttle off, `undefined` keeps the defaults
 * (300 failures per client address per minute, 10,000 addresses counted). Throws `TypeError` naming the option.
 *
 * @example
 * resolveFailedValidations({ max: 50 })?.settings; // { max: 50, windowMs: 60000, maxAddresses: 10000 }
 */
export function resolveFailedValidations(
  option: FailedValidationOptions | false | undefined,
): FailedValidations | undefined {
  if (option === false) return undefined;
  if (option === undefined) return new FailedValidations(DEFAULTS);
  if (option === null || typeof option !== 'object')
    throw new TypeError('options.failedValidations must be false or { max?, windowMs?, maxAddresses? }');
  const max = integer(option.max, DEFAULTS.max, 'max', 1, 1_000_000);
  const windowMs = integer(option.windowMs, DEFAULTS.windowMs, 'windowMs', 60, 86_400_000);
  if (windowMs % 60 !== 0)
    throw new TypeError(
      'options.failedValidations.windowMs must be a multiple of 60 (a sliding window counts in 60 buckets)',
    );
  const maxAddresses = integer(option.maxAddresses, DEFAULTS.maxAddresses, 'maxAddresses', 1, 10_000_000);
  return new FailedValidations(Object.freeze({ max, windowMs, maxAddresses }));
}

function integer(value: unknown, fallback: number, name: string, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new TypeError(`options.failedValidations.${name} must be an integer between ${min} and ${max}`);
  }
  return value;
}
