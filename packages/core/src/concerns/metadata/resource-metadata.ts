import type { PopSettings } from '../pop/options.js';
import type { TokenSettings } from '../token/options.js';
import { isSecureUrl } from '../../base/util/secure-url.js';

/** The well-known path of protected resource metadata (RFC 9728 §3). */
export const WELL_KNOWN = '/.well-known/oauth-protected-resource';

/**
 * The protected resource metadata document of this API (RFC 9728 §2), with an AAP extension member
 * listing the actions its routes declare.
 */
export interface ProtectedResourceMetadata {
  readonly resource: string;
  readonly authorization_servers: readonly string[];
  readonly bearer_methods_supported: readonly string[];
  readonly dpop_signing_alg_values_supported: readonly string[];
  readonly dpop_bound_access_tokens_required: boolean;
  /** AAP extension: the actions this resource's routes declare (what a token's capabilities may name). */
  readonly aap_actions_supported: readonly string[];
  readonly [extension: string]: unknown;
}

/**
 * The resource identifier (RFC 9728 §1.2): the first audience that is an https URL (or http on loopback),
 * else the origin the request was addressed to.
 *
 * @example
 * resourceIdentifier(guardSettings, 'https://api.example.com') // 'https://api.example.com'
 */
export function resourceIdentifier(settings: { readonly token: TokenSettings }, origin: string): string {
  for (const audience of settings.token.audiences) {
    const url = URL.parse(audience);
    if (url && isSecureUrl(url, false)) return url.href.replace(/\/$/, '') || url.href;
  }
  return origin;
}

/**
 * Where the metadata of `resource` is published (RFC 9728 §3.1): `/.well-known/oauth-protected-resource`
 * inserted between the host and the path of the resource identifier.
 *
 * @example
 * metadataUrl('https://api.example.com/v1') // 'https://api.example.com/.well-known/oauth-protected-resource/v1'
 */
export function metadataUrl(resource: string): string {
  const url = new URL(resource);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return `${url.origin}${WELL_KNOWN}${path}`;
}

/**
 * The paths an adapter answers the metadata document on: the well-known path, and its path-suffixed form
 * when the resource identifier has a path (RFC 9728 §3.1).
 *
 * @example
 * metadataPaths('https://api.example.com/v1') // ['/.well-known/oauth-protected-resource',
 * // '/.well-known/oauth-protected-resource/v1']
 */
export function metadataPaths(resource: string): readonly string[] {
  const suffixed = new URL(metadataUrl(resource)).pathname;
  return suffixed === WELL_KNOWN ? [WELL_KNOWN] : [WELL_KNOWN, suffixed];
}

/**
 * Build the document (RFC 9728 §2): issuers as `authorization_servers`, the header as the only bearer
 * method (RFC 6750 §2.1: query and body tokens are refused), the DPoP algorithms and requirement (RFC 9449
 * §5.1), and `aap_actions_supported`.
 *
 * @example
 * const document = metadataDocument(guardSettings, 'https://api.example.com', ['search.web']);
 */
export function metadataDocument(
  settings: { readonly token: TokenSettings; readonly pop: PopSettings },
  resource: string,
  actions: Iterable<string>,
): ProtectedResourceMetadata {
  return {
    resource,
    authorization_servers: [...settings.token.issuers],
    bearer_methods_supported: ['header'],
    dpop_signing_alg_values_supported: [...settings.pop.dpopAlgorithms],
    // RFC 9728 has no member for "DPoP or mTLS": where PoP is always required and DPoP accepted, a client
    // choosing how to bind its token is told to bind it with DPoP (a certificate-bound one is met as well)
    dpop_bound_access_tokens_required: settings.pop.requirement === 'required' && settings.pop.dpopMode !== 'disabled',
    aap_actions_supported: [...new Set(actions)].sort(),
  };
}
