import { describe, expect, it } from 'vitest';
import { ExpiringTable } from '../../../src/base/stores/expiring-table.js';
import { random } from '../../helpers/random.js';

describe('ExpiringTable', () => {
  it('sweep(now) drops exactly the entries expired at now, whatever the insertion order, and tells onDrop', () => {
    const next = random(42);
    const dropped: number[] = [];
    const table = new ExpiringTable<{ expiresAt: number }>((value) => dropped.push(value.expiresAt));
    const expiries = new Map<string, number>();
    for (let i = 0; i < 5000; i += 1) {
      const expiresAt = Math.floor(next() * 10_000);
      expiries.set(`k${i}`, expiresAt);
      table.add(`k${i}`, { expiresAt });
    }
    for (const now of [0, 1234, 5000, 9999, 10_000]) {
      table.sweep(now);
      const live = [...expiries.values()].filter((at) => at > now).length;
      expect(table.size).toBe(live);
      expect(dropped.every((at) => at <= now)).toBe(true);
    }
    expect(dropped).toHaveLength(5000);
  });

  it('keeps an entry whose expiresAt moved later in place, and reclaims it once that time has come', () => {
    const table = new ExpiringTable<{ expiresAt: number }>();
    const entry = { expiresAt: 100 };
    table.add('log', entry);
    entry.expiresAt = 500; // a sliding log that recorded a request
    table.sweep(100);
    expect(table.get('log', 100)).toBe(entry);
    expect(table.nextExpiry()).toBe(500);
    table.sweep(500);
    expect(table.size).toBe(0);
  });

  it('never returns an expired entry, and a re-added key is not dropped by its old slot', () => {
    const table = new ExpiringTable<{ expiresAt: number }>();
    table.add('k', { expiresAt: 10 });
    expect(table.get('k', 10)).toBeUndefined();
    const fresh = { expiresAt: 50 };
    table.add('k', fresh);
    table.sweep(20); // the old slot (10) surfaces and must not drop the new entry
    expect(table.get('k', 20)).toBe(fresh);
  });
});
