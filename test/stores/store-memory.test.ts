import { fallbackStore, memoryStore, type Revocation, type RevocationEvent } from '@aap-guard/core';
import { describe, expect, it } from 'vitest';
import { storeContract } from './store-contract.js';

storeContract('memoryStore()', () => memoryStore());
storeContract('fallbackStore(memoryStore(), memoryStore())', () => fallbackStore(memoryStore(), memoryStore()));

describe('memoryStore budgets', () => {
  const window = (key: string, limit = 1) => [{ key, limit, windowMs: 60_000, mode: 'sliding' as const }];

  it('with the default budgets, 150,000 DPoP replay markers leave a live counter alone', async () => {
    const store = memoryStore();
    const day = [{ key: '{agent}:rl:day', limit: 3, windowMs: 86_400_000, mode: 'sliding' as const }];
    const quota = [];
    for (let i = 0; i < 4; i += 1) quota.push((await store.consume({ now: i, id: `q${i}`, windows: day })).ok);
    expect(quota).toEqual([true, true, true, false]);
    let refused = 0;
    for (let i = 0; i < 150_000; i += 1) {
      const result = await store.consume({ now: 10, id: `f${i}`, replay: { key: `{flood}:dpop:${i}`, ttlMs: 66_000 }, windows: [] });
      if (!result.ok) refused += 1;
    }
    expect(refused).toBe(0); // the default replay budget holds a sustained 2,000+ DPoP requests/s
    expect(await store.consume({ now: 20, id: 'q-after', windows: day })).toMatchObject({ ok: false, reason: 'limited' });
  });

  it('refuses a new counter when maxKeys live counters exist, instead of evicting one; expired counters make room', async () => {
    const store = memoryStore({ maxKeys: 2 });
    await store.consume({ now: 0, id: 'a', windows: window('a') });
    await store.consume({ now: 0, id: 'b', windows: window('b') });
    expect(await store.consume({ now: 1, id: 'c', windows: window('c') })).toEqual({ ok: false, reason: 'full', budget: 'counters', retryAfterMs: 59_999 });
    expect(await store.consume({ now: 2, id: 'a2', windows: window('a') })).toMatchObject({ ok: false, reason: 'limited' }); // 'a' kept its count
    expect((await store.consume({ now: 60_000, id: 'c2', windows: window('c') })).ok).toBe(true); // 'a' and 'b' expired
  });

  it('refuses a request whose timestamps would pass maxEntries, instead of evicting a live log', async () => {
    const store = memoryStore({ maxEntries: 10 });
    for (let i = 0; i < 4; i++) await store.consume({ now: i, id: `a${i}`, windows: window('a', 100) }); // 'a': 5 entries
    for (let i = 0; i < 4; i++) await store.consume({ now: i, id: `b${i}`, windows: window('b', 100) }); // 'b': 5, total 10
    expect(await store.consume({ now: 5, id: 'c', windows: window('c', 100) })).toMatchObject({ ok: false, reason: 'full', budget: 'counters' });
    expect(await store.consume({ now: 6, id: 'a-again', windows: window('a', 100) })).toMatchObject({ ok: false, reason: 'full' });
    const later = await store.consume({ now: 60_002, id: 'a-later', windows: window('a', 100) }); // 'a' keeps only its entry of t=3
    expect(later.ok && later.windows[0]?.remaining).toBe(98);
  });

  it('refuses a new replay marker when maxReplays live ones exist; they make room as they expire', async () => {
    const store = memoryStore({ maxReplays: 2 });
    const proof = (jti: string, now: number) => store.consume({ now, id: jti, replay: { key: `{s}:dpop:${jti}`, ttlMs: 1000 }, windows: [] });
    expect((await proof('j1', 0)).ok).toBe(true);
    expect((await proof('j2', 10)).ok).toBe(true);
    expect(await proof('j3', 20)).toEqual({ ok: false, reason: 'full', budget: 'replay', retryAfterMs: 980 });
    expect(await proof('j1', 30)).toEqual({ ok: false, reason: 'replay' }); // still remembered
    expect((await proof('j3', 1000)).ok).toBe(true); // j1 expired at 1000
    expect(await proof('j2', 1001)).toEqual({ ok: false, reason: 'replay' });
  });

  it('counts a limit above maxEntries as maxEntries - 1: less than the token says, never more', async () => {
    const store = memoryStore({ maxEntries: 4 });
    const window = [{ key: 'k', limit: 1_000_000, windowMs: 60_000, mode: 'sliding' as const }];
    const admitted = [];
    for (let i = 0; i < 5; i++) admitted.push((await store.consume({ now: i, id: `r${i}`, windows: window })).ok);
    expect(admitted).toEqual([true, true, true, false, false]);
  });

  it('rejects bad options at construction', () => {
    expect(() => memoryStore({ maxKeys: 0 })).toThrow(TypeError);
    expect(() => memoryStore({ maxEntries: 0 })).toThrow(/maxEntries/);
    expect(() => memoryStore({ maxReplays: 1.5 })).toThrow(/maxReplays/);
    expect(() => memoryStore({ now: 5 as unknown as () => number })).toThrow(/now/);
  });
});

describe('memoryStore holds and revocations', () => {
  const NOW = Date.UTC(2025, 0, 1);
  const entry: Revocation = { kind: 'jti', value: 'jti-1', until: NOW + 60_000, at: NOW };

  it('brings its own, so guards sharing one memory store share them; its clock is injectable', async () => {
    const store = memoryStore({ now: () => NOW });
    expect(store.holds).toBeDefined();
    await store.revocations?.add(entry);
    const events: RevocationEvent[] = [];
    store.revocations?.subscribe((event) => events.push(event)); // a second guard, after the revocation
    expect(events).toEqual([{ type: 'synced', entries: [entry] }]);
  });

  it('close() also ends them: no listener hears of later revocations', async () => {
    const store = memoryStore({ now: () => NOW });
    const events: RevocationEvent[] = [];
    store.revocations?.subscribe((event) => events.push(event));
    await store.close?.();
    await store.revocations?.add(entry);
    expect(events.map((event) => event.type)).toEqual(['synced']);
  });
});
