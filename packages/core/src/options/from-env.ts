import type { GuardOptions } from '../types.js';

/**
 * Build guard options from environment variables — a pure function; the core never reads `process.env`.
 * `AAP_ISSUER` and `AAP_AUDIENCE` may list several values separated by commas or spaces;
 * without `AAP_JWKS_URI` each issuer's JWKS URI is discovered from its own RFC 8414 metadata (with it,
 * the one key set serves every listed issuer: see `GuardOptions.issuer`).
 *
 * @example
 * const guard = createGuard(optionsFromEnv(process.env));
 */
export function optionsFromEnv(env: Readonly<Record<string, string | undefined>>): GuardOptions {
  const issuer = list(env, 'AAP_ISSUER');
  const audience = list(env, 'AAP_AUDIENCE');
  const jwksUri = env.AAP_JWKS_URI?.trim();
  return {
    issuer: issuer.length === 1 ? issuer[0]! : issuer,
    audience: audience.length === 1 ? audience[0]! : audience,
    ...(jwksUri ? { jwks: { uri: jwksUri } } : {}),
  };
}

function list(env: Readonly<Record<string, string | undefined>>, name: string): string[] {
  const values = (env[name] ?? '').split(/[\s,]+/).filter(Boolean);
  if (values.length === 0) throw new TypeError(`${name} must be set (optionsFromEnv)`);
  return values;
}
