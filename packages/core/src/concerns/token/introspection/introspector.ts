import { LRUCache } from 'lru-cache';
import { causeOf, Health, type Logger } from '../../../base/log/logger.js';
import { Backoff } from '../../../base/http/backoff.js';
import { metadataEndpoint } from '../metadata.js';
import { InfrastructureError } from '../../../base/util/errors.js';
import type { Authenticate } from './client-auth.js';
import { postIntrospection, type IntrospectionAnswer, type IntrospectionCall } from './post-introspection.js';

/** The resolved settings of one introspection endpoint. */
export interface IntrospectorSettings {
  /** The issuer whose tokens this endpoint answers for (its client assertion audience, its metadata). */
  readonly issuer: string;
  /** Given, or `undefined`: read from the issuer's metadata (`introspection_endpoint`) on first use. */
  readonly endpoint: URL | undefined;
  readonly authenticate: Authenticate;
  readonly timeoutMs: number;
  /** Entries cached (0: none — concurrent calls are still coalesced). */
  readonly cacheSize: number;
  /** Longest an active answer is trusted, in ms (never past the token's `exp`). */
  readonly maxTtlMs: number;
  /** How long an inactive answer is remembered, in ms. */
  readonly inactiveTtlMs: number;
  readonly jwt: IntrospectionCall['jwt'];
  /** `allowInsecureRequests`: an endpoint read from metadata may be http on a non-loopback host. */
  readonly allowInsecure: boolean;
}

/** Total token bytes the cache may hold. */
const MAX_BYTES = 32 * 1024 * 1024;

/**
 * The guard's line to one RFC 7662 introspection endpoint. Each answer is turned once into what the
 * pipeline needs (`finish`) and cached under the token — an active one until the token's `exp` and at
 * most `maxTtlMs`, an inactive one for `inactiveTtlMs` — in a bounded LRU (entries and bytes). Concurrent
 * lookups of one token share one call (single flight). A failed call (unreachable, slow, another status,
 * garbage) opens the circuit: for 1 s, then 2 s, 4 s … 5 min no call is made and lookups fail at once with
 * `InfrastructureError('introspection_unavailable')`; `retryAfterMs()` says for how long. Failures and the
 * recovery are logged once per state change (`introspection.down` / `introspection.up`), never the token.
 */
export class Introspector<T> {
  readonly #cache: LRUCache<string, { readonly value: T }> | undefined;
  readonly #inflight = new Map<string, Promise<T>>();
  readonly #backoff: Backoff;
  readonly #health: Health;
  #endpoint: URL | undefined;
  #lastError: string | undefined;

  constructor(
    private readonly settings: IntrospectorSettings,
    private readonly context: { readonly now: () => number; readonly logger: Logger },
    private readonly finish: (answer: IntrospectionAnswer, token: string) => T | Promise<T>,
  ) {
    this.#endpoint = settings.endpoint;
    this.#backoff = new Backoff(context.now);
    this.#health = new Health(context.logger, 'introspection', {
      issuer: settings.issuer,
      endpoint: settings.endpoint?.href ?? 'metadata',
    });
    this.#cache =
      settings.cacheSize > 0
        ? new LRUCache({
            max: settings.cacheSize,
            maxSize: MAX_BYTES,
            sizeCalculation: (_v, token) => token.length,
            perf: { now: context.now },
            ttlResolution: 0,
          })
        : undefined;
  }

  /** The outcome for `token`: cached (synchronously), or one call shared by every concurrent lookup. */
  lookup(token: string): T | Promise<T> {
    const hit = this.#cache?.get(token);
    if (hit) return hit.value;
    let pending = this.#inflight.get(token);
    if (!pending) {
      pending = this.#call(token).finally(() => this.#inflight.delete(token));
      this.#inflight.set(token, pending);
    }
    return pending;
  }

  /** How long the circuit stays open, in ms (0 when closed): the `Retry-After` of a 503. */
  retryAfterMs(): number {
    return this.#backoff.waitMs();
  }

  /** The last failure, for health reports (cleared by a success). */
  get lastError(): string | undefined {
    return this.#lastError;
  }

  async #call(token: string): Promise<T> {
    const answer = await this.#answer(token);
    const value = await this.finish(answer, token);
    const ttl = this.#ttl(answer);
    if (ttl >= 1) this.#cache?.set(token, { value }, { ttl });
    return value;
  }

  async #answer(token: string): Promise<IntrospectionAnswer> {
    if (this.#backoff.blocked()) {
      throw new InfrastructureError(
        'introspection_unavailable',
        `introspection of ${this.settings.issuer} backing off after: ${this.#lastError}`,
      );
    }
    try {
      const { issuer, timeoutMs, allowInsecure } = this.settings;
      this.#endpoint ??= await metadataEndpoint(issuer, 'introspection_endpoint', timeoutMs, allowInsecure);
      const endpoint = this.#endpoint;
      const credentials = await this.settings.authenticate(this.settings.issuer);
      const answer = await postIntrospection(token, {
        endpoint,
        credentials,
        timeoutMs: this.settings.timeoutMs,
        jwt: this.settings.jwt,
      });
      this.#backoff.succeed();
      this.#lastError = undefined;
      this.#health.up(`introspection endpoint of ${this.settings.issuer} answers again`);
      return answer;
    } catch (error) {
      this.#backoff.fail();
      this.#lastError = String(causeOf(error).cause);
      this.#health.down(
        error,
        `introspection of ${this.settings.issuer} failed: tokens needing it get 503 introspection_unavailable`,
      );
      throw new InfrastructureError('introspection_unavailable', this.#lastError, { cause: error });
    }
  }

  /** Active: until `exp`, at most `maxTtlMs`; inactive: `inactiveTtlMs`. */
  #ttl(answer: IntrospectionAnswer): number {
    if (!answer.active) return this.settings.inactiveTtlMs;
    const exp = answer.exp;
    const untilExp =
      typeof exp === 'number' && Number.isFinite(exp)
        ? Math.floor(exp * 1000 - this.context.now())
        : this.settings.maxTtlMs;
    return Math.min(untilExp, this.settings.maxTtlMs);
  }
}
