import { BODY_DIGEST, bodyDigest } from '@aap-guard/core';
import { aapGuard } from '@aap-guard/express';
import request from 'supertest';
import { afterEach, expect, it } from 'vitest';
import { expectHoldBoundToBody, heldPublishToken } from '../../../test/adapters/kit.js';
import { bearer, forEachExpress, setup } from './helpers.js';

// Express-only behaviour, on Express 5 and on Express 4 (see helpers.ts). What every adapter does
// (authentication, declared and undeclared routes, limits, env options, the example) is in
// test/adapters, run on both Express majors too.

forEachExpress('@aap-guard/express: app.use(aap)', (express) => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  it('works per route without the global middleware (guard.check)', async () => {
    const { as, guard } = await setup();
    closers.push(() => guard.close());
    const aap = aapGuard({ guard });
    const server = express();
    server.get('/v1/search', aap.require('search.web'), (req, res) => {
      res.json({ agent: req.aap?.claims.agent.id });
    });
    const ok = await request(server)
      .get('/v1/search')
      .set('authorization', bearer(await as.mint({ agentId: 'a-1' })));
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ agent: 'a-1' });
    const missing = await request(server).get('/v1/search');
    expect(missing.status).toBe(401);
  });

  it('binds an oversight hold to the body digest a body parser left on the request', async () => {
    const { as, guard } = await setup();
    closers.push(() => guard.close());
    const aap = aapGuard({ guard });
    const server = express();
    server.use(
      express.json({
        verify: (req, _res, bytes) =>
          void ((req as unknown as Record<symbol, string>)[BODY_DIGEST] = bodyDigest(bytes)),
      }),
    );
    server.use(aap);
    server.post('/v1/publish', aap.require('cms.publish'), (req, res) => void res.json({ published: req.body.title }));
    const token = await heldPublishToken(as);
    await expectHoldBoundToBody(guard, (title, hold) =>
      request(server)
        .post('/v1/publish')
        .set('authorization', token)
        .set(hold ? { 'aap-hold-id': hold } : {})
        .send({ title }),
    );
  });
});
