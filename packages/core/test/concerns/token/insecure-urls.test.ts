/**
 * Options that say what is wrong (issue 13): an `http://` JWKS or discovery URL on a non-loopback host was
 * accepted — keys fetched in cleartext can be replaced in transit. It now needs an explicit opt-in.
 */
import { createGuard } from '@aap-guard/core';
import { describe, expect, it } from 'vitest';

const base = { audience: 'https://api.example.com', logger: false as const };

describe('cleartext key sources', () => {
  it('refuses an http:// JWKS URI on a non-loopback host, naming it', () => {
    expect(() =>
      createGuard({ ...base, issuer: 'https://as.example.com', jwks: { uri: 'http://as.example.com/jwks' } }),
    ).toThrow(/jwks\.uri http:\/\/as\.example\.com\/jwks is http:\/\/ on a non-loopback host/);
  });

  it('refuses discovery over an http:// issuer on a non-loopback host', () => {
    expect(() => createGuard({ ...base, issuer: 'http://as.example.com' })).toThrow(
      /issuer http:\/\/as\.example\.com .* non-loopback/,
    );
  });

  it('accepts loopback, and anything with allowInsecureRequests: true', async () => {
    for (const guard of [
      createGuard({ ...base, issuer: 'https://as.example.com', jwks: { uri: 'http://127.0.0.1:9/jwks' } }),
      createGuard({ ...base, issuer: 'http://localhost:9' }),
      createGuard({
        ...base,
        issuer: 'https://as.example.com',
        jwks: { uri: 'http://as.example.com/jwks' },
        allowInsecureRequests: true,
      }),
    ])
      await guard.close();
  });
});
