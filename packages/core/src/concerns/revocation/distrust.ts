import { auditKey } from '../../base/audit/operation-events.js';
import type { AuditTarget } from '../../base/audit/safe-sink.js';
import type { DistrustedKey } from '../../base/stores/revocations.js';
import type { TokenSettings } from '../token/options.js';
import { scopeOf, type IssuerScope } from '../token/issuer-scope.js';
import type { RevocationRuntime } from './options.js';
import { optionalText } from './revoke.js';

/** A signing key of one issuer: its `kid` (RFC 7515 §4.1.4). */
export interface KeyRef {
  /** A trusted issuer (`options.issuer`): a `kid` names a key of one key set only. */
  readonly issuer: string;
  readonly kid: string;
}

/** Who acts on a key, and why (recorded in the store and the audit event). */
export interface KeyActionOptions {
  readonly by?: string | undefined;
  readonly reason?: string | undefined;
}

/**
 * `guard.keys`: distrust a compromised signing key at once on every replica sharing the store (draft "Key
 * Compromise Incident Response": "RSes SHOULD treat tokens signed with the compromised kid as invalid"), list
 * the distrusted keys, and lift a distrust. A distrusted key's tokens are refused (`key_distrusted`) on their
 * next request, cached or not, whatever the issuer's JWKS says, until `trust()`.
 *
 * @example
 * await guard.keys.distrust({ issuer: 'https://as.example.com', kid: 'key-2024' }, { by: 'ops@example.com', reason:
 * 'leaked' });
 * console.log(await guard.keys.list());
 * await guard.keys.trust({ issuer: 'https://as.example.com', kid: 'key-2024' }, { by: 'ops@example.com' });
 */
export interface KeysApi {
  /**
   * Distrust the key: persisted in the store (Redis: until lifted, across restarts; the memory store: for the
   * life of the process) and announced to every replica, this one at once. Resolves with the entry once
   * persisted; throws `TypeError` on a bad key or an untrusted issuer, or when the store cannot distrust keys.
   */
  distrust(key: KeyRef, options?: KeyActionOptions): Promise<DistrustedKey>;
  /** Lift a distrust on every replica; resolves whether the key was distrusted. */
  trust(key: KeyRef, options?: KeyActionOptions): Promise<boolean>;
  /** The distrusted keys, as the store keeps them. */
  list(): Promise<readonly DistrustedKey[]>;
}

/** What `guard.keys` reads of the guard's settings and runtime. */
interface KeysContext {
  readonly settings: { readonly token: Pick<TokenSettings, 'issuers'> };
  readonly runtime: AuditTarget & {
    readonly revocation: RevocationRuntime;
    readonly now: () => number;
    readonly token: { readonly keys: { readonly scopes: ReadonlyMap<string, IssuerScope> } };
  };
}

/**
 * Build `guard.keys` over the revocation store (its `distrustKey`/`trustKey`/`distrustedKeys`). A key is kept
 * under its issuer SCOPE's name (the first listed of the names sharing one key set), as it is enforced: any
 * name of one authorization server distrusts, lists and lifts the same one entry.
 */
export function keysApi({ settings, runtime }: KeysContext): KeysApi {
  const store = runtime.revocation.store;
  const { scopes } = runtime.token.keys;
  /** Every name of the scope of `issuer`, its scope's name first. */
  const namesOf = (issuer: string): string[] => {
    const scope = scopeOf(scopes, issuer).issuer;
    const others = [...scopes].filter(([name, named]) => named.issuer === scope && name !== scope);
    return [scope, ...others.map(([name]) => name)];
  };
  const able = (what: string): void => {
    if (
      typeof store.distrustKey !== 'function' ||
      typeof store.trustKey !== 'function' ||
      typeof store.distrustedKeys !== 'function'
    ) {
      throw new TypeError(
        `guard.keys.${what}(): the store's revocations cannot distrust keys (no distrustKey/trustKey/distrustedKeys)`,
      );
    }
  };
  return Object.freeze({
    async distrust(key: KeyRef, options: KeyActionOptions = {}) {
      able('distrust');
      const ref = keyRef(key, settings.token.issuers, 'distrust');
      const { kid } = ref;
      const issuer = scopeOf(scopes, ref.issuer).issuer; // kept under the scope's name, as it is enforced
      const at = runtime.now();
      const entry: DistrustedKey = Object.freeze({
        issuer,
        kid,
        at,
        by: optionalText(options.by, 'guard.keys: options.by'),
        reason: optionalText(options.reason, 'guard.keys: options.reason'),
      });
      await store.distrustKey!(entry);
      auditKey(runtime, 'distrusted', entry, at);
      return entry;
    },
    async trust(key: KeyRef, options: KeyActionOptions = {}) {
      able('trust');
      const { issuer, kid } = keyRef(key, settings.token.issuers, 'trust');
      const by = optionalText(options.by, 'guard.keys: options.by');
      const reason = optionalText(options.reason, 'guard.keys: options.reason');
      // Under every name of the scope: an entry kept under another name (before keys were kept by scope) too.
      const names = namesOf(issuer);
      const lifted = await Promise.all(names.map((name) => store.trustKey!(name, kid)));
      const known = lifted.includes(true);
      if (known) auditKey(runtime, 'trusted', { issuer: names[0]!, kid, by, reason }, runtime.now());
      return known;
    },
    async list() {
      able('list');
      return store.distrustedKeys!();
    },
  });
}

function keyRef(key: KeyRef, trusted: ReadonlySet<string>, what: string): KeyRef {
  if (key === null || typeof key !== 'object')
    throw new TypeError(`guard.keys.${what}(key): key must be an object { issuer, kid }`);
  const { issuer, kid } = key;
  if (typeof issuer !== 'string' || !trusted.has(issuer))
    throw new TypeError(`guard.keys.${what}(key): issuer must be a trusted issuer (options.issuer)`);
  if (typeof kid !== 'string' || kid.length === 0 || kid.length > 256)
    throw new TypeError(`guard.keys.${what}(key): kid must be a non-empty string of at most 256 characters`);
  return { issuer, kid };
}
