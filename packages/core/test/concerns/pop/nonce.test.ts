import { describe, expect, it } from 'vitest';
import { createNonceIssuer } from '../../../src/concerns/pop/nonce.js';

describe('stateless server nonces (RFC 9449 §9)', () => {
  const secret = new TextEncoder().encode('s'.repeat(32));
  const T = Date.UTC(2025, 0, 1);

  it('current in its bucket, previous in the next, invalid after', () => {
    const nonces = createNonceIssuer(secret, 300);
    const nonce = nonces.current(T);
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(nonces.check(nonce, T + 299_999)).toBe('current');
    expect(nonces.check(nonce, T + 300_000)).toBe('previous');
    expect(nonces.current(T + 300_000)).not.toBe(nonce);
    expect(nonces.check(nonce, T + 600_000)).toBe('invalid');
  });

  it('any issuer with the same secret agrees; another secret does not', () => {
    const nonce = createNonceIssuer(secret, 300).current(T);
    expect(createNonceIssuer(Uint8Array.from(secret), 300).check(nonce, T)).toBe('current');
    expect(createNonceIssuer(new TextEncoder().encode('t'.repeat(32)), 300).check(nonce, T)).toBe('invalid');
  });

  it('refuses malformed values without throwing', () => {
    const nonces = createNonceIssuer(secret, 300);
    const nonce = nonces.current(T);
    for (const value of [
      undefined,
      1,
      '',
      'A'.repeat(22),
      `${nonce}A`,
      nonce.slice(1),
      'x'.repeat(65),
      `${nonce.slice(0, -1)}=`,
    ]) {
      expect(nonces.check(value, T), String(value)).toBe('invalid');
    }
  });
});
