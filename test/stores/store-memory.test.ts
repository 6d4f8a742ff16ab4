import { fallbackStore, memoryStore, type Revocation } from '@aap-guard/core';
import { type RevocationEvent } from '@aap-guard/core/store';
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
    for (let i = 0; i < 4; i += 1) quota.push((await store.consume({ now: i, windows: day })).ok);
    expect(quota).toEqual([true, true, true, false]);
    let refused = 0;
    for (let i = 0; i < 150_000; i += 1) {
      const result = await store.consume({ now: 10, replay: { key: `{flood}:dpop:${i}`, ttlMs: 66_000 }, windows: [] });
      if (!result.ok) refused += 1;
    }
    expect(refused).toBe(0); // the default replay budget holds a sustained 2,000+ DPoP requests/s
    expect(await store.consume({ now: 20, windows: day })).toMatchObject({ ok: false, reason: 'limited' });
  });

  it('refuses a new counter when maxKeys live counters exist, instead of evicting one; expired counters make room', async () => {
    const store = memoryStore({ maxKeys: 2 });
    await store.consume({ now: 0, windows: window('a') });
    await store.consume({ now: 0, windows: window('b') });
    // a sliding minute's counter lives until its newest 1 s bucket has left the window: 61 s
    expect(await store.consume({ now: 1, windows: window('c') })).toEqual({
      ok: false,
      reason: 'full',
      budget: 'counters',
      retryAfterMs: 60_999,
    });
    expect(await store.consume({ now: 2, windows: window('a') })).toMatchObject({ ok: false, reason: 'limited' }); // 'a' kept its count
    expect((await store.consume({ now: 61_000, windows: window('c') })).ok).toBe(true); // 'a' and 'b' expired
  });

  it('keeps one counter per window whatever its limit and traffic: 100,000 requests fit maxKeys: 1', async () => {
    const store = memoryStore({ maxKeys: 1 });
    const huge = [{ key: 'k', limit: 100_000_000, windowMs: 60_000, mode: 'sliding' as const }];
    let admitted = 0;
    for (let i = 0; i < 100_000; i++) if ((await store.consume({ now: i, windows: huge })).ok) admitted += 1;
    expect(admitted).toBe(100_000);
  });

  it('refuses a new replay marker when maxReplays live ones exist; they make room as they expire', async () => {
    const store = memoryStore({ maxReplays: 2 });
    const proof = (jti: string, now: number) =>
      store.consume({ now, replay: { key: `{s}:dpop:${jti}`, ttlMs: 1000 }, windows: [] });
    expect((await proof('j1', 0)).ok).toBe(true);
    expect((await proof('j2', 10)).ok).toBe(true);
    expect(await proof('j3', 20)).toEqual({ ok: false, reason: 'full', budget: 'replay', retryAfterMs: 980 });
    expect(await proof('j1', 30)).toEqual({ ok: false, reason: 'replay' }); // still remembered
    expect((await proof('j3', 1000)).ok).toBe(true); // j1 expired at 1000
    expect(await proof('j2', 1001)).toEqual({ ok: false, reason: 'replay' });
  });

  it('rejects bad options at construction', () => {
    expect(() => memoryStore({ maxKeys: 0 })).toThrow(TypeError);
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
    expect(events).toEqual([
      { type: 'keys', keys: [] },
      { type: 'synced', entries: [entry] },
    ]); // the distrusted keys, then the set
  });

  it('close() also ends them: no listener hears of later revocations', async () => {
    const store = memoryStore({ now: () => NOW });
    const events: RevocationEvent[] = [];
    store.revocations?.subscribe((event) => events.push(event));
    await store.close?.();
    await store.revocations?.add(entry);
    expect(events.map((event) => event.type)).toEqual(['keys', 'synced']);
  });
});
