import { LRUCache } from 'lru-cache';
import type { CapabilitiesRefOptions, CapabilitiesResolver } from '../../base/types/options.js';
import { causeOf, Health, type Logger } from '../../base/log/logger.js';
import { InfrastructureError } from '../../base/util/errors.js';
import { secureUrl } from '../../base/util/secure-url.js';
import { Backoff } from '../../base/http/backoff.js';
import { freshnessMs, MAX_FRESH_MS } from '../../base/http/cache-control.js';
import { fetchDocument, FetchError } from '../../base/http/fetch-document.js';

/** A resolved capability set and until when it may be used (ms, on the guard's clock). */
export interface CapabilitySet {
  readonly capabilities: unknown;
  readonly freshUntil: number;
}

/** Failures wait 1 s … 5 min per reference before it is fetched again. */
interface Failure {
  readonly backoff: Backoff;
  message: string;
}

/**
 * Resolves `capabilities_ref` URIs by `fetch` or a resolver function: one call in flight per issuer and
 * reference, results cached (bounded LRU; freshness from `Cache-Control` for fetches), failures backed off
 * per issuer and reference and logged once per state change (`capabilities.down` / `capabilities.up`). The
 * key names the token's issuer: a reference is the issuer's name for a set (the resolver is told `iss` and
 * may answer per issuer), so one issuer's set never stands in for another issuer's token. Every failure is
 * an `InfrastructureError('capabilities_unavailable')`: the token is refused with 503, never admitted.
 */
export class CapabilityRefs {
  readonly #cache: LRUCache<string, CapabilitySet>;
  readonly #failures: LRUCache<string, Failure>;
  readonly #inflight = new Map<string, Promise<CapabilitySet>>();
  readonly #health: Health;

  constructor(
    private readonly settings: {
      readonly resolver: CapabilitiesResolver | undefined;
      readonly timeoutMs: number;
      readonly cacheMaxAgeMs: number;
      readonly cacheSize: number;
    },
    private readonly context: { readonly now: () => number; readonly logger: Logger },
  ) {
    this.#cache = new LRUCache({ max: settings.cacheSize });
    this.#failures = new LRUCache({ max: settings.cacheSize });
    this.#health = new Health(context.logger, 'capabilities', {});
  }

  /** The capability set of `ref` for a token of `token.iss`, cached while fresh. */
  resolve(ref: string, token: Parameters<CapabilitiesResolver>[1]): CapabilitySet | Promise<CapabilitySet> {
    const key = JSON.stringify([token.iss, ref]);
    const hit = this.#cache.get(key);
    if (hit && hit.freshUntil > this.context.now()) return hit;
    let pending = this.#inflight.get(key);
    if (!pending) {
      pending = this.#load(key, ref, token).finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, pending);
    }
    return pending;
  }

  async #load(key: string, ref: string, token: Parameters<CapabilitiesResolver>[1]): Promise<CapabilitySet> {
    const failure = this.#failures.get(key);
    if (failure?.backoff.blocked())
      throw new InfrastructureError(
        'capabilities_unavailable',
        `capabilities_ref backing off after: ${failure.message}`,
      );
    try {
      const set = await this.#fetch(ref, token);
      this.#cache.set(key, set);
      this.#failures.delete(key);
      this.#health.up('capability sets resolve again');
      return set;
    } catch (error) {
      const entry = failure ?? { backoff: new Backoff(this.context.now), message: '' };
      entry.backoff.fail();
      entry.message = String(causeOf(error).cause);
      this.#failures.set(key, entry);
      this.#health.down(error, 'a capabilities_ref could not be resolved: its tokens get 503 capabilities_unavailable');
      throw new InfrastructureError('capabilities_unavailable', entry.message, { cause: error });
    }
  }

  async #fetch(ref: string, token: Parameters<CapabilitiesResolver>[1]): Promise<CapabilitySet> {
    const now = this.context.now();
    if (this.settings.resolver) {
      return {
        capabilities: listOf(await this.settings.resolver(ref, token), 'the capabilities resolver'),
        freshUntil: now + this.settings.cacheMaxAgeMs,
      };
    }
    const label = `capability set ${ref}`;
    const { body, headers } = await fetchDocument(new URL(ref), label, this.settings.timeoutMs);
    return { capabilities: listOf(body, label), freshUntil: now + freshnessMs(headers, this.settings.cacheMaxAgeMs) };
  }
}

/** A capability set is an array of objects, or `{ capabilities: [...] }` (the claim's own shape). */
function listOf(value: unknown, label: string): readonly unknown[] {
  const list = Array.isArray(value) ? value : (value as { capabilities?: unknown } | null)?.capabilities;
  if (
    !Array.isArray(list) ||
    !list.every((item) => item !== null && typeof item === 'object' && !Array.isArray(item))
  ) {
    throw new FetchError(`${label} answered something that is not a list of capabilities`);
  }
  return list;
}

/**
 * Validate `options.capabilitiesRef` once. Throws `TypeError` naming the option.
 */
export function resolveCapabilityRefOptions(
  given: CapabilitiesRefOptions | undefined,
  allowInsecure: boolean,
): {
  readonly mode: 'fetch' | 'introspection' | 'function';
  readonly allowedUrls: readonly string[];
  readonly settings: ConstructorParameters<typeof CapabilityRefs>[0];
} {
  const options = given ?? {};
  if (options === null || typeof options !== 'object') throw new TypeError('options.capabilitiesRef must be an object');
  const resolve = options.resolve ?? 'fetch';
  if (resolve !== 'fetch' && resolve !== 'introspection' && typeof resolve !== 'function') {
    throw new TypeError("options.capabilitiesRef.resolve must be 'fetch', 'introspection' or a function");
  }
  const allowedUrls = options.allowedUrls ?? [];
  if (!Array.isArray(allowedUrls)) {
    throw new TypeError('options.capabilitiesRef.allowedUrls must be an array of absolute https URL prefixes');
  }
  // The guard trusts the capability sets these answer: the one URL rule (base/util/secure-url.ts).
  allowedUrls.forEach((url, index) => secureUrl(url, `options.capabilitiesRef.allowedUrls[${index}]`, allowInsecure));
  const int = (value: unknown, fallback: number, name: string, min: number, max: number): number => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
      throw new TypeError(`options.capabilitiesRef.${name} must be an integer between ${min} and ${max}`);
    return value;
  };
  return Object.freeze({
    mode: typeof resolve === 'function' ? 'function' : resolve,
    allowedUrls: Object.freeze([...allowedUrls]),
    settings: Object.freeze({
      resolver: typeof resolve === 'function' ? resolve : undefined,
      timeoutMs: int(options.timeoutMs, 5_000, 'timeoutMs', 1, 60_000),
      cacheMaxAgeMs: int(options.cacheMaxAgeMs, 600_000, 'cacheMaxAgeMs', 1, MAX_FRESH_MS),
      cacheSize: int(options.cacheSize, 1_000, 'cacheSize', 1, 1_000_000),
    }),
  });
}
