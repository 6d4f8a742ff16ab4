/**
 * Runs the conformance table (cases.ts) against one framework through real HTTP on 127.0.0.1.
 * A driver only starts a server: the guard with the given options, and the route mounted on
 * `ROUTE_PATHS` for every method, declared with `route` (or undeclared when `null`), its target read
 * from the `target` query parameter, answering allowed requests with `allowedBody()`.
 *
 * Per case: a fresh server and guard (its clock at `NOW`); the token minted (or forged) at `NOW`; the
 * `before` steps (requests, guard operations, clock advances); the request sent with `node:http` (so
 * repeated headers and chunked bodies are exact); then status, `error`, `reason`, the listed headers
 * and body members are asserted — and, on every deny, that the body holds only the public members and
 * no constraint, context, agent or task value, that a hold id in the body is also in the `AAP-Hold-Id`
 * header, that the response is JSON and `no-store`, that the audit saw the same reason, and that no
 * audit event holds the token.
 */
import {
  REASONS,
  type AuditEvent,
  type Guard,
  type GuardOptions,
  type Principal,
  type ReasonCode,
  type RouteSpec,
} from '@aap-guard/core';
import { createIssuer } from '@aap-guard/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { CASES, OUT_OF_SCOPE } from './cases.js';
import { NOW, type ConformanceCase, type FlowKit, type Step, type TokenSpec } from './model.js';
import { send, type Response } from './http.js';
import { makeToken, type Issuers } from './tokens.js';

export { TARGET_PARAM } from './http.js';

/** Paths every driver mounts the route on (the second one for task-id binding to a route parameter). */
export const ROUTE_PATHS = ['/r', '/r/:taskId'] as const;

/** A running server of one framework. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** The guard behind the server, for cases that operate on it (approve a hold, revoke a token). */
  readonly guard?: Guard | undefined;
  /** Stop the server and release the guard. */
  close(): Promise<void>;
}

/** Starts one framework's server for one case. */
export interface Driver {
  readonly name: string;
  start(options: GuardOptions, route: RouteSpec | null): Promise<RunningServer>;
}

/** The JSON every driver answers an allowed request with. */
export const allowedBody = (principal: Principal | null | undefined, received: number) => ({
  ok: true,
  action: principal?.action ?? null,
  destination: principal?.destination?.address ?? null,
  received,
});

export { countBody } from '../adapters/kit.js';

/** Request and response header of a hold id (issue 7). */
const HOLD_HEADER = 'aap-hold-id';

/** Public members of a deny body (RFC 6749 §5.2 plus the approval members of the draft and holds). */
const PUBLIC_MEMBERS = new Set(['error', 'error_description', 'error_uri', 'reason', 'approval_reference', 'hold_id']);

/**
 * Register the whole table as vitest tests for one driver.
 *
 * @example
 * describeConformance(expressDriver);
 */
export function describeConformance(driver: Driver, cases: readonly ConformanceCase[] = CASES): void {
  describe(`conformance: ${driver.name}`, () => {
    let issuers: Issuers;
    beforeAll(async () => {
      const trusted = await createIssuer({ now: () => NOW });
      issuers = {
        trusted,
        foreignKid: await createIssuer({ now: () => NOW }),
        foreignKey: await createIssuer({ now: () => NOW, kid: trusted.kid }),
      };
    });

    it('the table covers every reason code not left to another issue, with unique names', () => {
      const names = cases.map((c) => c.name);
      expect(new Set(names).size, 'duplicate case names').toBe(names.length);
      const covered = new Set(cases.map((c) => c.expect.reason));
      const uncovered = (Object.keys(REASONS) as ReasonCode[]).filter((r) => !covered.has(r) && !(r in OUT_OF_SCOPE));
      expect(uncovered).toEqual([]);
      for (const c of cases) {
        if (c.expect.reason === undefined) continue;
        const row = REASONS[c.expect.reason];
        expect({ case: c.name, status: c.expect.status, error: c.expect.error ?? row.error }).toEqual({
          case: c.name,
          status: row.status,
          error: row.error,
        });
      }
    });

    it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
      await runCase(driver, issuers, testCase);
    });
  });
}

async function runCase(driver: Driver, issuers: Issuers, testCase: ConformanceCase): Promise<void> {
  const events: AuditEvent[] = [];
  const { trusted } = issuers;
  const clock = { now: NOW };
  const options: GuardOptions = {
    issuer: trusted.issuer,
    audience: trusted.audience,
    jwks: trusted.jwks,
    now: () => clock.now,
    audit: (event) => events.push(event),
    ...testCase.options,
  };
  const route = testCase.route === undefined ? { action: 'search.web' } : testCase.route;
  const server = await driver.start(options, route);
  try {
    const token = await makeToken(issuers, testCase.token ?? {});
    const responses: Response[] = [];
    const kit: FlowKit = { token, responses };
    await runSteps(driver, server, testCase.before ?? [], { kit, responses, clock });
    const response = await send(server.url, testCase.request ?? {}, kit);
    assertResponse(testCase, response, kit);
    if (response.status !== 200) assertDeny(testCase, response, events);
    if (testCase.expect.wouldDeny) assertWouldDeny(testCase.expect.wouldDeny, events);
    expect(JSON.stringify(events).includes(token), 'an audit event holds the raw token').toBe(false);
  } finally {
    await server.close();
  }
}

/** Run the `before` steps in order: requests (their responses join the flow), guard operations, clock advances. */
async function runSteps(
  driver: Driver,
  server: RunningServer,
  steps: readonly Step[],
  flow: { kit: FlowKit; responses: Response[]; clock: { now: number } },
): Promise<void> {
  for (const [index, step] of steps.entries()) {
    if ('advance' in step) {
      flow.clock.now += step.advance * 1000;
    } else if ('operate' in step) {
      if (!server.guard) throw new Error(`the ${driver.name} driver exposes no guard, which this case operates on`);
      await step.operate(server.guard, flow.kit);
    } else {
      const response = await send(server.url, step.request ?? {}, flow.kit);
      expect(response.status, `before[${index}]: ${response.text}`).toBe(step.status);
      flow.responses.push(response);
    }
  }
}

/** An expected value as given, or computed from the flow. */
const resolve = (value: unknown, kit: FlowKit): unknown => (typeof value === 'function' ? value(kit) : value);

function assertResponse({ expect: want }: ConformanceCase, response: Response, kit: FlowKit): void {
  const seen = { status: response.status, error: response.json?.error, reason: response.json?.reason };
  expect(seen, response.text).toEqual({
    status: want.status,
    error: want.status === 200 ? undefined : (want.error ?? seen.error),
    reason: want.status === 200 ? undefined : (want.reason ?? seen.reason),
  });
  if (want.status === 200) expect(response.json?.ok, response.text).toBe(true);
  for (const [name, given] of Object.entries(want.headers ?? {})) {
    const actual = response.headers[name];
    const value = resolve(given, kit);
    if (value === null) expect(actual, `header ${name}`).toBeUndefined();
    else if (value instanceof RegExp) expect(String(actual), `header ${name}`).toMatch(value);
    else expect(actual, `header ${name}`).toBe(value);
  }
  for (const [name, given] of Object.entries(want.body ?? {})) {
    const value = resolve(given, kit);
    if (value === undefined) expect(response.json, `body.${name}`).not.toHaveProperty(name);
    else if (value instanceof RegExp) expect(String(response.json?.[name]), `body.${name}`).toMatch(value);
    else expect(response.json?.[name], `body.${name}`).toEqual(value);
  }
}

/** Report-only: the last decision's audit event names what would have been denied, and why. */
function assertWouldDeny(reasons: readonly ReasonCode[], events: readonly AuditEvent[]): void {
  const last = events.filter((event) => (event.kind ?? 'decision') === 'decision').at(-1);
  expect(last?.wouldDeny?.map((would) => would.reason) ?? [], 'audit wouldDeny').toEqual(reasons);
  for (const would of last?.wouldDeny ?? [])
    expect(would.detail, `wouldDeny ${would.reason} has its detail`).toBeDefined();
}

/** Deny hygiene: generic public body only, no policy values, JSON + no-store, audited with the same reason. */
function assertDeny(testCase: ConformanceCase, response: Response, events: readonly AuditEvent[]): void {
  expect(response.json, `deny body is JSON: ${response.text}`).toBeDefined();
  expect(Object.keys(response.json ?? {}).filter((key) => !PUBLIC_MEMBERS.has(key))).toEqual([]);
  expect(String(response.headers['content-type'])).toMatch(/^application\/json/);
  expect(response.headers['cache-control']).toBe('no-store');
  expect(response.headers[HOLD_HEADER], 'the hold id of the body, in the header').toBe(response.json?.hold_id);
  const { hold_id: _hold, approval_reference: _reference, ...generic } = response.json ?? {};
  const text = JSON.stringify(generic);
  for (const secret of secretsOf(testCase.token ?? {}))
    expect(text, `deny body leaks ${JSON.stringify(secret)}`).not.toContain(secret);
  expect(events.map((event) => event.reason)).toContain(response.json?.reason);
}

/** Constraint, context, agent and task values of the token: none may reach a deny body. */
function secretsOf(spec: TokenSpec): string[] {
  const out = new Set<string>();
  const walk = (value: unknown): void => {
    if (typeof value === 'string' && value.length >= 3) out.add(value);
    else if (typeof value === 'number' && Math.abs(value) >= 10) out.add(String(value));
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  for (const capability of spec.capabilities ?? []) walk(capability.constraints);
  const sections = spec.sections ?? {};
  walk(sections.context);
  walk(sections.agent);
  walk(sections.task);
  walk(sections.delegation);
  [spec.agentId, spec.operator, spec.taskId, spec.purpose].forEach(walk);
  return [...out];
}
