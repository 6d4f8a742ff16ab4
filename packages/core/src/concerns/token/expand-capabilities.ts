import { deny, type Deny } from '../../base/deny/deny.js';
import { InfrastructureError } from '../../base/util/errors.js';
import { isSecureUrl } from '../../base/util/secure-url.js';
import type { CapabilityRefs } from './capability-refs.js';

/** How this guard resolves `capabilities_ref` (resolved once from `options.capabilitiesRef`). */
export interface RefResolution {
  readonly mode: 'fetch' | 'introspection' | 'function';
  /** URL prefixes a reference may be fetched from, besides the token issuer's origin (`fetch`). */
  readonly allowedUrls: readonly string[];
  /** `allowInsecureRequests`: a reference may be fetched over http from a non-loopback host. */
  readonly allowInsecure: boolean;
  readonly refs: CapabilityRefs;
}

/** A payload with its capabilities in place, and until when that set may be used (ms; Infinity without a reference). */
export interface Expanded {
  readonly payload: Readonly<Record<string, unknown>>;
  readonly freshUntil: number;
}

const NAMES = ['capabilities_ref', 'aap_capabilities_ref'] as const;
const MAX_REF = 2048;

/**
 * The draft ("Token Size Considerations") lets a token carry `capabilities_ref`, a URI naming its
 * capability set, instead of `capabilities`. Resolve it — by `fetch` (only under the issuer's origin or an
 * allowed prefix: a token never makes the guard fetch an arbitrary URL), by the configured resolver, or from
 * the introspection answer (`fromIntrospection`) — and return the payload with `capabilities` set, so the
 * same normalization and checks apply. A payload without a reference is returned as it is. A malformed or
 * disallowed reference, or one beside `capabilities`, is a deny (`token_claims_invalid`); an outage throws
 * `InfrastructureError('capabilities_unavailable')`: fail closed.
 */
export async function expandCapabilities(
  payload: Readonly<Record<string, unknown>>,
  resolution: RefResolution | undefined,
  fromIntrospection?: () => Promise<unknown>,
): Promise<Expanded | Deny> {
  // (`fromIntrospection` resolves the answer's capabilities, or a deny when the answer refuses the token)
  const name = NAMES.find((candidate) => Object.hasOwn(payload, candidate));
  if (name === undefined || !resolution) return { payload, freshUntil: Infinity };
  const ref = payload[name];
  if (Object.hasOwn(payload, 'capabilities') || Object.hasOwn(payload, 'aap_capabilities')) {
    return deny('token_claims_invalid', { path: `/${name}`, problem: 'both capabilities and a reference' });
  }
  if (typeof ref !== 'string' || ref.length > MAX_REF || !URL.canParse(ref))
    return deny('token_claims_invalid', { path: `/${name}`, keyword: 'format' });
  const iss = String(payload.iss);
  if (resolution.mode === 'introspection') {
    const capabilities = await fromIntrospection?.();
    if (isDeny(capabilities)) return capabilities;
    if (capabilities === undefined)
      throw new InfrastructureError(
        'capabilities_unavailable',
        'capabilities_ref: the introspection answer carries no capabilities',
      );
    return { payload: { ...payload, capabilities }, freshUntil: Infinity };
  }
  if (resolution.mode === 'fetch') {
    const problem = unfetchable(new URL(ref), iss, resolution);
    if (problem) return deny('token_claims_invalid', { path: `/${name}`, problem });
  }
  const set = await resolution.refs.resolve(ref, { iss, sub: text(payload.sub), jti: text(payload.jti) });
  return { payload: { ...payload, capabilities: set.capabilities }, freshUntil: set.freshUntil };
}

/**
 * Why a reference may not be fetched, if it may not: it must keep the one URL rule (base/util/secure-url.ts —
 * the guard trusts the set it answers) and lie under the issuer's own origin or an allowed prefix.
 */
function unfetchable(url: URL, iss: string, resolution: RefResolution): string | undefined {
  if (!isSecureUrl(url, resolution.allowInsecure)) return 'reference not https (http only on loopback)';
  if (resolution.allowedUrls.some((prefix) => url.href.startsWith(prefix))) return undefined;
  if (URL.parse(iss)?.origin === url.origin) return undefined;
  return 'reference outside the issuer origin and allowedUrls';
}

function isDeny(value: unknown): value is Deny {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    typeof (value as { reason?: unknown }).reason === 'string'
  );
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
