import { createLocalJWKSet, type JSONWebKeySet, type JWK, type JWSHeaderParameters } from 'jose';
import { causeOf, Health } from '../../base/log/logger.js';
import { InfrastructureError } from '../../base/util/errors.js';
import { Backoff } from '../../base/http/backoff.js';
import { freshnessMs, MAX_FRESH_MS } from '../../base/http/cache-control.js';
import { fetchDocument, FetchError } from '../../base/http/fetch-document.js';
import { keyChange, keyIds, type KeyIds } from './key-ids.js';
import type { KeyGetter, KeySource, KeySourceStatus, SourceContext, VerificationKey } from './key-source.js';

/** Resolved settings of a remote JWKS. */
export interface RemoteSettings {
  readonly timeoutMs: number;
  readonly cooldownMs: number;
  /** Freshness of a response without `Cache-Control: max-age` / `Expires`. */
  readonly cacheMaxAgeMs: number;
}

/** One successful fetch. */
interface Loaded {
  readonly find: (header: JWSHeaderParameters) => Promise<VerificationKey>;
  readonly ids: KeyIds;
  readonly count: number;
  readonly fetchedAt: number;
  readonly freshMs: number;
}

/**
 * Keys from a remote JWKS (draft "JWKS Caching and Refresh"): fetched with our own `fetch` (published
 * on `aap-guard:jwks`) and looked up with jose's `createLocalJWKSet`, so that each refresh is seen:
 * - fresh for the response's `Cache-Control: max-age` (or `Expires`), within 5 min … 24 h, else
 *   `cacheMaxAgeMs`; on the guard's clock;
 * - refetched on an unknown `kid` at most once per `cooldownMs`; one fetch in flight; `timeoutMs` each;
 * - failures back off exponentially (1 s … 5 min) and are 503s while no usable set is at hand; a set
 *   that went stale keeps serving while refreshes fail, never past 24 h after its fetch (RFC 5861
 *   stale-if-error within the draft's cap);
 * - a refresh that withdraws keys (removed, or replaced under the same `kid`) evicts the cached tokens
 *   they verified, and logs the rotation; failures and recoveries are logged once per state change.
 */
export class RemoteKeySet implements KeySource {
  #loaded: Loaded | undefined;
  #pending: Promise<void> | undefined;
  #attemptAt = Number.NEGATIVE_INFINITY;
  #lastError: { readonly message: string; readonly at: number } | undefined;
  #epoch = 0;
  readonly #backoff: Backoff;
  readonly #health: Health;
  readonly #label: string;

  constructor(
    readonly uri: URL,
    private readonly settings: RemoteSettings,
    private readonly context: SourceContext,
  ) {
    this.#backoff = new Backoff(context.now);
    this.#health = new Health(context.logger, 'jwks', { uri: uri.href, issuers: context.issuers });
    this.#label = `JWKS ${uri.href}`;
  }

  get epoch(): number {
    return this.#epoch;
  }

  readonly key: KeyGetter = async (header: JWSHeaderParameters): Promise<VerificationKey> => {
    await this.revalidate(this.context.now());
    try {
      return await this.#loaded!.find(header);
    } catch (error) {
      const unknownKid = (error as { code?: unknown } | null)?.code === 'ERR_JWKS_NO_MATCHING_KEY';
      if (!unknownKid || this.context.now() < this.#attemptAt + this.settings.cooldownMs) throw error;
    }
    await this.#refresh(false); // draft: MUST refresh on an unknown kid (bounded by the cooldown)
    return this.#loaded!.find(header);
  };

  revalidate(now: number): Promise<void> | undefined {
    const loaded = this.#loaded;
    if (loaded && now - loaded.fetchedAt < loaded.freshMs) return undefined;
    return this.#renew();
  }

  prefetch(): Promise<void> {
    const loaded = this.#loaded;
    if (loaded && this.context.now() - loaded.fetchedAt < loaded.freshMs && !this.#lastError) return Promise.resolve();
    return this.#refresh(true);
  }

  warm(): Promise<void> {
    if (this.#loaded && !this.#lastError) return Promise.resolve();
    return this.#refresh(false);
  }

  describe(): string {
    return this.#label;
  }

  status(now: number): KeySourceStatus {
    const loaded = this.#loaded;
    return Object.freeze({
      source: 'remote',
      uri: this.uri.href,
      loaded: loaded !== undefined,
      ageMs: loaded && now - loaded.fetchedAt,
      stale: loaded && now - loaded.fetchedAt >= loaded.freshMs,
      keys: loaded?.count,
      lastError: this.#lastError?.message,
      lastErrorAt: this.#lastError?.at,
    });
  }

  /** Refresh a missing or stale set; keep serving a stale one (< 24 h old) when the refresh fails. */
  async #renew(): Promise<void> {
    try {
      await this.#refresh(false);
    } catch (error) {
      const loaded = this.#loaded;
      if (!loaded || this.context.now() - loaded.fetchedAt >= MAX_FRESH_MS) throw error;
    }
  }

  /** One fetch in flight; none during the backoff unless forced (`prefetch`). */
  #refresh(force: boolean): Promise<void> {
    if (this.#pending) return this.#pending;
    if (!force && this.#backoff.blocked()) {
      return Promise.reject(
        new InfrastructureError('jwks_unavailable', `${this.#label} backing off after: ${this.#lastError?.message}`),
      );
    }
    this.#pending = this.#load().finally(() => (this.#pending = undefined));
    return this.#pending;
  }

  async #load(): Promise<void> {
    this.#attemptAt = this.context.now();
    let next: Loaded;
    try {
      const { body, headers } = await fetchDocument(this.uri, this.#label, this.settings.timeoutMs);
      const jwks = keySet(body, this.#label);
      const find = createLocalJWKSet(jwks);
      const ids = await keyIds(jwks.keys);
      next = {
        find,
        ids,
        count: jwks.keys.length,
        fetchedAt: this.context.now(),
        freshMs: freshnessMs(headers, this.settings.cacheMaxAgeMs),
      };
    } catch (error) {
      this.#backoff.fail();
      const message = String(causeOf(error).cause);
      this.#lastError = { message, at: this.context.now() };
      this.#health.down(error, `${this.#label} could not be fetched: tokens needing its keys get 503 jwks_unavailable`);
      throw new InfrastructureError('jwks_unavailable', message, { cause: error });
    }
    const before = this.#loaded;
    this.#loaded = next;
    this.#backoff.succeed();
    this.#lastError = undefined;
    this.#health.up(`${this.#label} fetched again`);
    if (before) this.#rotated(before.ids, next.ids);
  }

  /** Evict what withdrawn keys verified, and say what changed. */
  #rotated(before: KeyIds, after: KeyIds): void {
    const change = keyChange(before, after);
    if (change.added.length + change.removed.length + change.replaced.length === 0) return;
    let evicted = 0;
    if (change.withdrawn.size > 0) {
      this.#epoch += 1;
      evicted = this.context.withdrawn(change.withdrawn);
    }
    const { added, removed, replaced } = change;
    const fields = {
      event: 'jwks.rotated',
      component: 'jwks',
      uri: this.uri.href,
      issuers: this.context.issuers,
      added,
      removed,
      replaced,
      evicted,
    };
    this.context.logger.info(
      fields,
      `${this.#label} changed: ${added.length} key(s) added, ${removed.length + replaced.length} withdrawn`,
    );
  }
}

/** A JSON Web Key Set (RFC 7517 §5): an object whose `keys` is an array of objects. */
function keySet(body: unknown, label: string): JSONWebKeySet {
  const keys = (body as { keys?: unknown } | null)?.keys;
  if (
    typeof body !== 'object' ||
    body === null ||
    !Array.isArray(keys) ||
    !keys.every((key) => typeof key === 'object' && key !== null && !Array.isArray(key))
  ) {
    throw new FetchError(`${label} answered JSON that is not a JSON Web Key Set`);
  }
  return { keys: keys as JWK[] };
}
