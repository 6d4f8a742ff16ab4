import { NESTED_KEYS, checkKeys } from '../../../base/types/known-keys.js';
import type { GuardOptions, IntrospectionOptions } from '../../../base/types/options.js';

/** One issuer's introspection as configured, and the option's path for error messages. */
export interface ConfiguredIntrospection {
  /** The trusted issuer whose tokens — and only whose tokens — this introspection receives. */
  readonly issuer: string;
  readonly given: IntrospectionOptions;
  /** `options.introspection`, `options.issuer.introspection` or `options.issuer[1].introspection`. */
  readonly name: string;
}

/** An entry's introspection has the keys of the top-level option but `issuer`: it is the entry's. */
const ENTRY_KEYS = (NESTED_KEYS.introspection ?? []).filter((key) => key !== 'issuer');

/**
 * Find which issuer each introspection configuration belongs to, once, at `createGuard()`: an entry
 * `{ issuer, jwks, introspection }` introspects that issuer's tokens; the top-level `introspection`
 * belongs to the issuer it names, or to the only trusted issuer. A top-level introspection beside several
 * issuers that does not name one is a `TypeError`, not a guess: binding it to the issuer its endpoint's
 * metadata names would need a network call at construction and would let an answer from the network decide
 * which issuer's tokens are sent where. An issuer introspected twice is a `TypeError` too. Runs after the
 * issuer option was validated (concerns/token/issuer-keys.ts).
 */
export function configuredIntrospections(
  options: Pick<GuardOptions, 'issuer' | 'introspection'>,
  issuers: readonly string[],
): readonly ConfiguredIntrospection[] {
  const found = entryIntrospections(options.issuer);
  const top = options.introspection;
  if (top === undefined) return found;
  if (top === null || typeof top !== 'object') throw new TypeError('options.introspection must be an object');
  const issuer = topLevelIssuer(top.issuer, issuers);
  const twice = found.find((entry) => entry.issuer === issuer);
  if (twice) throw new TypeError(`options.introspection is for ${issuer}, whose ${twice.name} is given too: keep one`);
  return [{ issuer, given: top, name: 'options.introspection' }, ...found];
}

function entryIntrospections(value: GuardOptions['issuer']): ConfiguredIntrospection[] {
  const single = !Array.isArray(value);
  const list: readonly unknown[] = single ? [value] : (value as readonly unknown[]);
  const found: ConfiguredIntrospection[] = [];
  list.forEach((item, index) => {
    const entry = (item !== null && typeof item === 'object' ? item : {}) as Record<string, unknown>;
    const { issuer, introspection } = entry;
    if (introspection === undefined) return;
    const name = single ? 'options.issuer.introspection' : `options.issuer[${index}].introspection`;
    if (introspection === null || typeof introspection !== 'object') throw new TypeError(`${name} must be an object`);
    if ((introspection as { issuer?: unknown }).issuer !== undefined) {
      throw new TypeError(`${name}.issuer: an entry's introspection is for the entry's issuer; remove it`);
    }
    checkKeys(introspection, ENTRY_KEYS, `createGuard(${name})`);
    found.push({ issuer: issuer as string, given: introspection as IntrospectionOptions, name });
  });
  return found;
}

function topLevelIssuer(value: unknown, issuers: readonly string[]): string {
  if (value === undefined) {
    if (issuers.length !== 1) {
      throw new TypeError(
        "options.introspection.issuer is required when several issuers are trusted: only that issuer's tokens are " +
          "sent to the endpoint (or configure introspection in that issuer's entry: { issuer, jwks, introspection })",
      );
    }
    return issuers[0]!;
  }
  if (typeof value !== 'string' || !issuers.includes(value)) {
    throw new TypeError('options.introspection.issuer must be one of the trusted issuers (options.issuer)');
  }
  return value;
}
