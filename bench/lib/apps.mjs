// The servers under test, one builder per kind. Every app answers GET /v1/search?url=… with the same
// small JSON body built from the parsed query, so bare and guarded apps do the same work but the guard's.
// Runs inside a server child process (bench/server.mjs), which loads only the modules its app uses;
// uses the built packages.
import { createPublicKey, verify } from 'node:crypto';
import { createServer } from 'node:http';
import { dist } from './dist.mjs';

const load = async (specifier) => (await import(specifier)).default;
const aap = async (pkg) => import(dist(pkg).href);

const PATH = '/v1/search';
const body = (url) => ({ url, results: [] });
// Object.assign, not `{ ...headers, 'content-type': … }`: that spread takes a slow path in V8 11 (Node 20)
// whenever `headers` has members, which would charge a guarded app for the bench's own helper.
const json = (res, status, value, headers) =>
  res.writeHead(status, Object.assign({ 'content-type': 'application/json' }, headers)).end(JSON.stringify(value));
/** The `url` query parameter of a node:http request (what a handler of the bare app reads too). */
const queryUrl = (req) => {
  const at = req.url.indexOf('?');
  return at < 0 ? undefined : (new URLSearchParams(req.url.slice(at + 1)).get('url') ?? undefined);
};
const pem = (jwk) => createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' });

/**
 * Build and start the app of `spec` on 127.0.0.1: `{ port, close }`.
 * spec: { app, issuer, audience, jwks, limit, store: 'memory' | 'redis', redis: { host, port }, prefix, batch }
 */
export async function startApp(spec) {
  const build = BUILDERS[spec.app];
  if (!build) throw new Error(`bench: unknown app ${spec.app}`);
  const { serveJwks } = await aap('testing');
  const jwksServer = await serveJwks(spec.jwks); // keys over loopback, for those that fetch them
  const context = { ...spec, jwksUri: jwksServer.jwksUri, guardOptions: await guardOptions(spec, jwksServer.jwksUri) };
  const app = await build(context);
  return { port: app.port, close: async () => Promise.all([app.close(), jwksServer.close()]) };
}

async function guardOptions(spec, jwksUri) {
  // No audit sink, said explicitly (`audit: false`): the peers audit nothing either. The refusal floods
  // measure what each failed validation costs — the per-address throttle (`failedValidations`) would
  // answer most of a flood from one address with a cheaper 429.
  const options = { issuer: spec.issuer, audience: spec.audience, jwks: { uri: jwksUri }, audit: false };
  if (spec.floods) options.failedValidations = false;
  if (spec.store !== 'redis') return options;
  const [{ Redis }, { redisStore }] = await Promise.all([import('ioredis'), aap('redis')]);
  const redis = new Redis({
    host: spec.redis.host,
    port: spec.redis.port,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    lazyConnect: true,
  });
  await redis.connect();
  return { ...options, store: redisStore(redis, { prefix: spec.prefix, batch: spec.batch }) };
}

/** Read the revocation list before serving, as the README tells users to. */
const synced = (guard) => guard.revocations.whenSynced();

async function listenNode(handler) {
  const server = createServer(handler);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: server.address().port, close: () => new Promise((resolve) => server.close(resolve)) };
}

async function expressApp(...middleware) {
  const app = (await load('express'))();
  middleware.filter((m) => m.global).forEach((m) => app.use(m.handler));
  const route = middleware.filter((m) => !m.global).map((m) => m.handler);
  app.get(PATH, ...route, (req, res) => res.json(body(req.query.url)));
  app.use((error, _req, res, _next) =>
    res
      .status(error.status ?? 500)
      .set(error.headers ?? {})
      .json({ error: error.code ?? 'error' }),
  );
  return listenNode(app);
}

async function fastifyApp(setup, config = {}) {
  const app = (await load('fastify'))();
  await setup(app);
  app.get(PATH, { config }, async (request) => body(request.query.url));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { port: app.server.address().port, close: () => app.close() };
}

async function koaApp(setup, declare = []) {
  const [Koa, Router] = await Promise.all([load('koa'), load('@koa/router')]);
  const app = new Koa();
  const router = new Router();
  router.get(PATH, ...declare, (ctx) => {
    ctx.body = body(ctx.query.url);
  });
  const mount = (await setup(app)) ?? ((r) => r.routes());
  app.use(mount(router));
  return listenNode(app.callback());
}

/** Floor of a DPoP request: one ES256 verification of the proof (key imported once per client key). */
function rawDpop() {
  const keys = new Map();
  return (req, res) => {
    const proof = req.headers.dpop;
    try {
      const first = proof.indexOf('.');
      const last = proof.lastIndexOf('.');
      const head = proof.slice(0, first);
      let key = keys.get(head);
      if (!key) {
        key = createPublicKey({ key: JSON.parse(Buffer.from(head, 'base64url').toString()).jwk, format: 'jwk' });
        if (keys.size < 1000) keys.set(head, key);
      }
      const signature = Buffer.from(proof.slice(last + 1), 'base64url');
      if (verify('sha256', Buffer.from(proof.slice(0, last)), { key, dsaEncoding: 'ieee-p1363' }, signature))
        return json(res, 200, body(queryUrl(req)));
    } catch {
      // no proof, or not a JWS: refused below
    }
    json(res, 401, { error: 'invalid_dpop_proof' });
  };
}

/**
 * A raw JWT verifier: jose's `jwtVerify()` of the Bearer token on every request (keys imported once,
 * `iss`, `aud` and the lifetime checked) and nothing else: what verifying a token costs on its own.
 */
async function joseVerify({ issuer, audience, jwks }) {
  const { createLocalJWKSet, jwtVerify } = await import('jose');
  const keys = createLocalJWKSet(jwks);
  const options = { issuer, audience, algorithms: ['ES256'] };
  const refuse = (res) => json(res, 401, { error: 'invalid_token' });
  return (req, res) => {
    const authorization = req.headers.authorization;
    if (!authorization?.startsWith('Bearer ')) return refuse(res);
    const url = queryUrl(req);
    jwtVerify(authorization.slice(7), keys, options).then(
      () => json(res, 200, body(url)),
      () => refuse(res),
    );
  };
}

const noop = (_req, _res, next) => next();

/**
 * The two no-op layers, each doing one thing the guard does to a request (or all of them): what that thing
 * costs Express alone, measured against `express/noop2` in the same rounds (bench/README.md "Suspects").
 *  - `props`: the guard's per-request state on `req` (a symbol-keyed mark, `req.aap` written twice);
 *  - `headers`: the allowed response's `RateLimit-Policy` and `RateLimit` headers;
 *  - `url`: the absolute request URL built and parsed once (what `RequestInfo.url` needs);
 *  - `query`: the route's `target` function reading `req.query.url` (Express 5 parses the query on each read);
 *  - `alloc`: ~11 KB of short-lived objects kept until the route runs (what the guard allocates per request);
 *  - `all`: every one of them.
 */
function suspectLayers(suspect) {
  const all = suspect === 'all';
  const does = (name) => all || suspect === name;
  const mark = Symbol('bench.mark');
  const principal = { claims: {}, scheme: 'Bearer' };
  const first = (req, _res, next) => {
    if (does('props')) {
      req[mark] = { stage: undefined, done: false, unresolved: false, refused: undefined, allowed: undefined };
      req.aap = principal;
    }
    if (does('url')) req.bench = URL.parse(`http://${req.headers.host}${req.originalUrl}`).href;
    if (does('alloc')) req.benchKept = Array.from({ length: 120 }, (_, i) => ({ i, a: req, b: undefined, c: i * 2 }));
    next();
  };
  const second = (req, res, next) => {
    if (does('props')) req.aap = { claims: principal.claims, scheme: 'Bearer', action: 'search.web' };
    if (does('query') && typeof req.query.url !== 'string') return res.status(400).end();
    if (does('headers')) {
      res.setHeader('ratelimit-policy', '"minute";q=10000000;w=60');
      res.setHeader('ratelimit', `"minute";r=${9_999_999};t=60`);
    }
    next();
  };
  return [{ global: true, handler: first }, { handler: second }];
}

const BUILDERS = {
  'http-bare': () => listenNode((req, res) => json(res, 200, body(queryUrl(req)))),
  'http-guard': async ({ guardOptions: options }) => {
    const [{ createGuard }, { writeDeny }, { nodeRequestInfo }] = await Promise.all([
      aap('core'),
      import(dist('core', 'node.js').href),
      import(dist('core', 'surfaces/node/request-info.js').href), // internal: the flow builds it for adapters
    ]);
    const guard = createGuard(options);
    await synced(guard);
    const route = guard.route({ action: 'search.web' });
    const server = await listenNode((req, res) => {
      const url = queryUrl(req);
      guard.check(nodeRequestInfo(req, { target: url }), route).then(
        (d) => (d.allowed ? json(res, 200, body(url), d.headers) : writeDeny(res, d)),
        () => res.destroy(),
      );
    });
    return { port: server.port, close: () => Promise.all([server.close(), guard.close()]) };
  },
  'http-dpop-raw': () => listenNode(rawDpop()),
  'http-jose': async (spec) => listenNode(await joseVerify(spec)),
  'express-bare': () => expressApp(),
  // The floor of any middleware mounted the way the guard is (app.use, and one handler on the route).
  'express-noop2': () => expressApp({ global: true, handler: noop }, { handler: noop }),
  // Issue 26 item 2: each thing the guard does to an Express request, alone, in the two no-op layers.
  'express-suspect': ({ suspect }) => expressApp(...suspectLayers(suspect)),
  'express-guard': async ({ guardOptions: options }) => {
    const guarded = (await aap('express')).aapGuard(options);
    await synced(guarded.guard);
    const app = await expressApp(
      { global: true, handler: guarded },
      { handler: guarded.require('search.web', { target: (req) => req.query.url }) },
    );
    return { port: app.port, close: () => Promise.all([app.close(), guarded.guard.close()]) };
  },
  'express-auth0': async ({ issuer, audience, jwksUri }) => {
    const { auth } = await import('express-oauth2-jwt-bearer');
    return expressApp({ handler: auth({ issuer, audience, jwksUri }) });
  },
  'fastify-bare': () => fastifyApp(async () => {}),
  'fastify-guard': async ({ guardOptions: options }) => {
    const { aapGuard } = await aap('fastify');
    let guard;
    const app = await fastifyApp(
      async (f) => {
        await f.register(aapGuard, options);
        guard = f.aap.guard;
        await synced(guard);
      },
      { aap: { action: 'search.web', target: (request) => request.query.url } },
    );
    return { port: app.port, close: () => Promise.all([app.close(), guard.close()]) };
  },
  'fastify-jwt': async ({ issuer, audience, jwks }) => {
    const fastifyJwt = await load('@fastify/jwt');
    return fastifyApp(async (f) => {
      await f.register(fastifyJwt, {
        secret: { public: pem(jwks.keys[0]) },
        verify: { algorithms: ['ES256'], allowedIss: issuer, allowedAud: audience },
      });
      f.addHook('onRequest', (request) => request.jwtVerify());
    });
  },
  'fastify-rate-limit': async ({ limit }) => {
    const rateLimit = await load('@fastify/rate-limit');
    return fastifyApp((f) =>
      f.register(rateLimit, {
        max: limit,
        timeWindow: 60_000,
        keyGenerator: (request) => request.headers.authorization ?? request.ip,
      }),
    );
  },
  'koa-bare': () => koaApp(() => undefined),
  'koa-guard': async ({ guardOptions: options }) => {
    const guarded = (await aap('koa')).aapGuard(options);
    await synced(guarded.guard);
    const app = await koaApp(
      (k) => {
        k.use(guarded);
        return (router) => guarded.router(router);
      },
      [guarded.require('search.web', { target: (ctx) => ctx.query.url })],
    );
    return { port: app.port, close: () => Promise.all([app.close(), guarded.guard.close()]) };
  },
  'koa-jwt': async ({ issuer, audience, jwks }) => {
    const koaJwt = await load('koa-jwt');
    return koaApp((k) => {
      k.use(koaJwt({ secret: pem(jwks.keys[0]), algorithms: ['ES256'], issuer, audience }));
    });
  },
};
