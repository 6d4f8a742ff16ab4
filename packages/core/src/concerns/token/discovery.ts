import type { JWSHeaderParameters } from 'jose';
import { causeOf, Health } from '../../base/log/logger.js';
import { InfrastructureError } from '../../base/util/errors.js';
import { Backoff } from '../../base/http/backoff.js';
import { metadataEndpoint } from './metadata.js';
import type { KeyGetter, KeySource, KeySourceStatus, SourceContext, VerificationKey } from './key-source.js';
import { RemoteKeySet, type RemoteSettings } from './remote-keys.js';

/**
 * Keys of an issuer whose `jwks_uri` is discovered from its metadata: RFC 8414 §3.1
 * (`/.well-known/oauth-authorization-server` inserted before the issuer's path), falling back to
 * OpenID Connect Discovery 1.0 §4 (`/.well-known/openid-configuration` appended) when the first
 * answers anything but 200. Lazy (first token, or `guard.ready()`), single-flight, bounded by
 * `timeoutMs`; the metadata's `issuer` must equal ours exactly (RFC 8414 §3.3). Failures back off
 * (1 s … 5 min), are 503s, and are logged once per outage (`discovery.down` / `discovery.up`). Once
 * discovered, the key set behaves as a `RemoteKeySet`.
 */
export class DiscoveredKeys implements KeySource {
  #keys: RemoteKeySet | undefined;
  #pending: Promise<RemoteKeySet> | undefined;
  #lastError: { readonly message: string; readonly at: number } | undefined;
  readonly #backoff: Backoff;
  readonly #health: Health;

  constructor(
    private readonly issuerId: string,
    private readonly settings: RemoteSettings,
    private readonly context: SourceContext,
  ) {
    this.#backoff = new Backoff(context.now);
    this.#health = new Health(context.logger, 'discovery', { issuer: issuerId });
  }

  get epoch(): number {
    return this.#keys?.epoch ?? 0;
  }

  readonly key: KeyGetter = async (header: JWSHeaderParameters, token: string): Promise<VerificationKey> =>
    (this.#keys ?? (await this.#discover(false))).key(header, token);

  revalidate(now: number): Promise<void> | undefined {
    return this.#keys?.revalidate(now);
  }

  async prefetch(): Promise<void> {
    await (this.#keys ?? (await this.#discover(true))).prefetch();
  }

  async warm(): Promise<void> {
    await (this.#keys ?? (await this.#discover(false))).warm();
  }

  describe(): string {
    return this.#keys?.describe() ?? `metadata of ${this.issuerId}`;
  }

  status(now: number): KeySourceStatus {
    if (this.#keys) return Object.freeze({ ...this.#keys.status(now), source: 'discovery' });
    return Object.freeze({
      source: 'discovery',
      loaded: false,
      lastError: this.#lastError?.message,
      lastErrorAt: this.#lastError?.at,
    });
  }

  #discover(force: boolean): Promise<RemoteKeySet> {
    if (this.#pending) return this.#pending;
    if (!force && this.#backoff.blocked()) {
      return Promise.reject(
        new InfrastructureError(
          'jwks_unavailable',
          `metadata of ${this.issuerId} backing off after: ${this.#lastError?.message}`,
        ),
      );
    }
    this.#pending = this.#load().finally(() => (this.#pending = undefined));
    return this.#pending;
  }

  async #load(): Promise<RemoteKeySet> {
    let jwksUri: URL;
    try {
      jwksUri = await this.#jwksUri();
    } catch (error) {
      this.#backoff.fail();
      const message = String(causeOf(error).cause);
      this.#lastError = { message, at: this.context.now() };
      this.#health.down(error, `metadata discovery for ${this.issuerId} failed: its tokens get 503 jwks_unavailable`);
      throw new InfrastructureError('jwks_unavailable', message, { cause: error });
    }
    this.#backoff.succeed();
    this.#lastError = undefined;
    this.#health.up(`metadata of ${this.issuerId} discovered again`);
    this.#keys = new RemoteKeySet(jwksUri, this.settings, this.context);
    return this.#keys;
  }

  /** RFC 8414 §3 (then OpenID Connect Discovery): the issuer's `jwks_uri`, its `issuer` checked (§3.3). */
  #jwksUri(): Promise<URL> {
    return metadataEndpoint(this.issuerId, 'jwks_uri', this.settings.timeoutMs, this.context.allowInsecure);
  }
}
