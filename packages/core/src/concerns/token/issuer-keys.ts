import { decodeJwt } from 'jose';
import { deny, type Deny } from '../../base/deny/deny.js';
import type { Logger } from '../../base/log/logger.js';
import type { GuardOptions, JwksOption, TrustedIssuer } from '../../base/types/options.js';
import { issuerScopes, type IssuerScope } from './issuer-scope.js';
import type { KeySource, SourceContext, Withdrawn } from './key-source.js';
import { resolveKeySource } from './keys.js';

/** Every trusted issuer and the source of its keys. */
export interface IssuerKeys {
  /** The trusted issuers, in configuration order. */
  readonly issuers: readonly string[];
  /** Each issuer's key source (one source may serve several issuers). */
  readonly byIssuer: ReadonlyMap<string, KeySource>;
  /** The sources, each once, with the issuers it serves. */
  readonly sources: readonly { readonly source: KeySource; readonly issuers: readonly string[] }[];
  /** The source when every issuer shares one: no need to read `iss` before verifying. */
  readonly only: KeySource | undefined;
  /** Each issuer's state scope: issuers sharing one key source share it (see `issuerScopes`). */
  readonly scopes: ReadonlyMap<string, IssuerScope>;
}

/** One issuer as configured, with its option path for error messages. */
interface Entry {
  readonly issuer: string;
  /** The issuer's keys: its own (`{ issuer, jwks }`), else the top-level `jwks`; `undefined`: discovery. */
  readonly jwks: JwksOption | undefined;
  /** Given as `{ issuer, jwks? }`: keys of its own (discovered when `jwks` is absent). */
  readonly own: boolean;
  readonly name: string;
}

/** What building the sources needs from the guard. */
export interface IssuerKeysContext {
  readonly now: () => number;
  readonly logger: Logger;
  /** Evicts the cached tokens `source` verified with the withdrawn `kid`s. */
  readonly evict: (source: KeySource, kids: ReadonlySet<string>) => number;
}

/**
 * Bind keys to issuers, once, at `createGuard()`. An entry `{ issuer, jwks }` has its own keys, and
 * `{ issuer }` discovers them from its own RFC 8414 metadata; a plain string issuer uses the top-level
 * `jwks`, or discovery from its own metadata when there is none. A token is verified only with the keys
 * of the issuer it names, so a key of issuer B never verifies a token claiming issuer A. A top-level
 * `jwks` used by several issuers declares them one authorization server under several names (any of
 * its keys signs for each): that is logged once, as a warning, and they share one state scope (quotas,
 * approvals; see `issuerScopes`) — as do entries that name one and the same `jwks` object.
 */
export function resolveIssuerKeys(options: GuardOptions, context: IssuerKeysContext): IssuerKeys {
  const entries = issuerEntries(options.issuer, options.jwks);
  const allowInsecure = options.allowInsecureRequests === true;
  const groups = new Map<object | string, Entry[]>();
  for (const entry of entries) {
    const key = entry.jwks ?? entry.issuer; // a key set object, or the issuer to discover
    groups.set(key, [...(groups.get(key) ?? []), entry]);
  }
  const byIssuer = new Map<string, KeySource>();
  const sources: IssuerKeys['sources'][number][] = [];
  for (const group of groups.values()) {
    const source = build(group, context, allowInsecure);
    const issuers = Object.freeze(group.map((entry) => entry.issuer));
    for (const issuer of issuers) byIssuer.set(issuer, source);
    sources.push(Object.freeze({ source, issuers }));
  }
  warnIfShared(entries, options.jwks, context.logger);
  const only = sources.length === 1 ? sources[0]!.source : undefined;
  const scopes = issuerScopes(sources.map((each) => each.issuers));
  return Object.freeze({
    issuers: Object.freeze(entries.map((entry) => entry.issuer)),
    byIssuer,
    sources: Object.freeze(sources),
    only,
    scopes,
  });
}

/**
 * The key source for a token: by its (not yet verified) `iss` when issuers have different keys. The
 * signature is then checked with that issuer's keys only, and jose checks `iss` again once it is signed.
 */
export function keySourceFor(keys: IssuerKeys, token: string): KeySource | Deny {
  if (keys.only) return keys.only;
  let iss: unknown;
  try {
    iss = decodeJwt(token).iss;
  } catch (error) {
    return deny('token_malformed', { jose: (error as { code?: unknown } | null)?.code, part: 'payload' });
  }
  if (typeof iss !== 'string') return deny('token_claims_invalid', { claim: 'iss', failure: 'missing' });
  return keys.byIssuer.get(iss) ?? deny('token_issuer_untrusted', { claim: 'iss' });
}

function build(group: readonly Entry[], context: IssuerKeysContext, allowInsecure: boolean): KeySource {
  // eslint-disable-next-line prefer-const -- read by `withdrawn`, which must exist before the source it serves
  let source: KeySource | undefined;
  const withdrawn: Withdrawn = (kids) => (source ? context.evict(source, kids) : 0);
  const issuers = Object.freeze(group.map((entry) => entry.issuer));
  const sourceContext: SourceContext = { now: context.now, logger: context.logger, issuers, withdrawn, allowInsecure };
  const first = group[0]!;
  const name = first.jwks === undefined ? first.name : first.own ? `${first.name}.jwks` : 'options.jwks';
  source = resolveKeySource(first.jwks, name, sourceContext, first.issuer);
  return source;
}

/** `issuer: string | TrustedIssuer | (string | TrustedIssuer)[]` → entries; `TypeError` naming the option. */
function issuerEntries(value: unknown, shared: JwksOption | undefined): readonly Entry[] {
  const single = typeof value === 'string' || (value !== null && typeof value === 'object' && !Array.isArray(value));
  const list: readonly unknown[] = single ? [value] : Array.isArray(value) ? value : [];
  if (list.length === 0)
    throw new TypeError(
      'options.issuer must be a non-empty string, a { issuer, jwks? } entry, or a non-empty array of them',
    );
  const seen = new Set<string>();
  return list.map((item, index) => {
    const name = single ? 'options.issuer' : `options.issuer[${index}]`;
    const entry = issuerEntry(item, name, shared);
    if (seen.has(entry.issuer)) throw new TypeError(`options.issuer: ${JSON.stringify(entry.issuer)} is listed twice`);
    seen.add(entry.issuer);
    return entry;
  });
}

function issuerEntry(item: unknown, name: string, shared: JwksOption | undefined): Entry {
  if (typeof item === 'string') {
    if (item.length === 0) throw new TypeError(`${name} must be a non-empty string`);
    return { issuer: item, jwks: shared, own: false, name };
  }
  if (item === null || typeof item !== 'object')
    throw new TypeError(`${name} must be a string or a { issuer, jwks? } entry`);
  // `introspection` is the issuer's too, resolved with the other introspection options
  // (concerns/token/introspection/configured.ts).
  const { issuer, jwks, introspection: _introspection, ...rest } = item as TrustedIssuer & Record<string, unknown>;
  if (typeof issuer !== 'string' || issuer.length === 0)
    throw new TypeError(`${name}.issuer must be a non-empty string`);
  const unknown = Object.keys(rest);
  if (unknown.length > 0) {
    throw new TypeError(`${name} has unknown member(s) ${unknown.join(', ')} (expected issuer, jwks, introspection)`);
  }
  return { issuer, jwks, own: true, name };
}

/** A top-level key set used by several issuers: legal (one AS, several names), but said out loud. */
function warnIfShared(entries: readonly Entry[], shared: JwksOption | undefined, logger: Logger): void {
  if (shared === undefined || typeof shared === 'function') return;
  const issuers = entries.filter((entry) => !entry.own).map((entry) => entry.issuer);
  if (issuers.length < 2) return;
  logger.warn(
    { event: 'jwks.shared', component: 'jwks', issuers },
    `options.jwks is shared by ${issuers.length} issuers: any key in it can sign tokens for any of them, ` +
      'and they share rate-limit quotas and approvals (one authorization server under several names). ' +
      'If they are different authorization servers, give each its own keys: issuer: [{ issuer, jwks }, …]',
  );
}
