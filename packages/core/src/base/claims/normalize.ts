import { deny, type Deny } from '../deny/deny.js';
import { isActionName } from './action.js';
import { deepFreeze } from './deep-freeze.js';
import type { AapClaims } from './model.js';
import { claimsValidator, type SchemaError } from './schema.js';

/** The AAP sections: the draft's bare names; `aap_<name>` is the other spelling seen in the wild. */
const SECTIONS = ['agent', 'task', 'capabilities', 'oversight', 'delegation', 'context', 'audit'] as const;
/** Registered claims the model types (RFC 7519 §4.1, RFC 8693 §4.1 `act`, RFC 7800 `cnf`). */
const REGISTERED = ['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'act', 'cnf'] as const;
/** Top-level members the token schema validates (`delegation` is left to the delegation check). */
const VALIDATED = [
  ...REGISTERED.filter((name) => name !== 'act'),
  'scope',
  ...SECTIONS.filter((name) => name !== 'delegation'),
];
const KNOWN: ReadonlySet<string> = new Set([...REGISTERED, ...SECTIONS, ...SECTIONS.map((name) => `aap_${name}`)]);

type Payload = Readonly<Record<string, unknown>>;

/**
 * Normalize a verified JWT payload into the `AapClaims` model and validate it: both spellings,
 * the spec's schemas (patched, see scripts/claims-validator.mjs), the string length limits, the action ABNF.
 * Untrusted keys are never assigned onto ordinary objects (prototype pollution): the parsed
 * sections are kept as they are, non-AAP claims are copied with `Object.defineProperty` onto a
 * null-prototype `extra`. The result is deeply frozen.
 *
 * @example
 * const claims = normalizeClaims(payload);
 * if ('reason' in claims) return claims; // deny('token_claims_invalid', { path: '/agent/id', … })
 */
export function normalizeClaims(payload: Payload): AapClaims | Deny {
  const sections: Record<string, unknown> = {};
  for (const name of SECTIONS) {
    const bare = Object.hasOwn(payload, name);
    const prefixed = Object.hasOwn(payload, `aap_${name}`);
    if (bare && prefixed) return deny('token_claims_invalid', { path: `/${name}`, cause: 'both spellings present' });
    if (bare || prefixed) sections[name] = payload[bare ? name : `aap_${name}`];
  }
  const invalid = validate(payload, sections);
  if (invalid) return invalid;
  return deepFreeze(build(payload, sections));
}

function validate(payload: Payload, sections: Record<string, unknown>): Deny | undefined {
  const view: Record<string, unknown> = {};
  for (const name of VALIDATED) {
    const value = Object.hasOwn(sections, name)
      ? sections[name]
      : Object.hasOwn(payload, name)
        ? payload[name]
        : undefined;
    if (value !== undefined) view[name] = value;
  }
  const check = claimsValidator();
  if (!check(view)) return schemaDeny(check.errors?.[0]);
  const capabilities = view.capabilities as readonly { action: unknown }[];
  const bad = capabilities.findIndex((capability) => !isActionName(capability.action));
  if (bad >= 0) return deny('token_claims_invalid', { path: `/capabilities/${bad}/action`, keyword: 'abnf' });
  const act = payload.act;
  if (act !== undefined && (act === null || typeof act !== 'object' || Array.isArray(act))) {
    return deny('token_claims_invalid', { path: '/act', keyword: 'type' }); // RFC 8693 §4.1: a JSON object
  }
  return undefined;
}

function schemaDeny(error: SchemaError | undefined): Deny {
  const missing = error?.keyword === 'required' ? `/${String(error.params.missingProperty)}` : '';
  return deny('token_claims_invalid', {
    path: `${error?.instancePath ?? ''}${missing}` || '/',
    keyword: error?.keyword,
  });
}

function build(payload: Payload, sections: Record<string, unknown>): AapClaims {
  const extra: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(payload)) {
    if (!KNOWN.has(key)) Object.defineProperty(extra, key, { value: payload[key], enumerable: true });
  }
  const claims: Record<string, unknown> = {};
  for (const name of REGISTERED)
    if (payload[name] !== undefined && Object.hasOwn(payload, name)) claims[name] = payload[name];
  for (const name of SECTIONS) if (sections[name] !== undefined) claims[name] = sections[name];
  claims.extra = extra;
  return claims as unknown as AapClaims;
}
