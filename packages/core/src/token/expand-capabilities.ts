import { deny, type Deny } from '../deny/deny.js';
import { InfrastructureError } from '../util/errors.js';
import type { CapabilityRefs } from './capability-refs.js';

/** How this guard resolves `capabilities_ref` (resolved once from `options.capabilitiesRef`). */
export interface RefResolution {
  readonly mode: 'fetch' | 'introspection' | 'function';
  /** URL prefixes a reference may be fetched from, besides the token issuer's origin (`fetch`). */
  readonly allowedUrls: readonly string[];
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
 *
 * @example
 * const expanded = await expandCapabilities(payload, resolution);
 * if ('reason' in expanded) return expanded;
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
  if (typeof ref !== 'string' || ref.length > MAX_REF || !URL.canParse(ref)) return deny('token_claims_invalid', { path: `/${name}`, keyword: 'format' });
  const iss = String(payload.iss);
  if (resolution.mode === 'introspection') {
    const capabilities = await fromIntrospection?.();
    if (isDeny(capabilities)) return capabilities;
    if (capabilities === undefined) throw new InfrastructureError('capabilities_unavailable', 'capabilities_ref: the introspection answer carries no capabilities');
    return { payload: { ...payload, capabilities }, freshUntil: Infinity };
  }
  if (resolution.mode === 'fetch' && !fetchable(ref, iss, resolution.allowedUrls)) {
    return deny('token_claims_invalid', { path: `/${name}`, problem: 'reference outside the issuer origin and allowedUrls' });
  }
  const set = await resolution.refs.resolve(ref, { iss, sub: text(payload.sub), jti: text(payload.jti) });
  return { payload: { ...payload, capabilities: set.capabilities }, freshUntil: set.freshUntil };
}

/** Under the issuer's own origin (https, or http for an http issuer) or an allowed prefix. */
function fetchable(ref: string, iss: string, allowed: readonly string[]): boolean {
  const url = new URL(ref);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
  if (allowed.some((prefix) => url.href.startsWith(prefix))) return true;
  return URL.canParse(iss) && new URL(iss).origin === url.origin && (url.protocol === 'https:' || new URL(iss).protocol === 'http:');
}

function isDeny(value: unknown): value is Deny {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && typeof (value as { reason?: unknown }).reason === 'string';
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
