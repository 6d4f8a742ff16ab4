/**
 * A token refused on its structure alone (no key, no signature) is refused before jose is called — jose's
 * error construction made such a refusal cost more than a verified token (issue 26). The refusal must be
 * the one jose gives: same reason, same jose code and message in the audit detail, same precedence over
 * the key lookup and the signature. This compares the guard with jose's own `jwtVerify` (same options, the
 * same key set) over a table of malformed shapes and a seeded stream of random headers.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { base64url, createLocalJWKSet, jwtVerify } from 'jose';
import { createGuard, type AuditEvent, type Guard } from '@aap-guard/core';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import { NOW, bearer } from '../../helpers/tokens.js';
import { random as seeded } from '../../helpers/random.js';

const AUD = 'https://api.example.com';
let as: TestIssuer;
let guard: Guard;
let events: AuditEvent[];
let good: string;

/** jose's codes → the guard's reasons (concerns/token/errors.ts), for what a malformed header can reach. */
const BY_CODE: Record<string, string> = {
  ERR_JWS_INVALID: 'token_malformed',
  ERR_JWT_INVALID: 'token_malformed',
  ERR_JOSE_ALG_NOT_ALLOWED: 'token_alg_not_allowed',
  ERR_JOSE_NOT_SUPPORTED: 'token_header_invalid',
  ERR_JWKS_NO_MATCHING_KEY: 'token_key_unknown',
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: 'token_key_unknown',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'token_signature_invalid',
};

beforeAll(async () => {
  as = await createIssuer({ now: () => NOW });
  events = [];
  guard = createGuard({
    issuer: as.issuer,
    audience: AUD,
    jwks: as.jwks,
    now: () => NOW,
    logger: false,
    algorithms: ['ES256', 'RS256'],
    audit: (event) => void events.push(event),
    failedValidations: false, // hundreds of refusals from one address: each must reach the check under test
  });
  good = await as.mint();
});

/** What jose's jwtVerify says of `token`: its code and message, or undefined when it verifies. */
async function jose(token: string): Promise<{ code: string; message: string } | undefined> {
  try {
    await jwtVerify(token, createLocalJWKSet(as.jwks), {
      algorithms: ['ES256', 'RS256'],
      issuer: as.issuer,
      audience: AUD,
    });
    return undefined;
  } catch (error) {
    return { code: (error as { code: string }).code, message: (error as Error).message };
  }
}

/** The guard's refusal of `token`, as its audit event records it. */
async function guarded(token: string): Promise<{ reason: string | undefined; jose: unknown; message: unknown }> {
  events.length = 0;
  const decision = await guard.check(bearer(token), { action: 'search.web' });
  const detail = events[0]?.detail ?? {};
  return { reason: decision.reason, jose: detail.jose, message: detail.message };
}

async function expectSameAsJose(token: string): Promise<void> {
  const expected = await jose(token);
  const seen = await guarded(token);
  if (expected === undefined) throw new Error(`jose verified ${token}`);
  if (seen.reason === 'authorization_malformed') return; // not a b64token (RFC 6750 §2.1): refused before either
  expect({ token, ...seen }).toEqual({
    token,
    reason: BY_CODE[expected.code],
    jose: expected.code,
    message: expected.message,
  });
}

const b64 = (text: string) => base64url.encode(text);

describe('structural refusals before jose: the refusal jose gives', () => {
  it('segments, header encoding, header JSON, alg', async () => {
    const [h, p, s] = good.split('.') as [string, string, string];
    const header = (json: string) => `${b64(json)}.${p}.${s}`;
    const tokens = [
      'not-a-jwt',
      'only.two',
      `${good}.extra`,
      `${h}.${p}.${s}.x.y`,
      '..',
      `.${p}.${s}`,
      `${h.slice(0, -1)}.${p}.${s}`,
      `${h}A.${p}.${s}`,
      `${h}=.${p}.${s}`,
      `${h.slice(0, 5)}~${h.slice(6)}.${p}.${s}`,
      header('{"alg":"ES256",'),
      header('[]'),
      header('"x"'),
      header('null'),
      header(' {"alg":"ES256","kid":"x"} '),
      header('\ufeff{"alg":"ES256"}'),
      `${base64url.encode(new Uint8Array([0x7b, 0xff, 0x7d]))}.${p}.${s}`,
      header('{}'),
      header('{"alg":""}'),
      header('{"alg":1}'),
      header('{"alg":"none"}'),
      header('{"alg":"HS256"}'),
      header('{"alg":"ES384"}'),
      header(`{"alg":"ES256","kid":"${as.kid}","crit":["exp"]}`),
      header('{"alg":"ES256","crit":[]}'),
      header('{"alg":"none","crit":["b64"],"b64":false}'),
      header('{"alg":"ES256","b64":"x"}'),
      header(`{"alg":"ES256","kid":"unknown"}`),
      header(`{"alg":"ES256","kid":"${as.kid}"}`),
      header(`{"alg":"RS256","kid":"${as.kid}"}`),
      `${h}.${p}.${s.slice(0, -2)}!!`,
      `${h}.${p}.`,
      `${h}..${s}`,
    ];
    for (const token of tokens) await expectSameAsJose(token);
  });

  it('random headers and segment shapes decide as jose does', async () => {
    const random = seeded(2026);
    const [, p, s] = good.split('.') as [string, string, string];
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    const algs = ['"ES256"', '"RS256"', '"none"', '"HS256"', '""', '1', 'null', '"es256"'];
    const extra = [
      '',
      `,"kid":"${as.kid}"`,
      ',"kid":"other"',
      ',"crit":["x"]',
      ',"b64":true',
      ',"typ":"at+jwt"',
      ',"alg":"none"',
    ];
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let i = 0; i < 300; i += 1) {
      const shape = random();
      let token: string;
      if (shape < 0.5) {
        const json = `{${random() < 0.9 ? `"alg":${pick(algs)}` : '"x":1'}${pick(extra)}${random() < 0.1 ? ',' : ''}}`;
        token = `${b64(json)}.${p}.${s}`;
      } else {
        const length = Math.floor(random() * 24);
        const text = Array.from({ length }, () => pick(alphabet.split(''))).join('');
        token = pick([`${text}.${p}.${s}`, `${text}.${p}`, `${text}`, `${b64('{"alg":"ES256"}')}.${text}.${s}`]);
      }
      await expectSameAsJose(token);
    }
  });
});
