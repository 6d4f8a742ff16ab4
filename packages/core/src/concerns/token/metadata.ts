import { insecureUrlProblem } from '../../base/util/secure-url.js';
import { fetchDocument, FetchError } from '../../base/http/fetch-document.js';

/**
 * Read one endpoint of an authorization server from its metadata: RFC 8414 §3.1
 * (`/.well-known/oauth-authorization-server` inserted before the issuer's path), then OpenID Connect
 * Discovery 1.0 §4 (`/.well-known/openid-configuration` appended) when the first answers anything but 200.
 * Key discovery (`jwks_uri`, discovery.ts) and introspection (`introspection_endpoint`) both read it here.
 * The metadata's `issuer` must equal ours (RFC 8414 §3.3); the endpoint must keep the one URL rule
 * (base/util/secure-url.ts: https, http only on loopback or with `allowInsecure`) and is never a downgrade from
 * an https issuer. Every failure is a `FetchError` naming the cause.
 */
export async function metadataEndpoint(
  issuerId: string,
  member: string,
  timeoutMs: number,
  allowInsecure: boolean,
): Promise<URL> {
  const issuer = new URL(issuerId);
  let last: unknown;
  for (const url of metadataUrls(issuer)) {
    try {
      const { body } = await fetchDocument(url, `metadata ${url.href}`, timeoutMs);
      return endpointOf(body, member, { issuerId, issuer, allowInsecure }, url);
    } catch (error) {
      if (!(error instanceof FetchError) || error.status === undefined) throw error;
      last = error; // not there: try the next well-known location
    }
  }
  throw last;
}

function metadataUrls(issuer: URL): readonly URL[] {
  const path = issuer.pathname === '/' ? '' : issuer.pathname.replace(/\/$/, '');
  const rfc8414 = new URL(issuer.origin);
  rfc8414.pathname = `/.well-known/oauth-authorization-server${path}`;
  const oidc = new URL(issuer.origin);
  oidc.pathname = `${path}/.well-known/openid-configuration`;
  return [rfc8414, oidc];
}

/** What the metadata must match: our issuer identifier, and whether cleartext was opted into. */
interface Expected {
  readonly issuerId: string;
  readonly issuer: URL;
  readonly allowInsecure: boolean;
}

function endpointOf(metadata: unknown, member: string, expected: Expected, at: URL): URL {
  const { issuerId, issuer, allowInsecure } = expected;
  const document = (metadata ?? {}) as Record<string, unknown>;
  if (document.issuer !== issuerId) {
    throw new FetchError(
      `metadata ${at.href} names issuer ${String(JSON.stringify(document.issuer)).slice(0, 200)}, not ${JSON.stringify(issuerId)} (RFC 8414 §3.3)`,
    );
  }
  const value = document[member];
  if (typeof value !== 'string' || !URL.canParse(value))
    throw new FetchError(`metadata ${at.href} has no ${member} URL`);
  const url = new URL(value);
  const problem = insecureUrlProblem(url, `metadata ${at.href}: ${member}`, allowInsecure);
  if (problem) throw new FetchError(problem);
  if (url.protocol !== 'https:' && issuer.protocol === 'https:') {
    throw new FetchError(`metadata ${at.href}: ${member} must be https, as its issuer is`);
  }
  return url;
}
