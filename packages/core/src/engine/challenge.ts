import type { CheckContext } from '../checks/context.js';
import { REASONS, type ReasonCode } from '../base/deny/reasons.js';
import { metadataUrl, resourceIdentifier } from '../concerns/metadata/resource-metadata.js';
import { requestOrigin } from '../base/request/origin.js';

/**
 * The WWW-Authenticate value of a deny, if it has one: every 401 (RFC 6750 §3, RFC 9449 §7.1, RFC 9728 §5.1),
 * and the 403 of a missing capability (`insufficient_scope`, RFC 6750 §3.1). A request without credentials
 * gets challenges with no error (RFC 6750 §3.1); otherwise the scheme is the one the client used, or DPoP for
 * proof errors and for a refused bearer token where proof of possession is required and DPoP accepted.
 */
export function challenge(ctx: CheckContext, reason: ReasonCode): string | undefined {
  const { pop } = ctx.settings;
  const metadata = resourceMetadataUrl(ctx);
  const common = metadata ? [`resource_metadata="${metadata}"`] : [];
  const dpopParams = [`algs="${pop.dpopAlgorithms.join(' ')}"`];
  const row = REASONS[reason];
  const dpopAccepted = (ctx.route?.dpop ?? pop.dpopMode) !== 'disabled';
  if (reason === 'credentials_missing') {
    // Bearer stays offered where PoP is required: a certificate-bound token (RFC 8705) is sent as Bearer
    const out = [scheme('Bearer', common)];
    if (dpopAccepted) out.push(scheme('DPoP', [...common, ...dpopParams]));
    return out.join(', ');
  }
  if (reason === 'capability_missing') return insufficientScope(ctx, row.description, common, dpopParams);
  if (row.status !== 401) return undefined;
  const errorParams = [`error="${row.error}"`, `error_description="${row.description}"`, ...common];
  // RFC 9110 §11.6.1: challenge with the schemes that apply. Where DPoP is disabled, inviting a proof
  // (RFC 9449 §7.1 `algs`) would only earn the client another refusal. mTLS (RFC 8705) defines no
  // challenge: a PoP refusal where DPoP is disabled is a Bearer challenge, and the client that holds a
  // certificate-bound token retries with its certificate on its own.
  const useDpop =
    reason !== 'dpop_disabled' &&
    (ctx.credentials?.scheme === 'DPoP' ||
      row.error === 'invalid_dpop_proof' ||
      row.error === 'use_dpop_nonce' ||
      reason === 'dpop_downgrade' ||
      (dpopAccepted && (reason === 'pop_required' || reason === 'dpop_required')));
  return useDpop ? scheme('DPoP', [...errorParams, ...dpopParams]) : scheme('Bearer', errorParams);
}

/**
 * A valid token none of whose capabilities names the route's action: RFC 6750 §3.1 `insufficient_scope`, which
 * the MCP authorization spec asks of a resource server (its client may step up), with `resource_metadata`. No
 * `scope` parameter: it would name the route's action (draft "Privacy-Preserving Error Messages"). The body's
 * `error` stays the draft's `aap_invalid_capability`. In the scheme the client used (RFC 9449 §7.1).
 */
function insufficientScope(
  ctx: CheckContext,
  description: string,
  common: readonly string[],
  dpopParams: readonly string[],
): string {
  const params = [`error="insufficient_scope"`, `error_description="${description}"`, ...common];
  return ctx.credentials?.scheme === 'DPoP' ? scheme('DPoP', [...params, ...dpopParams]) : scheme('Bearer', params);
}

const scheme = (name: string, params: readonly string[]): string =>
  params.length ? `${name} ${params.join(', ')}` : name;

/**
 * The metadata URL a 401 points at (RFC 9728 §5.1): `options.resourceMetadata`, else the well-known URL of
 * this resource — which every adapter serves — unless `resourceMetadata: false`.
 */
function resourceMetadataUrl(ctx: CheckContext): string | undefined {
  const configured = ctx.settings.resourceMetadata;
  if (configured !== undefined) return configured === false ? undefined : configured;
  return metadataUrl(resourceIdentifier(ctx.settings, requestOrigin(ctx)));
}
