import { describe, expect, it } from 'vitest';
import { createGuard, type RequestInfo } from '@aap-guard/core';
import { createIssuer } from '@aap-guard/testing';
import { random } from '../helpers/random.js';

/** Values of every wrong type and shape, for every field of a request. */
const JUNK: readonly unknown[] = [
  undefined,
  null,
  0,
  -1,
  1e308,
  Number.NaN,
  '',
  ' ',
  'x'.repeat(100_000),
  [],
  [''],
  ['a', 'b'],
  {},
  { a: 1 },
  true,
  '\u0000',
  '::ffff:',
  '999.1.1.1',
  'http://[::1',
  '%zz',
  'https://a.org/',
  '10.1.1.1',
  Symbol('s'),
  () => 'fn',
];

describe('check() on hostile request fields', () => {
  it('never throws and never fails with internal_error: every answer is a decision with a client status', async () => {
    const as = await createIssuer();
    const guard = createGuard({
      issuer: as.issuer,
      audience: as.audience,
      jwks: as.jwks,
      trustProxy: true,
      constraints: { networkZones: { z: ['10.0.0.0/8'] }, region: () => 'US', resolveTarget: () => ['10.2.2.2'] },
    });
    const token = await as.mint({
      capabilities: [
        {
          action: 'search.web',
          constraints: {
            domains_allowed: ['a.org'],
            ip_ranges_allowed: ['10.0.0.0/8'],
            allowed_regions: ['US'],
            max_request_size: 5,
          },
        },
      ],
      sections: { context: { network_zone: 'z' } },
    });
    const next = random(20261123);
    const pick = () => JUNK[Math.floor(next() * JUNK.length)];
    const sometimes = <T>(good: T) => (next() < 0.5 ? good : pick());
    const route = { action: 'search.web', taskIdFrom: 'header:x-task' } as const;
    const statuses = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const headers =
        next() < 0.1
          ? pick()
          : {
              authorization: next() < 0.6 ? `Bearer ${token}` : pick(),
              'x-forwarded-for': sometimes(undefined),
              dpop: sometimes(undefined),
              'aap-hold-id': pick(),
              forwarded: pick(),
              'x-forwarded-proto': pick(),
              'client-cert': pick(),
              traceparent: pick(),
              'x-task': sometimes('task-001'),
            };
      const request = {
        method: sometimes('GET'),
        url: sometimes('https://api.example.com/x'),
        headers,
        target: sometimes('https://a.org/'),
        clientIp: sometimes('10.1.1.1'),
        contentLength: sometimes(1),
        params: pick(),
        bodyDigest: pick(),
        clientCertificate: pick(),
      } as unknown as RequestInfo;
      const decision = await guard.check(request, route);
      expect(decision.reason, `request #${i}: ${JSON.stringify(decision.audit.detail)}`).not.toBe('internal_error');
      statuses.add(decision.status);
    }
    expect([...statuses].every((status) => [200, 400, 401, 403, 413].includes(status))).toBe(true);
    expect(statuses.has(200) && statuses.has(400) && statuses.has(403)).toBe(true); // the junk reached every stage
    await guard.close();
  });
});
