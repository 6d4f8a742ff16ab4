/**
 * `guard.check(request, route)` with a plain route object (not `guard.route()`'s) used to compile the
 * declaration on every call — validating its keys, spreading it into a new frozen object, building its
 * purpose set (issue 26, item 5). It is compiled once per route object now, and an action-only literal
 * once per action. Observed without timing: compiling enumerates the declaration's own keys (a Proxy's
 * `ownKeys` trap counts it); a remembered route is looked up, never enumerated again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuard, type Guard, type RouteSpec } from '@aap-guard/core';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import { NOW } from '../helpers/tokens.js';

let as: TestIssuer;
let guard: Guard;
let token: string;
beforeAll(async () => {
  as = await createIssuer({ now: () => NOW });
  guard = createGuard({ issuer: as.issuer, audience: as.audience, jwks: as.jwks, now: () => NOW, logger: false });
  token = await as.mint({ capabilities: [{ action: 'search.web' }, { action: 'files.read' }], purpose: 'research' });
});
afterAll(() => guard.close());

const request = () => ({
  method: 'GET',
  url: 'https://api.example.com/v1/x',
  headers: { authorization: `Bearer ${token}` },
});

/** A route declaration that counts how often its own keys are enumerated (what compiling it does). */
function counted(spec: Record<string, unknown>): { route: RouteSpec; enumerations: () => number } {
  let enumerations = 0;
  const route = new Proxy(spec, {
    ownKeys(target) {
      enumerations += 1;
      return Reflect.ownKeys(target);
    },
  }) as unknown as RouteSpec;
  return { route, enumerations: () => enumerations };
}

describe('check() with a plain route object', () => {
  it('compiles the same route object once, however many requests use it', async () => {
    const { route, enumerations } = counted({ action: 'search.web', purposes: ['research'] });
    expect((await guard.check(request(), route)).allowed).toBe(true);
    const once = enumerations();
    expect(once).toBeGreaterThan(0);
    for (let i = 0; i < 5; i += 1) expect((await guard.check(request(), route)).allowed).toBe(true);
    expect(enumerations()).toBe(once);
  });

  it('sees a field of the route object reassigned after use: the new declaration decides', async () => {
    const route: { action: string; purposes?: string[] } = { action: 'search.web' };
    expect((await guard.check(request(), route)).allowed).toBe(true);
    route.action = 'mail.send';
    expect((await guard.check(request(), route)).reason).toBe('capability_missing');
    route.action = 'search.web';
    route.purposes = ['billing'];
    expect((await guard.check(request(), route)).allowed).toBe(false);
    route.purposes.splice(0, 1, 'research');
    route.purposes.push('other'); // changed in place: its length tells
    expect((await guard.check(request(), route)).allowed).toBe(true);
  });

  it('an action-only literal per call decides as before, and a literal with an unknown key still throws', async () => {
    for (let i = 0; i < 3; i += 1) expect((await guard.check(request(), { action: 'files.read' })).allowed).toBe(true);
    expect((await guard.check(request(), { action: 'mail.send' })).reason).toBe('capability_missing');
    const typo = { action: 'files.read', purpose: ['research'] } as unknown as RouteSpec;
    await expect(guard.check(request(), typo)).rejects.toThrow(TypeError);
    await expect(guard.check(request(), { action: 'not an action!' })).rejects.toThrow(TypeError);
  });
});
