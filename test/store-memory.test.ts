import { fallbackStore, memoryStore, type Revocation, type RevocationEvent } from '@aap-guard/core';
import { describe, expect, it } from 'vitest';
import { storeContract } from './store-contract.js';

storeContract('memoryStore()', () => memoryStore());
storeContract('fallbackStore(memoryStore(), memoryStore())', () => fallbackStore(memoryStore(), memoryStore()));

describe('memoryStore bounds', () => {
  it('keeps at most maxKeys keys, evicting the least recently used', async () => {
    const store = memoryStore({ maxKeys: 2 });
    const window = (key: string) => [{ key, limit: 1, windowMs: 60_000, mode: 'sliding' as const }];
    await store.consume({ now: 0, id: 'a', windows: window('a') });
    await store.consume({ now: 0, id: 'b', windows: window('b') });
    expect((await store.consume({ now: 1, id: 'a2', windows: window('a') })).ok).toBe(false); // 'a' is now most recent
    await store.consume({ now: 1, id: 'c', windows: window('c') }); // evicts 'b'
    expect((await store.consume({ now: 2, id: 'b2', windows: window('b') })).ok).toBe(true);
    expect((await store.consume({ now: 2, id: 'c2', windows: window('c') })).ok).toBe(false);
  });

  it('keeps at most maxEntries timestamps in all, evicting whole idle keys first', async () => {
    const store = memoryStore({ maxEntries: 10 });
    const window = (key: string) => [{ key, limit: 100, windowMs: 60_000, mode: 'sliding' as const }];
    for (let i = 0; i < 4; i++) await store.consume({ now: i, id: `a${i}`, windows: window('a') }); // 'a': 5 entries
    for (let i = 0; i < 4; i++) await store.consume({ now: i, id: `b${i}`, windows: window('b') }); // 'b': 5, total 10
    await store.consume({ now: 5, id: 'c', windows: window('c') }); // 'c': 2 → over budget: 'a' (idle longest) goes
    const a = await store.consume({ now: 6, id: 'a-again', windows: window('a') });
    const b = await store.consume({ now: 6, id: 'b-again', windows: window('b') });
    expect(a.ok && a.windows[0]?.remaining).toBe(99); // 'a' restarted from zero
    expect(b.ok && b.windows[0]?.remaining).toBe(95);
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
