import { memoryStore } from '@aap-guard/core';
import { describe, expect, it } from 'vitest';
import { storeContract } from './store-contract.js';

storeContract('memoryStore()', () => memoryStore());

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

  it('rejects a bad maxKeys at construction', () => {
    expect(() => memoryStore({ maxKeys: 0 })).toThrow(TypeError);
  });
});
