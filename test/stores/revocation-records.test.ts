/**
 * The revocation store contract for token records (`record()`) and distrusted keys (`distrustKey()`,
 * `trustKey()`, `distrustedKeys()`, `keys` events): memoryRevocations() and redisRevocations() on a real
 * redis-server. Time is the records' `now`, never a sleep.
 */
import { randomUUID } from 'node:crypto';
import {
  memoryRevocations,
  type DistrustedKey,
  type RevocationEvent,
  type RevocationStore,
} from '@aap-guard/core/store';
import { redisRevocations } from '@aap-guard/redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { until } from '../helpers/until.js';

const T0 = 1_735_686_000_000;
const ISS = 'https://as.example.com';

let server: RedisServer;
const clients: Redis[] = [];
const stores: RevocationStore[] = [];

beforeAll(async () => {
  server = await startRedis();
});

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close?.()));
  for (const client of clients) client.disconnect();
  await server?.stop();
});

async function redisPair(prefix = `rec${randomUUID().slice(0, 8)}:`): Promise<[RevocationStore, RevocationStore]> {
  const made = await Promise.all(
    [0, 1].map(async () => {
      const client = new Redis({
        host: server.host,
        port: server.port,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
      });
      clients.push(client);
      await new Promise((resolve) => client.once('ready', resolve));
      const store = redisRevocations(client, { prefix });
      stores.push(store);
      return store;
    }),
  );
  return made as [RevocationStore, RevocationStore];
}

async function memoryPair(): Promise<[RevocationStore, RevocationStore]> {
  const store = memoryRevocations({ now: () => T0 });
  return [store, store]; // guards of one process share the one store
}

/** The latest `keys` event a subscriber heard. */
function follow(store: RevocationStore): { keys: () => readonly DistrustedKey[] | undefined; synced: () => boolean } {
  let keys: readonly DistrustedKey[] | undefined;
  let synced = false;
  store.subscribe((event: RevocationEvent) => {
    if (event.type === 'keys') keys = event.keys;
    if (event.type === 'synced') synced = true;
  });
  return { keys: () => keys, synced: () => synced };
}

describe.each([
  ['memoryRevocations()', memoryPair],
  ['redisRevocations() on a real redis-server', redisPair],
] as const)('token records and distrusted keys: %s', (_name, pair) => {
  it("records a token's capabilities for its children, per issuer, and answers the chain", async () => {
    const [a, b] = await pair();
    const root = randomUUID();
    const caps = JSON.stringify([{ action: 'search.web' }]);
    expect(
      await a.record!({ issuer: ISS, jti: root, parent: undefined, capabilities: caps, until: T0 + 60_000, now: T0 }),
    ).toEqual({ chain: [], parent: undefined });
    const child = randomUUID();
    const answer = await b.record!({
      issuer: ISS,
      jti: child,
      parent: root,
      capabilities: '[]',
      until: T0 + 30_000,
      now: T0,
    });
    expect(answer).toEqual({ chain: [root], parent: caps });
    const grandchild = await b.record!({
      issuer: ISS,
      jti: randomUUID(),
      parent: child,
      capabilities: '[]',
      until: T0 + 30_000,
      now: T0,
    });
    expect(grandchild).toEqual({ chain: [child, root], parent: '[]' });
    // another issuer's token of the same jti is another token
    expect(
      (
        await a.record!({
          issuer: 'https://other.example',
          jti: randomUUID(),
          parent: root,
          capabilities: '[]',
          until: T0 + 1000,
          now: T0,
        })
      ).parent,
    ).toBeUndefined();
    // the first record stands: a second sight does not replace it
    await a.record!({
      issuer: ISS,
      jti: root,
      parent: undefined,
      capabilities: '[{"action":"cms.publish"}]',
      until: T0 + 60_000,
      now: T0,
    });
    expect(
      (await b.record!({ issuer: ISS, jti: undefined, parent: root, capabilities: '[]', until: T0 + 1000, now: T0 }))
        .parent,
    ).toBe(caps);
  });

  it('distrusts a key on every subscriber until it is lifted, and lists it', async () => {
    const [a, b] = await pair();
    const heard = follow(b);
    await until(async () => heard.synced(), 2000);
    const key: DistrustedKey = { issuer: ISS, kid: `k-${randomUUID()}`, at: T0, by: 'ops', reason: 'leaked' };
    await a.distrustKey!(key);
    await until(async () => (heard.keys() ?? []).some((k) => k.kid === key.kid), 1000);
    expect((await b.distrustedKeys!()).filter((k) => k.kid === key.kid)).toEqual([key]);
    expect(await b.trustKey!(ISS, key.kid)).toBe(true);
    await until(async () => !(heard.keys() ?? []).some((k) => k.kid === key.kid), 1000);
    expect(await a.trustKey!(ISS, key.kid)).toBe(false);
    expect((await a.distrustedKeys!()).some((k) => k.kid === key.kid)).toBe(false);
  });
});

describe('redisRevocations(): distrusted keys persist', () => {
  it('a subscriber that starts later reads the distrusted keys at its first sync', async () => {
    const prefix = `late${randomUUID().slice(0, 8)}:`;
    const [a] = await redisPair(prefix);
    const key: DistrustedKey = { issuer: ISS, kid: 'late-key', at: T0 };
    await a.distrustKey!(key);
    const [elsewhere] = await redisPair(); // another prefix: nothing there
    const heardElsewhere = follow(elsewhere);
    await until(async () => heardElsewhere.synced(), 2000);
    expect(heardElsewhere.keys()).toEqual([]);
    const [later] = await redisPair(prefix); // a replica started after the fact (a restart)
    const heard = follow(later);
    await until(async () => heard.synced(), 2000);
    expect(heard.keys()).toEqual([key]);
  });
});
