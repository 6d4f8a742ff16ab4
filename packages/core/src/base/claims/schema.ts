import { validate } from './claims-validator.generated.js';

/** The first schema violation found, as the claims check reports it (`path`, `keyword`). */
export interface SchemaError {
  /** JSON Pointer of the offending value (`/agent/id`). */
  readonly instancePath: string;
  /** The JSON Schema keyword that failed (`required`, `type`, `maxLength`…). */
  readonly keyword: string;
  /** The keyword's parameters, e.g. `{ missingProperty: 'id' }` for `required`. */
  readonly params: Readonly<Record<string, unknown>>;
}

/** A validator of a token payload: `true` when valid, else `false` with the first violation in `errors`. */
export interface ClaimsValidator {
  (payload: unknown): boolean;
  /** After a failed call, the violation (the validator stops at the first one). */
  readonly errors?: readonly SchemaError[] | null | undefined;
}

/**
 * The validator of a token payload in the bare spelling: the spec's schemas (`./schemas/`, verbatim) with
 * the patches of scripts/claims-validator.mjs, compiled at build time by ajv into
 * `claims-validator.generated.ts` — no schema is compiled, and no code generated, at run time.
 *
 * @example
 * const validate = claimsValidator();
 * if (!validate(view)) console.log(validate.errors?.[0]?.instancePath);
 */
export function claimsValidator(): ClaimsValidator {
  return validate as ClaimsValidator;
}
