import type { JWSHeaderParameters } from 'jose';
import { InfrastructureError } from '../util/errors.js';
import { jwksChannel, traced } from '../observe/channels.js';
import { Backoff } from './backoff.js';
import type { KeyGetter, VerificationKey } from './keys.js';
import { remoteKeys, type RemoteSettings } from './remote-keys.js';

/**
 * Keys of an issuer whose `jwks_uri` is discovered from its metadata: RFC 8414 §3.1
 * (`/.well-known/oauth-authorization-server` inserted before the issuer's path), falling back to
 * OpenID Connect Discovery 1.0 §4 (`/.well-known/openid-configuration` appended) when the first
 * answers anything but 200. Lazy (first token), single-flight, bounded by `timeoutMs`; the metadata's
 * `issuer` must equal ours exactly (RFC 8414 §3.3). Failures back off (1 s … 5 min) and are 503s.
 *
 * @example
 * const keys = discoveredKeys('https://as.example.com', settings, Date.now);
 */
export function discoveredKeys(issuerId: string, settings: RemoteSettings, now: () => number): KeyGetter {
  const issuer = new URL(issuerId);
  const backoff = new Backoff(now);
  let keys: KeyGetter | undefined;
  let pending: Promise<KeyGetter> | undefined;
  const discover = async (): Promise<KeyGetter> => {
    if (backoff.blocked()) throw new InfrastructureError('jwks_unavailable', `metadata of ${issuer.href} backing off after failures`);
    try {
      const jwksUri = await fetchJwksUri(issuerId, issuer, settings.timeoutMs);
      backoff.succeed();
      return remoteKeys(jwksUri, settings, now);
    } catch (error) {
      backoff.fail();
      throw new InfrastructureError('jwks_unavailable', `metadata discovery for ${issuer.href} failed: ${(error as Error)?.message}`, { cause: error });
    }
  };
  return async (header: JWSHeaderParameters, token: string): Promise<VerificationKey> => {
    if (!keys) {
      pending ??= discover().finally(() => (pending = undefined));
      keys = await pending;
    }
    return keys(header, token);
  };
}

/** The metadata URLs to try, in order. */
function metadataUrls(issuer: URL): readonly URL[] {
  const path = issuer.pathname === '/' ? '' : issuer.pathname.replace(/\/$/, '');
  const rfc8414 = new URL(issuer.origin);
  rfc8414.pathname = `/.well-known/oauth-authorization-server${path}`;
  const oidc = new URL(issuer.origin);
  oidc.pathname = `${path}/.well-known/openid-configuration`;
  return [rfc8414, oidc];
}

async function fetchJwksUri(issuerId: string, issuer: URL, timeoutMs: number): Promise<URL> {
  const signal = AbortSignal.timeout(timeoutMs);
  let last = '';
  for (const url of metadataUrls(issuer)) {
    const response = await traced(jwksChannel, { uri: url.href }, () => fetch(url, { signal, redirect: 'manual', headers: { accept: 'application/json' } }));
    if (response.status !== 200) {
      await response.body?.cancel();
      last = `${url.pathname} answered ${response.status}`;
      continue;
    }
    return jwksUriOf((await response.json()) as unknown, issuerId, issuer);
  }
  throw new Error(last);
}

/** RFC 8414 §3.3: `issuer` identical to ours; `jwks_uri` absolute http(s), never a downgrade from https. */
function jwksUriOf(metadata: unknown, issuerId: string, issuer: URL): URL {
  const { issuer: claimed, jwks_uri: jwksUri } = (metadata ?? {}) as { issuer?: unknown; jwks_uri?: unknown };
  if (claimed !== issuerId) throw new Error('metadata issuer does not match (RFC 8414 §3.3)');
  if (typeof jwksUri !== 'string' || !URL.canParse(jwksUri)) throw new Error('metadata jwks_uri missing or not a URL');
  const url = new URL(jwksUri);
  if (url.protocol !== 'https:' && (url.protocol !== 'http:' || issuer.protocol === 'https:')) throw new Error('metadata jwks_uri must be https');
  return url;
}
