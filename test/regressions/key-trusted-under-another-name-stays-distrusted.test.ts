/**
 * Regression (issue 24 item 7, seen in the last review): issuer names that share one `jwks` object are one
 * authorization server, and a distrusted `kid` is enforced for the whole issuer scope — but the store kept the
 * entry under the name it was distrusted with. `guard.keys.trust()` under the server's other name deleted
 * nothing (the admin answered 404) and the key stayed distrusted; distrusting it under both names left two
 * entries, one of which outlived a `trust()`. Now the entry is kept under the scope's name, so any name of the
 * server lists, lifts and re-distrusts the same one key. Through `guard.keys` and `guard.check()`, memory and
 * Redis stores.
 */
import { createGuard, memoryStore, type Guard, type Store } from '@aap-guard/core';
import { redisStore } from '@aap-guard/redis';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useRedis } from '../helpers/redis-client.js';

const ALIAS = 'https://as-a.example.net';
const redis = useRedis();
let as: TestIssuer;
const guards: Guard[] = [];

beforeAll(async () => {
  as = await createIssuer({ issuer: 'https://as-a.example.com' });
});
afterEach(async () => {
  await Promise.all(guards.splice(0).map((guard) => guard.close()));
});

const stores: Record<string, () => Store> = {
  memory: () => memoryStore(),
  redis: () => redisStore(redis.redis, { prefix: redis.prefix('distrust-scope') }),
};

describe.each(Object.keys(stores))('a key distrusted under one name of an issuer (%s store)', (name) => {
  const setup = async () => {
    const guard = createGuard({
      issuer: [as.issuer, ALIAS],
      audience: as.audience,
      jwks: as.jwks,
      store: stores[name]!(),
      logger: false,
      delegation: { unknownParent: 'allow-audited' },
    });
    guards.push(guard);
    await guard.revocations.whenSynced();
    const route = guard.route({ action: 'api.read' });
    const token = await as.mint({ capabilities: [{ action: 'api.read' }] });
    const check = async () => {
      const decision = await guard.check(
        { method: 'GET', url: 'https://api.example.com/v1/read', headers: { authorization: `Bearer ${token}` } },
        route,
      );
      return decision.allowed ? 'allowed' : decision.reason;
    };
    return { guard, check, kid: as.kid };
  };

  it('is lifted by trust() under the other name', async () => {
    const { guard, check, kid } = await setup();
    await guard.keys.distrust({ issuer: ALIAS, kid }, { reason: 'leaked' });
    expect(await check()).toBe('key_distrusted');
    expect(await guard.keys.trust({ issuer: as.issuer, kid })).toBe(true);
    expect(await guard.keys.list()).toEqual([]);
    expect(await check()).toBe('allowed');
    expect(await guard.keys.trust({ issuer: ALIAS, kid })).toBe(false); // nothing left under any name
  });

  it('is one entry, whichever names distrust it, and one trust() lifts it', async () => {
    const { guard, check, kid } = await setup();
    await guard.keys.distrust({ issuer: as.issuer, kid }, { reason: 'leaked' });
    await guard.keys.distrust({ issuer: ALIAS, kid }, { reason: 'again' });
    const listed = await guard.keys.list();
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ issuer: as.issuer, kid, reason: 'again' });
    expect(await guard.keys.trust({ issuer: ALIAS, kid })).toBe(true);
    expect(await check()).toBe('allowed');
  });
});
