import { createHash } from 'node:crypto';

/**
 * Whose state a token's requests use: the authorization server that signed the token. Rate-limit keys, DPoP
 * replay markers and hold bindings all carry it, so that two authorization servers' tokens never share a
 * quota or an approval, whatever `jti`, agent or task ids they carry.
 */
export interface IssuerScope {
  /** The authorization server's name: the token's `iss`, or the first listed of the names that share its keys. */
  readonly issuer: string;
  /** A short id of it for store keys: base64url SHA-256 of `issuer`, 16 characters (96 bits), no `{`, `}` or `:`. */
  readonly id: string;
}

const scopeNamed = (issuer: string): IssuerScope =>
  Object.freeze({ issuer, id: createHash('sha256').update(issuer).digest('base64url').slice(0, 16) });

/**
 * The scope of every trusted issuer, built once from the groups of issuers that share one key source.
 *
 * Names that share one `jwks` object are one authorization server under several names: any key of the set
 * signs for every name, so a boundary between them would protect nothing from that server — and would let
 * one of its agents hold a quota (`rateLimit.key: 'agent'`) once per name. They share one scope, named
 * after the first of them in configuration order (adding a later name resets nothing). Issuers with keys of
 * their own (their own `jwks`, or discovery) are scoped each by their own name.
 *
 * @example
 * const scopes = issuerScopes([['https://as.example.com', 'https://as.example.net'], ['https://other.example']]);
 * scopes.get('https://as.example.net')?.issuer; // 'https://as.example.com'
 */
export function issuerScopes(groups: readonly (readonly string[])[]): ReadonlyMap<string, IssuerScope> {
  const scopes = new Map<string, IssuerScope>();
  for (const group of groups) {
    const scope = scopeNamed(group[0]!);
    for (const issuer of group) scopes.set(issuer, scope);
  }
  return scopes;
}

/**
 * The scope of a verified token's `iss`. Every verified `iss` is a trusted issuer, so the lookup finds it;
 * should it not, the issuer is its own scope (never another's).
 *
 * @example
 * const scope = scopeOf(ctx.runtime.token.keys.scopes, claims.iss);
 */
export function scopeOf(scopes: ReadonlyMap<string, IssuerScope>, iss: string): IssuerScope {
  return scopes.get(iss) ?? scopeNamed(iss);
}
