/**
 * README "What a token carries" shows the claims an AAP token carries. That payload is valid against the
 * draft's own JSON Schema (the vendored, unpatched `packages/core/src/base/claims/schemas/`), and it means
 * what the README says it means: a token carrying exactly those claims, against the quickstart's
 * routes over real HTTP (Express), is allowed, limited, held and refused as the text under it says.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { createGuard, type AuditEvent, type Guard } from '@aap-guard/core';
import { aapGuard } from '@aap-guard/express';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import Ajv2020Module from 'ajv/dist/2020.js';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, type Listening } from '../adapters/kit.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const SCHEMAS = new URL('../../packages/core/src/base/claims/schemas/', import.meta.url);

/** The first ```json block under `## What a token carries`, parsed. */
function exampleClaims(): Record<string, unknown> {
  const start = README.indexOf('\n## What a token carries');
  if (start < 0) throw new Error('README: no "## What a token carries" section');
  const section = README.slice(start, README.indexOf('\n## ', start + 1));
  const block = /```json\n([^]*?)\n```/.exec(section)?.[1];
  if (!block) throw new Error('README: no ```json block under "## What a token carries"');
  return JSON.parse(block) as Record<string, unknown>;
}

describe('README "What a token carries": the example claims', () => {
  it("are valid against the draft's JSON Schema (unpatched; formats are not asserted, as in the guard)", () => {
    const ajv = new Ajv2020Module.default({ strict: true, allErrors: true, validateFormats: false });
    for (const file of readdirSync(SCHEMAS).filter((name) => name.endsWith('.schema.json'))) {
      ajv.addSchema(JSON.parse(readFileSync(new URL(file, SCHEMAS), 'utf8')) as object);
    }
    const validate = ajv.getSchema('https://aap-protocol.org/schemas/aap-token.schema.json')!;
    expect(validate(exampleClaims()) ? [] : validate.errors).toEqual([]);
  });
});

describe('README "What a token carries": what the example claims allow, over HTTP', () => {
  let as: TestIssuer;
  let guard: Guard;
  let api: Listening;
  let token: string;
  const events: AuditEvent[] = [];

  beforeAll(async () => {
    const claims = exampleClaims();
    as = await createIssuer({ issuer: claims.iss as string, audience: claims.aud as string });
    const now = Math.floor(Date.now() / 1000);
    token = await as.mint({ claims: { ...claims, iat: now, exp: now + 600 } }); // the README's payload, current
    guard = createGuard({
      issuer: as.issuer,
      audience: as.audience,
      jwks: as.jwks,
      audit: (event) => void events.push(event),
    });
    const aap = aapGuard({ guard });
    const app = express();
    app.use(aap);
    app.get(
      '/v1/search',
      aap.require('search.web', { target: (req) => req.query.url as string | undefined }),
      (_req, res) => void res.json({}),
    );
    app.post(
      '/v1/drafts',
      aap.require('cms.create_draft'),
      express.raw({ type: () => true, limit: '1mb' }),
      (_req, res) => void res.json({}),
    );
    app.post('/v1/publish', aap.require('cms.publish'), (_req, res) => void res.json({}));
    app.delete('/v1/posts/:id', aap.require('cms.delete'), (_req, res) => void res.json({}));
    api = await listen(createServer(app), guard);
  });
  afterAll(() => api?.close());

  const ask = async (method: string, path: string, body?: string) => {
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'text/plain' };
    const response = await fetch(new URL(path, api.url), { method, headers, body });
    return [response.status, ((await response.json()) as { reason?: string }).reason];
  };

  it('search.web: example.com allowed, another domain 403, ten searches a minute (then 429)', async () => {
    expect(await ask('GET', '/v1/search?url=https://evil.example.net/')).toEqual([403, 'domain_not_allowed']);
    const statuses = [];
    for (let i = 0; i < 11; i += 1) statuses.push((await ask('GET', '/v1/search?url=https://example.com/markets'))[0]);
    expect(statuses).toEqual([...Array<number>(10).fill(200), 429]);
  });

  it('cms.create_draft: up to 64 KiB', async () => {
    expect(await ask('POST', '/v1/drafts', 'x'.repeat(65_536))).toEqual([200, undefined]);
    expect(await ask('POST', '/v1/drafts', 'x'.repeat(65_537))).toEqual([413, 'request_too_large']);
  });

  it("cms.publish waits for a human's approval; an action not in the token is 403 capability_missing", async () => {
    expect(await ask('POST', '/v1/publish', 'hello')).toEqual([403, 'approval_required']);
    expect(await ask('DELETE', '/v1/posts/7')).toEqual([403, 'capability_missing']);
  });
});
