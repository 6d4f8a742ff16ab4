/**
 * The claims validator is generated at build time (scripts/claims-validator.mjs: ajv's standalone code
 * of the spec's schemas and our patches), so ajv is no runtime dependency. The committed file must be
 * what the schemas give, and it must judge every payload exactly as ajv compiling the same schemas at
 * run time (the core's validator until now) does: the same verdict and the same first error.
 */
import { readFileSync, readdirSync } from 'node:fs';
import Ajv2020Module from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { isDateTime } from '../../../src/base/claims/date-time.js';
import { claimsValidator, type ClaimsValidator } from '../../../src/base/claims/schema.js';
// @ts-expect-error: plain JavaScript (the build runs it with node)
import { ajvOptions, generateClaimsValidator, patchedSchemas } from '../../../../../scripts/claims-validator.mjs';

const GENERATED = new URL('../../../src/base/claims/claims-validator.generated.ts', import.meta.url);
const VECTORS = new URL('../../../../../test/vectors/spec-vectors/', import.meta.url);
type Json = Record<string, unknown>;

/** The validator the core compiled at `createGuard()` before: ajv at run time, same schemas and options. */
function compiledAtRunTime(): ClaimsValidator {
  const ajv = new Ajv2020Module.default(
    ajvOptions(isDateTime) as ConstructorParameters<typeof Ajv2020Module.default>[0],
  );
  for (const schema of (patchedSchemas() as Map<string, object>).values()) ajv.addSchema(schema);
  return ajv.getSchema('https://aap-protocol.org/schemas/aap-token.schema.json') as unknown as ClaimsValidator;
}

/** Every token payload of the spec's vectors (valid, invalid, constraint violations). */
function vectorPayloads(): Json[] {
  const files = readdirSync(VECTORS, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.json'));
  return files.map(
    (file) => (JSON.parse(readFileSync(new URL(file, VECTORS), 'utf8')) as { token_payload: Json }).token_payload,
  );
}

/** Each leaf and object of `value` (path as keys) deleted, and replaced by values of every JSON type. */
function mutations(payload: Json): Json[] {
  const out: Json[] = [];
  // Strings at and just over each length limit (64, 128, 256), and 128 characters in 256 UTF-16 units.
  const strings = [64, 65, 128, 129, 256, 257, 600]
    .map((n) => 'x'.repeat(n))
    .concat('😀'.repeat(128), '😀'.repeat(129));
  const walk = (node: unknown, path: string[]) => {
    if (path.length > 0) {
      for (const replacement of [undefined, null, 7, -1, 1.5, true, '', 'not a date', [], {}, ...strings]) {
        out.push(setAt(payload, path, replacement));
      }
    }
    if (node && typeof node === 'object') for (const [key, child] of Object.entries(node)) walk(child, [...path, key]);
  };
  walk(payload, []);
  return out;
}

function setAt(payload: Json, path: readonly string[], value: unknown): Json {
  const copy = structuredClone(payload);
  let node = copy as Record<string, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  if (value === undefined) delete node[path.at(-1)!];
  else node[path.at(-1)!] = value;
  return copy;
}

/** What the claims check reads of a validation: the verdict and the first error's path, keyword, params. */
function verdict(validate: ClaimsValidator, payload: unknown) {
  const valid = validate(payload);
  const error = validate.errors?.[0];
  return {
    valid,
    error: valid ? undefined : { path: error?.instancePath, keyword: error?.keyword, params: error?.params },
  };
}

describe('the generated claims validator', () => {
  it('is what scripts/claims-validator.mjs makes of the schemas now (else: npm run build, and commit it)', () => {
    expect(readFileSync(GENERATED, 'utf8') === generateClaimsValidator()).toBe(true);
  });

  it('judges every payload as ajv compiling the schemas at run time does: vectors, and thousands of mutations', () => {
    const generated = claimsValidator();
    const runtime = compiledAtRunTime();
    const payloads = vectorPayloads().flatMap((payload) => [payload, ...mutations(payload)]);
    expect(payloads.length).toBeGreaterThan(2000);
    const differing = payloads.filter(
      (p) => JSON.stringify(verdict(generated, p)) !== JSON.stringify(verdict(runtime, p)),
    );
    expect(differing).toEqual([]);
    // Both valid and invalid verdicts are exercised, with several keywords (a corpus that cannot fail proves nothing).
    const keywords = new Set(payloads.map((p) => verdict(runtime, p).error?.keyword));
    expect([...keywords]).toEqual(
      expect.arrayContaining([undefined, 'required', 'type', 'maxLength', 'minLength', 'format']),
    );
  });

  it('counts characters, not UTF-16 units, in length limits (ajv ucs2length)', () => {
    const agent = { id: '😀'.repeat(128), type: 'llm-autonomous', operator: 'org:example' };
    const payload = {
      iss: 'i',
      sub: 's',
      aud: 'a',
      exp: 2,
      iat: 1,
      agent,
      task: { id: 't', purpose: 'p' },
      capabilities: [{ action: 'a' }],
    };
    expect(claimsValidator()(payload)).toBe(true);
    expect(claimsValidator()({ ...payload, agent: { ...agent, id: `${agent.id}x` } })).toBe(false);
  });
});
