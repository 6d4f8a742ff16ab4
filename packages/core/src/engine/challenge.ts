import type { CheckContext } from '../checks/context.js';
import { REASONS, type ReasonCode } from '../base/deny/reasons.js';
import { metadataUrl, resourceIdentifier } from '../concerns/metadata/resource-metadata.js';
import { requestOrigin } from '../base/request/origin.js';

/**
 * The WWW-Authenticate value for a 401 (RFC 6750 §3, RFC 9449 §7.1, RFC 9728 §5.1).
 * A request without credentials gets challenges with no error (RFC 6750 §3.1); otherwise
 * the scheme is the one the client used, or DPoP for proof errors and DPoP-required policy.
 */
export function challenge(ctx: CheckContext, reason: ReasonCode): string {
  const { pop } = ctx.settings;
  const metadata = resourceMetadataUrl(ctx);
  const common = metadata ? [`resource_metadata="${metadata}"`] : [];
  const dpopParams = [`algs="${pop.dpopAlgorithms.join(' ')}"`];
  const row = REASONS[reason];
  if (reason === 'credentials_missing') {
    const out: string[] = [];
    if (pop.dpopMode !== 'required') out.push(scheme('Bearer', common));
    if (pop.dpopMode !== 'disabled') out.push(scheme('DPoP', [...common, ...dpopParams]));
    return out.join(', ');
  }
  const errorParams = [`error="${row.error}"`, `error_description="${row.description}"`, ...common];
  // RFC 9110 §11.6.1: challenge with the schemes that apply. Where DPoP is disabled, inviting a proof
  // (RFC 9449 §7.1 `algs`) would only earn the client another refusal.
  const useDpop = reason !== 'dpop_disabled'
    && (ctx.credentials?.scheme === 'DPoP' || row.error === 'invalid_dpop_proof' || row.error === 'use_dpop_nonce'
      || reason === 'dpop_required' || reason === 'dpop_downgrade');
  return useDpop ? scheme('DPoP', [...errorParams, ...dpopParams]) : scheme('Bearer', errorParams);
}

const scheme = (name: string, params: readonly string[]): string => (params.length ? `${name} ${params.join(', ')}` : name);

/**
 * The metadata URL a 401 points at (RFC 9728 §5.1): `options.resourceMetadata`, else the well-known URL of
 * this resource — which every adapter serves — unless `resourceMetadata: false`.
 */
function resourceMetadataUrl(ctx: CheckContext): string | undefined {
  const configured = ctx.settings.resourceMetadata;
  if (configured !== undefined) return configured === false ? undefined : configured;
  return metadataUrl(resourceIdentifier(ctx.settings, requestOrigin(ctx)));
}
