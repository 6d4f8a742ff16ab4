import type { GuardOptions } from '../base/types/options.js';
import { closest } from '../base/types/known-keys.js';

/** The environment variables aap-guard reads. */
const VARIABLES = ['AAP_ISSUER', 'AAP_AUDIENCE', 'AAP_JWKS_URI'] as const;

/** What `optionsFromEnv` found: the options, and the `AAP_*` variables it does not know. */
export interface EnvOptions {
  readonly options: Partial<GuardOptions>;
  /** Unknown `AAP_*` variables, each with the known name it most resembles (if any). */
  readonly unknown: readonly { readonly name: string; readonly near: string | undefined }[];
}

/**
 * Guard options from environment variables — a pure function; the core never reads `process.env` itself.
 * `AAP_ISSUER` and `AAP_AUDIENCE` may list several values separated by commas or spaces; without
 * `AAP_JWKS_URI` each issuer's JWKS URI is discovered from its own RFC 8414 metadata (with it, the one key
 * set serves every listed issuer: see `GuardOptions.issuer`). An `AAP_*` variable that
 * is not one of these and resembles one (`AAP_JWKS_URL`) throws a `TypeError` naming the right one: a
 * misspelling would otherwise be ignored and every request answered 503. Others are returned in `unknown`
 * (an adapter logs them).
 *
 * @example
 * const guard = createGuard({ ...optionsFromEnv(process.env).options, undeclared: 'deny' } as GuardOptions);
 */
export function optionsFromEnv(env: Readonly<Record<string, string | undefined>>): EnvOptions {
  const unknown: { name: string; near: string | undefined }[] = [];
  for (const name of Object.keys(env)) {
    if (!name.startsWith('AAP_') || (VARIABLES as readonly string[]).includes(name)) continue;
    const near = closest(name, VARIABLES);
    if (near) throw new TypeError(`environment: ${name} is not an aap-guard variable — did you mean ${near}?`);
    unknown.push({ name, near });
  }
  const issuer = list(env.AAP_ISSUER);
  const audience = list(env.AAP_AUDIENCE);
  const jwksUri = env.AAP_JWKS_URI?.trim();
  const options: Partial<GuardOptions> = {
    ...(issuer ? { issuer } : {}),
    ...(audience ? { audience } : {}),
    ...(jwksUri ? { jwks: { uri: jwksUri } } : {}),
  };
  return { options, unknown };
}

function list(value: string | undefined): string | string[] | undefined {
  const values = (value ?? '').split(/[\s,]+/).filter(Boolean);
  return values.length === 0 ? undefined : values.length === 1 ? values[0] : values;
}
