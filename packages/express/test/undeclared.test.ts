import { aapGuard, type AapMiddleware } from '@aap-guard/express';
import type { Express, Request, Response } from 'express';
import request from 'supertest';
import { afterEach, expect, it } from 'vitest';
import { bearer, forEachExpress, setup } from './helpers.js';

forEachExpress('@aap-guard/express: routes without a declaration', (express) => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  /** An app with declared and undeclared routes; `ran` records every handler that ran. */
  async function app(undeclared: 'allow' | 'deny') {
    const { as, guard, events } = await setup();
    closers.push(() => guard.close());
    const aap = aapGuard({ guard, undeclared });
    const ran: string[] = [];
    const server = express();
    server.use(aap);
    routes(server, aap, ran);
    return {
      as,
      events,
      server,
      ran,
      token: await as.mint({ capabilities: [{ action: 'search.web' }, { action: 'admin.read' }] }),
    };
  }

  function routes(server: Express, aap: AapMiddleware, ran: string[]): void {
    const handler = (name: string) => (_req: Request, res: Response) => {
      ran.push(name);
      res.json({ name });
    };
    server.get('/health', handler('health'));
    server.get('/v1/search', aap.require('search.web'), handler('search'));
    server.route('/v1/items').get(aap.require('search.web'), handler('items.get')).post(handler('items.post'));
    const api = express.Router();
    api.get('/declared', aap.require('search.web'), handler('api.declared'));
    api.get('/plain', handler('api.plain'));
    server.use('/api', api);
    server.use('/admin', aap.require('admin.read'));
    server.get('/admin/stats', handler('admin.stats'));
    const sub = express();
    sub.get('/inside', handler('sub.inside'));
    server.use('/sub', sub);
  }

  it('allow (default): an undeclared route is authenticated only', async () => {
    const { server, token, ran } = await app('allow');
    expect((await request(server).get('/health').set('authorization', bearer(token))).status).toBe(200);
    expect((await request(server).get('/api/plain').set('authorization', bearer(token))).status).toBe(200);
    expect(ran).toEqual(['health', 'api.plain']);
  });

  it('allow: an undeclared route still requires a valid token', async () => {
    const { server, ran } = await app('allow');
    expect((await request(server).get('/health')).status).toBe(401);
    expect(ran).toEqual([]);
  });

  it.each([
    ['an undeclared app route', 'get', '/health'],
    ['an undeclared method of a declared path', 'post', '/v1/items'],
    ['an undeclared route in a Router', 'get', '/api/plain'],
    ['a route inside a mounted sub-app (opaque: fail closed)', 'get', '/sub/inside'],
  ] as const)('deny: refuses %s with 403 before its handler runs', async (_name, method, path) => {
    const { server, token, ran, events } = await app('deny');
    const res = await request(server)[method](path).set('authorization', bearer(token));
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      error: 'aap_invalid_capability',
      error_description: expect.any(String),
      reason: 'route_undeclared',
    });
    expect(ran).toEqual([]);
    expect(events.at(-1)).toMatchObject({ decision: 'deny', reason: 'route_undeclared', status: 403 });
  });

  it.each([
    ['a declared app route', 'get', '/v1/search', 'search'],
    ['a declared method of a route', 'get', '/v1/items', 'items.get'],
    ['HEAD on a declared GET route', 'head', '/v1/items', 'items.get'],
    ['a declared route in a Router', 'get', '/api/declared', 'api.declared'],
    ['a route under a declared prefix', 'get', '/admin/stats', 'admin.stats'],
  ] as const)('deny: admits %s', async (_name, method, path, name) => {
    const { server, token, ran } = await app('deny');
    const res = await request(server)[method](path).set('authorization', bearer(token));
    expect(res.status).toBe(200);
    expect(ran).toEqual([name]);
  });

  it('deny: resolves routes when aap is mounted under a path', async () => {
    const { as, guard } = await setup();
    closers.push(() => guard.close());
    const aap = aapGuard({ guard, undeclared: 'deny' });
    const server = express();
    const ran: string[] = [];
    server.use('/api', aap);
    server.get('/api/open', (_req, res) => {
      ran.push('open');
      res.send('open');
    });
    server.get('/api/declared', aap.require('search.web'), (_req, res) => {
      ran.push('declared');
      res.send('declared');
    });
    const token = await as.mint();
    const open = await request(server).get('/api/open').set('authorization', bearer(token));
    expect(open.status).toBe(403);
    expect(open.body.reason).toBe('route_undeclared');
    expect(ran).toEqual([]);
    const declared = await request(server).get('/api/declared').set('authorization', bearer(token));
    expect(declared.status).toBe(200);
    expect(ran).toEqual(['declared']);
  });

  it('deny: a sub-app declared as a whole is admitted', async () => {
    const { as, guard } = await setup();
    closers.push(() => guard.close());
    const aap = aapGuard({ guard, undeclared: 'deny' });
    const server = express();
    const sub = express();
    sub.get('/inside', (_req, res) => {
      res.send('inside');
    });
    server.use(aap);
    server.use('/sub', aap.require('search.web'), sub);
    const res = await request(server)
      .get('/sub/inside')
      .set('authorization', bearer(await as.mint()));
    expect(res.status).toBe(200);
  });

  it('deny: a path no route matches is still a plain 404', async () => {
    const { server, token } = await app('deny');
    expect((await request(server).get('/nowhere').set('authorization', bearer(token))).status).toBe(404);
  });

  it('deny: the cached resolution follows routes added later', async () => {
    const { as, guard } = await setup();
    closers.push(() => guard.close());
    const aap = aapGuard({ guard, undeclared: 'deny' });
    const server = express();
    server.use(aap);
    server.get('/a', aap.require('search.web'), (_req, res) => {
      res.send('a');
    });
    const token = bearer(await as.mint());
    expect((await request(server).get('/late').set('authorization', token)).status).toBe(404);
    server.get('/late', (_req, res) => {
      res.send('late');
    });
    expect((await request(server).get('/late').set('authorization', token)).status).toBe(403);
  });

  it('deny: the cached resolution also follows routes added later to a nested router', async () => {
    const { as, guard } = await setup();
    closers.push(() => guard.close());
    const aap = aapGuard({ guard, undeclared: 'deny' });
    const server = express();
    const api = express.Router();
    server.use(aap);
    server.use('/api', api);
    const token = bearer(await as.mint());
    expect((await request(server).get('/api/late').set('authorization', token)).status).toBe(404);
    let ran = false;
    api.get('/late', (_req, res) => {
      ran = true;
      res.send('late');
    });
    expect((await request(server).get('/api/late').set('authorization', token)).status).toBe(403);
    expect(ran).toBe(false);
  });

  it('deny: the cached resolution follows a method added later to an existing route', async () => {
    const { as, guard } = await setup();
    closers.push(() => guard.close());
    const aap = aapGuard({ guard, undeclared: 'deny' });
    const server = express();
    server.use(aap);
    const item = server.route('/item').get(aap.require('search.web'), (_req, res) => {
      res.send('get');
    });
    const token = bearer(await as.mint());
    expect((await request(server).post('/item').set('authorization', token)).status).toBe(404);
    let ran = false;
    item.post((_req, res) => {
      ran = true;
      res.send('post');
    });
    expect((await request(server).post('/item').set('authorization', token)).status).toBe(403);
    expect(ran).toBe(false);
  });
});
