import type { AapClaims } from '../../base/claims/model.js';
import type { Revocation, RevocationKind } from '../../base/stores/revocations.js';

type Scope = Map<RevocationKind, Map<string, Revocation>>;

/**
 * Revocation entries by issuer scope, kind and value: a request costs a handful of Map lookups. The scope
 * '' holds entries that name every issuer (written before revocations were scoped by issuer).
 *
 * An entry names the issuer it was given for (`guard.revoke({ issuer })`, a SET's `iss`), and is filed under
 * that issuer's SCOPE (`scopeName`): the names that share one `jwks` object are one authorization server,
 * whose keys sign for all of them, so an id it revoked under one name is revoked under every name (failing
 * closed: the same server could re-mint the token under its other name). Issuers with keys of their own are
 * each their own scope, so a revocation never crosses to another authorization server. The store keeps the
 * entry as given; the scope is applied here, from the guard's current configuration.
 */
export class RevocationScopes {
  readonly #scopes = new Map<string, Scope>();

  /** `scopeName(iss)`: the name of the issuer scope `iss` belongs to (itself when it shares no keys). */
  constructor(private readonly scopeName: (issuer: string) => string = (issuer) => issuer) {}

  /** Keep an entry (the later `until` wins). */
  apply(entry: Revocation): void {
    const issuer = entry.issuer === undefined ? '' : this.scopeName(entry.issuer);
    let scope = this.#scopes.get(issuer);
    if (!scope) this.#scopes.set(issuer, (scope = new Map()));
    let map = scope.get(entry.kind);
    if (!map) scope.set(entry.kind, (map = new Map()));
    const known = map.get(entry.value);
    if (!known || known.until < entry.until) map.set(entry.value, entry);
  }

  /** The entry that names this token by its own keys: jti, task, agent, grant, user, operator. */
  byOwnKeys(claims: AapClaims, now: number): Revocation | undefined {
    const own = this.#scopes.get(this.scopeName(claims.iss));
    return ownKeys(own, claims, now) ?? ownKeys(this.#scopes.get(''), claims, now);
  }

  /** The entry that names an ancestor of the token (`jti` or `parent` of `issuer`'s scope). */
  byAncestors(issuer: string, chain: readonly string[], now: number): Revocation | undefined {
    const own = this.#scopes.get(this.scopeName(issuer));
    const all = this.#scopes.get('');
    if (!own && !all) return undefined;
    for (const ancestor of chain) {
      const hit =
        find(own, 'jti', ancestor, now) ??
        find(own, 'parent', ancestor, now) ??
        find(all, 'jti', ancestor, now) ??
        find(all, 'parent', ancestor, now);
      if (hit) return hit;
    }
    return undefined;
  }

  /** Drop expired entries (on each sync: the set is walked then anyway). */
  prune(now: number): void {
    for (const scope of this.#scopes.values()) {
      for (const map of scope.values()) for (const [value, entry] of map) if (entry.until <= now) map.delete(value);
    }
  }
}

function ownKeys(scope: Scope | undefined, claims: AapClaims, now: number): Revocation | undefined {
  if (!scope) return undefined;
  return (
    find(scope, 'jti', claims.jti, now) ??
    find(scope, 'task', claims.task.id, now) ??
    find(scope, 'agent', claims.agent.id, now) ??
    find(scope, 'grant', grantOf(claims), now) ??
    find(scope, 'sub', claims.sub, now) ??
    find(scope, 'operator', claims.agent.operator, now)
  );
}

/** The live entry of `kind`/`value` in one scope; an expired one is dropped on the way. */
function find(
  scope: Scope | undefined,
  kind: RevocationKind,
  value: string | undefined,
  now: number,
): Revocation | undefined {
  if (value === undefined) return undefined;
  const map = scope?.get(kind);
  const entry = map?.get(value);
  if (!entry) return undefined;
  if (entry.until > now) return entry;
  map?.delete(value);
  return undefined;
}

/** The `grant_id` claim (not an AAP claim: kept in `extra`), when it is a string. */
function grantOf(claims: AapClaims): string | undefined {
  const grant = claims.extra.grant_id;
  return typeof grant === 'string' ? grant : undefined;
}
