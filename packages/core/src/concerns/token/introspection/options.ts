import type { GuardOptions } from '../../../base/types/options.js';
import { configuredIntrospections } from './configured.js';
import { resolveIssuerIntrospection } from './issuer-introspection.js';
import type { IntrospectionContext, IssuerIntrospection } from './issuer-introspection.js';

/**
 * Introspection's runtime, per issuer like keys: a token is only ever sent to the endpoint of the
 * issuer that signed it (its verified `iss`), and each issuer's answers are cached, and its outages backed
 * off, apart from every other's.
 */
export interface IntrospectionRuntime {
  /** Each introspected issuer's line to its own endpoint. */
  readonly byIssuer: ReadonlyMap<string, IssuerIntrospection>;
  /**
   * Where opaque tokens go: an opaque token names no issuer before its answer (RFC 7662), so exactly one
   * issuer — the only introspected issuer, or the one whose `opaqueTokens` stays true — receives them.
   * `undefined`: opaque tokens are not introspected (they are refused as malformed JWTs).
   */
  readonly opaque: IssuerIntrospection | undefined;
}

/**
 * Validate the introspection options — the top-level `introspection` and each `{ issuer, introspection }`
 * entry — once, and build each issuer's client. Throws `TypeError` naming the option: for an introspection
 * whose issuer is ambiguous (configured.ts), and when several issuers would receive opaque tokens.
 */
export function resolveIntrospectionOptions(
  options: Pick<GuardOptions, 'issuer' | 'introspection'>,
  context: IntrospectionContext,
): IntrospectionRuntime | undefined {
  const configured = configuredIntrospections(options, context.keys.issuers);
  if (configured.length === 0) return undefined;
  const byIssuer = new Map<string, IssuerIntrospection>();
  let opaque: (IssuerIntrospection & { readonly name: string }) | undefined;
  for (const entry of configured) {
    const line = resolveIssuerIntrospection(entry, context);
    byIssuer.set(entry.issuer, line);
    if (!line.opaqueTokens) continue;
    if (opaque) {
      throw new TypeError(
        `${entry.name}.opaqueTokens: opaque tokens name no issuer before they are introspected (RFC 7662), so only ` +
          `one issuer may receive them and ${opaque.name} does; set opaqueTokens: false on all introspections but one`,
      );
    }
    opaque = { ...line, name: entry.name };
  }
  return Object.freeze({ byIssuer, opaque: opaque && byIssuer.get(opaque.issuer) });
}
