/**
 * The memory store's DPoP replay markers are kept in insertion order (O(1) per marker, no object per marker).
 * Two guards with different proof retentions may share one store, so insertion order is not always expiry
 * order: a marker must still be refused until its own retention ends — never dropped early because an older,
 * longer-lived marker is ahead of it — and accepted again once it has ended. Through `memoryStore().consume()`.
 */
import { memoryStore } from '@aap-guard/core';
import { describe, expect, it } from 'vitest';

const T0 = 1_700_000_000_000;
const proof = (key: string, now: number, ttlMs: number) => ({ now, windows: [], replay: { key, ttlMs } });

describe('memory store: replay markers of mixed retention', () => {
  it('refuses each marker until its own expiry, whatever the markers around it', async () => {
    const store = memoryStore();
    expect(await store.consume(proof('long', T0, 600_000))).toMatchObject({ ok: true });
    expect(await store.consume(proof('short', T0 + 1, 60_000))).toMatchObject({ ok: true });
    // Within both retentions: both refused.
    expect(await store.consume(proof('long', T0 + 30_000, 600_000))).toEqual({ ok: false, reason: 'replay' });
    expect(await store.consume(proof('short', T0 + 30_000, 60_000))).toEqual({ ok: false, reason: 'replay' });
    // The short marker's retention ended, behind a live long one: accepted again (a fresh marker).
    expect(await store.consume(proof('short', T0 + 60_002, 60_000))).toMatchObject({ ok: true });
    expect(await store.consume(proof('short', T0 + 60_003, 60_000))).toEqual({ ok: false, reason: 'replay' });
    // The long one is still refused until its own end.
    expect(await store.consume(proof('long', T0 + 599_999, 600_000))).toEqual({ ok: false, reason: 'replay' });
    expect(await store.consume(proof('long', T0 + 600_001, 600_000))).toMatchObject({ ok: true });
    await store.close?.();
  });

  it('reclaims expired markers, so a full budget admits again once the oldest expired', async () => {
    const store = memoryStore({ maxReplays: 2 });
    await store.consume(proof('a', T0, 1_000));
    await store.consume(proof('b', T0 + 10, 1_000));
    const full = await store.consume(proof('c', T0 + 20, 1_000));
    expect(full).toMatchObject({ ok: false, reason: 'full', budget: 'replay', retryAfterMs: 980 });
    expect(await store.consume(proof('c', T0 + 1_000, 1_000))).toMatchObject({ ok: true }); // 'a' reclaimed
    expect(await store.consume(proof('b', T0 + 1_001, 1_000))).toEqual({ ok: false, reason: 'replay' });
    for (let i = 0; i < 5_000; i += 1) {
      const r = await store.consume(proof(`m${i}`, T0 + 2_000 + i * 1_000, 1_000)); // each expires before the next
      expect(r.ok).toBe(true);
    }
    await store.close?.();
  });
});
