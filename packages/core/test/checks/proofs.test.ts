import { describe, expect, it } from 'vitest';
import { createGuard, type RequestInfo } from '@aap-guard/core';
import { extractCredentials } from '../../src/checks/extract-credentials.js';
import type { CheckContext } from '../../src/checks/context.js';
import { engineOf } from '../../src/engine/registry.js';

// The proofs themselves are validated by the proof-of-possession step; here: that every value is collected.
const guard = createGuard({
  issuer: 'https://as.example.com',
  audience: 'https://api.example.com',
  jwks: {
    keys: [
      {
        kty: 'EC',
        crv: 'P-256',
        x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
        y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
      },
    ],
  },
});

function credentialsOf(dpop: string | string[] | undefined): readonly string[] | undefined {
  const request: RequestInfo = {
    method: 'GET',
    url: 'https://api.example.com/',
    headers: { authorization: 'DPoP a.b.c', dpop },
  };
  const ctx = {
    request,
    method: 'GET',
    route: undefined,
    settings: engineOf(guard).settings,
    runtime: engineOf(guard).runtime,
    now: 0,
    headers: {},
    detail: {},
  } as CheckContext;
  expect(extractCredentials(ctx)).toBeUndefined();
  return ctx.credentials?.proofs;
}

describe('DPoP header collection', () => {
  it('collects every dpop value: arrays and comma-joined strings', () => {
    expect(credentialsOf(undefined)).toEqual([]);
    expect(credentialsOf('p1.x.y')).toEqual(['p1.x.y']);
    expect(credentialsOf(['p1.x.y', 'p2.x.y'])).toEqual(['p1.x.y', 'p2.x.y']);
    expect(credentialsOf('p1.x.y, p2.x.y')).toEqual(['p1.x.y', 'p2.x.y']);
  });
});
