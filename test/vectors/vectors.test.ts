/**
 * Every spec vector (test/vectors/spec-vectors, copied from the spec) through `guard.check()`, with the vector's
 * payload signed
 * by the testing issuer and the guard's clock injected. Three formats exist:
 *
 * - `token_payload` + `test_cases`: each case is a request (`action`, `method`, `target_url`,
 *   `timestamp`, `content_length`) or a structural `validation`, with `expected_result`
 *   (AUTHORIZED/ACCEPTED/VALID or FORBIDDEN/REJECTED), `error_code`, `http_status`,
 *   `error_description_contains`, `approval_reference`; lifetime cases give `current_time` and
 *   `clock_skew_tolerance`; audience cases give `resource_server_audience`.
 * - `variants`: each a `token_payload` that must be rejected with `validation_error`.
 * - `test_scenarios`: rate-limit histories, run by test/vectors/vectors-rate-limit.test.ts (skipped here).
 *
 * Request time: `current_time`, else the case's `timestamp`, else one minute after the token's `iat`
 * (inside the vector's own lifetime, so nothing is re-based). When the request time contradicts the
 * token's `iat`/`exp`/`nbf` or `task.created_at`/`task.expires_at` and the case does not test token
 * lifetime, those are shifted together around the request time (their lifetime is not under test), and it is printed.
 * The resource server's audience is the vector's (`resource_server_audience`, `resource_server.audience`,
 * else the token's `aud`: each vector is addressed to its own RS).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { bodyDigest, createGuard, type Decision } from '@aap-guard/core';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import { beforeAll, describe, expect, it } from 'vitest';

type Payload = Record<string, unknown> & { iat: number; exp: number; aud: string; capabilities?: { action: string }[] };

interface VectorRequest {
  readonly action: string;
  readonly method: string;
  readonly target_url?: string;
  readonly timestamp?: string | number;
  readonly content_length?: number;
  readonly payload?: unknown;
}

interface VectorCase {
  readonly name: string;
  readonly request?: VectorRequest;
  readonly validation?: Record<string, unknown>;
  readonly expected_result: string;
  readonly error_code?: string;
  readonly http_status?: number;
  readonly error_description_contains?: string;
  readonly approval_reference?: string;
  readonly current_time?: number;
  readonly clock_skew_tolerance?: number;
  readonly resource_server_audience?: string;
}

interface Vector {
  readonly name: string;
  readonly token_payload?: Payload;
  readonly resource_server?: { readonly audience?: string };
  readonly test_cases?: readonly VectorCase[];
  readonly variants?: readonly {
    variant_name: string;
    token_payload: Payload;
    validation_error: { error_code: string; http_status: number };
  }[];
  readonly test_scenarios?: readonly unknown[];
}

const DIR = new URL('./spec-vectors/', import.meta.url);
const FILES = (readdirSync(DIR, { recursive: true }) as string[]).filter((file) => file.endsWith('.json')).sort();
const ALLOWED = new Set(['AUTHORIZED', 'ACCEPTED', 'VALID']);
/** The AAP sections the testing issuer adds by default: a vector's payload says exactly which it has. */
const NO_DEFAULTS = { agent: undefined, task: undefined, capabilities: undefined, delegation: undefined };

/**
 * Rate-limit histories a case describes only in prose. `delegated-token-depth1/reduced_rate_limit`:
 * "51st request in hour" with `max_requests_per_hour: 50` (and 5 a minute): 50 admitted requests every
 * 20 s from `iat`, then the 51st. Spec: a rate-limit violation is 429 with `aap_constraint_violation`.
 */
const HISTORY: Readonly<Record<string, { readonly requests: number; readonly every: number }>> = {
  'delegated-token-depth1/reduced_rate_limit': { requests: 50, every: 20 },
};

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await createIssuer();
});

for (const file of FILES) {
  const vector = JSON.parse(readFileSync(new URL(file, DIR), 'utf8')) as Vector;
  describe(`vector ${file}`, () => {
    if (vector.test_scenarios) {
      console.info(
        `[vectors] ${file}: rate-limit scenarios skipped here — run by test/vectors/vectors-rate-limit.test.ts`,
      );
      it.skip('rate-limit scenarios — covered by test/vectors/vectors-rate-limit.test.ts', () => undefined);
    } else if (vector.variants) {
      for (const variant of vector.variants) {
        it(variant.variant_name, async () => {
          const { decision } = await run(vector, `${vector.name}/${variant.variant_name}`, variant.token_payload, {});
          const { error_code, http_status } = variant.validation_error;
          expect(decision).toMatchObject({ allowed: false, error: error_code, status: http_status });
        });
      }
    } else if (vector.token_payload && vector.test_cases) {
      const payload = vector.token_payload;
      const reference = vector.test_cases.find((c) => c.request && ALLOWED.has(c.expected_result))?.request;
      for (const testCase of vector.test_cases) {
        it(testCase.name, async () => {
          if (testCase.validation)
            expect(stated(testCase.validation, payload), 'the validation describes this payload').toBe(true);
          const request = testCase.request ?? reference;
          const { decision } = await run(vector, `${vector.name}/${testCase.name}`, payload, { ...testCase, request });
          assertOutcome(testCase, decision, HISTORY[`${vector.name}/${testCase.name}`] ? 429 : undefined);
        });
      }
    } else {
      it('has a format this runner knows', () =>
        expect.fail(`unrecognized vector format: ${Object.keys(vector).join(', ')}`));
    }
  });
}

/** Build the guard and token for one case at its request time, replay any history, and check the request. */
async function run(
  vector: Vector,
  label: string,
  payload: Payload,
  testCase: Partial<VectorCase>,
): Promise<{ decision: Decision }> {
  const history = HISTORY[label];
  const time = requestTime(payload, testCase, history);
  const claims = testCase.current_time === undefined ? rebase(label, payload, time) : payload;
  let clock = time * 1000;
  const audience = testCase.resource_server_audience ?? vector.resource_server?.audience ?? payload.aud;
  const guard = createGuard({
    issuer: issuer.issuer,
    audience,
    jwks: issuer.jwks,
    now: () => clock,
    clockTolerance: testCase.clock_skew_tolerance ?? 300,
  });
  try {
    const token = await issuer.mint({ claims: { ...NO_DEFAULTS, ...claims } });
    const request = testCase.request;
    const action = request?.action ?? payload.capabilities?.[0]?.action ?? 'test.action';
    const info = {
      method: request?.method ?? 'GET',
      url: `${audience}/v1/${action}`,
      headers: { authorization: `Bearer ${token}` },
      target: request?.target_url,
      contentLength:
        request?.content_length ??
        (request?.payload === undefined ? undefined : Buffer.byteLength(JSON.stringify(request.payload))),
      // the caller of check() has the body: a hold binds its digest
      bodyDigest: request?.payload === undefined ? undefined : bodyDigest(JSON.stringify(request.payload)),
    };
    for (let i = 0; i < (history?.requests ?? 0); i += 1) {
      clock = (claims.iat + i * history!.every) * 1000;
      expect((await guard.check(info, { action })).status, `history request ${i + 1}`).toBe(200);
    }
    clock = time * 1000;
    return { decision: await guard.check(info, { action }) };
  } finally {
    await guard.close();
  }
}

function requestTime(
  payload: Payload,
  testCase: Partial<VectorCase>,
  history: (typeof HISTORY)[string] | undefined,
): number {
  if (testCase.current_time !== undefined) return testCase.current_time;
  const stamp = testCase.request?.timestamp;
  if (typeof stamp === 'number') return stamp;
  if (typeof stamp === 'string') return Date.parse(stamp) / 1000;
  return payload.iat + (history ? history.requests * history.every : 60);
}

/** Shift the token's and task's instants together when they contradict the request time; say so. */
function rebase(label: string, payload: Payload, time: number): Payload {
  const task = (payload.task ?? {}) as { created_at?: number; expires_at?: number };
  const contradicts =
    payload.iat > time ||
    payload.exp < time ||
    (typeof payload.nbf === 'number' && payload.nbf > time) ||
    (task.created_at ?? -Infinity) > time ||
    (task.expires_at ?? Infinity) < time;
  if (!contradicts) return payload;
  const delta = time - 60 - payload.iat;
  const shift = (value: unknown) => (typeof value === 'number' ? value + delta : value);
  const shiftedTask = payload.task && {
    ...task,
    created_at: shift(task.created_at),
    expires_at: shift(task.expires_at),
  };
  console.info(
    `[vectors] ${label}: re-based iat/exp/nbf/task times by ${delta} s around the request time ${new Date(time * 1000).toISOString()}`,
  );
  return { ...payload, iat: payload.iat + delta, exp: payload.exp + delta, nbf: shift(payload.nbf), task: shiftedTask };
}

/** A structural `validation` (depth, chain length) restates the payload: check that it does. */
function stated(validation: Record<string, unknown>, payload: Payload): boolean {
  const delegation = payload.delegation as { depth: number; max_depth: number; chain: unknown[] };
  const facts: Record<string, number> = {
    actual_depth: delegation.depth,
    max_depth: delegation.max_depth,
    chain_length: delegation.chain.length,
    expected_length: delegation.depth + 1,
  };
  return Object.entries(facts).every(([name, value]) => validation[name] === undefined || validation[name] === value);
}

function assertOutcome(testCase: VectorCase, decision: Decision, rateLimitedStatus: number | undefined): void {
  const detail = JSON.stringify({ status: decision.status, reason: decision.reason, detail: decision.audit.detail });
  if (ALLOWED.has(testCase.expected_result)) {
    expect(decision.allowed, detail).toBe(true);
    return;
  }
  const status = testCase.http_status ?? rateLimitedStatus ?? (testCase.error_code === 'invalid_token' ? 401 : 403);
  expect({ allowed: decision.allowed, error: decision.error, status: decision.status }, detail).toEqual({
    allowed: false,
    error: testCase.error_code,
    status,
  });
  if (testCase.error_description_contains) {
    expect(decision.body?.error_description.toLowerCase()).toContain(testCase.error_description_contains.toLowerCase());
  }
  if (testCase.approval_reference) expect(decision.body?.approval_reference).toBe(testCase.approval_reference);
}
