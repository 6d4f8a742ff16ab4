/**
 * The packages as a user gets them: packed with pnpm, installed with plain npm into consumer projects
 * outside the workspace (consumers.ts), each asked the same real requests (cases.ts). What each proves:
 * - express4-cjs: a CommonJS Express 4 app `require()`s the packages (Node's require(esm)).
 * - express5-esm: an ESM Express 5 app `import`s them.
 * - fastify-cjs, koa-esm: the Fastify plugin from CommonJS, the Koa middleware (@koa/router) from ESM.
 * - express4.16-generator, fastify4.23-esm, koa2.0-cjs: the oldest releases the peer ranges claim install
 *   with plain npm (no ERESOLVE) and work — express-generator's app layout and its `~4.16.1` pin.
 * - typescript-cjs: a TypeScript CommonJS project using all eight packages but Nest (and every entry) is built by
 *   tsc (module commonjs: node10 resolution through main, types, typesVersions) and run; its code and
 *   the @aap-guard declarations type-check under commonjs, node16 and nodenext (the `require`
 *   condition: CommonJS types) and bundler (the `import` condition: ESM types), with @types/node 20
 *   and, in commonjs and bundler, with the newest @types/node (skipLibCheck off); in one Node process,
 *   `require()` and `import()` of every entry give the same exports (one InfrastructureError class),
 *   and the CommonJS build is never loaded.
 * - nestjs-cjs: a Nest 12 app in TypeScript as the Nest CLI makes them (CommonJS, legacy decorators, tsc)
 *   `require()`s @aap-guard/nestjs (Node's require(esm)) and answers every case.
 * - jest29: Jest 29 with its default config loads every entry from the CommonJS build and passes every case.
 * - dev-token-express: docs/guides/getting-a-token-locally.md — the packed `aap-guard` bin's dev issuer and dev token
 *   give README's Express quickstart, configured from the environment it prints, an allowed request.
 * - every tarball: README, LICENSE, both builds, real dependency ranges, no source maps.
 * Needs the packages built (`pnpm run build`, as .ci/run does).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT, CASES, CONSUMER_OPTIONS } from './cases.js';
import {
  PACKAGES,
  ROOT,
  TARBALLS,
  WORK,
  assertBuilt,
  installConsumer,
  limit,
  packAll,
  run,
  semaphore,
  serve,
  type Ran,
  type Served,
} from './consumers.js';

/** The consumers that serve HTTP: directory and `node` arguments. */
const SERVERS = [
  { name: 'express4-cjs', args: ['server.js'] },
  { name: 'express5-esm', args: ['server.js'] },
  { name: 'fastify-cjs', args: ['server.js'] },
  { name: 'koa-esm', args: ['server.js'] },
  { name: 'typescript-cjs', args: ['dist/server.js'] },
  { name: 'nestjs-cjs', args: ['dist/main.js'] }, // built by its `npm install` (prepare: tsc)
  // The oldest release of each framework's older major its peer range claims.
  { name: 'express4.16-generator', args: ['bin/www'] },
  { name: 'fastify4.23-esm', args: ['server.js'] },
  { name: 'koa2.0-cjs', args: ['server.js'] },
];

/**
 * Every entry of every package the TypeScript consumer uses, as an import specifier (`@aap-guard/core`,
 * `@aap-guard/core/node`, …): all but the Nest module, whose consumer is nestjs-cjs (Nest 12 is ESM-only,
 * which a CommonJS project cannot import under module node16).
 */
const ENTRIES = PACKAGES.filter((name) => name !== 'nestjs').flatMap((name) => {
  const { exports } = JSON.parse(readFileSync(join(ROOT, 'packages', name, 'package.json'), 'utf8')) as {
    exports: Record<string, unknown>;
  };
  return Object.keys(exports)
    .filter((key) => key !== './package.json')
    .map((key) => (key === '.' ? `@aap-guard/${name}` : `@aap-guard/${name}/${key.slice(2)}`));
});

/** Imports every entry, so the TypeScript consumer resolves and type-checks each one in every module mode. */
const ENTRIES_TS = `// Written by test/packaging/packing.test.ts: every entry of every package.\n${ENTRIES.map((spec, i) => `import * as entry${i} from '${spec}';`).join('\n')}\nexport const entries: readonly object[] = [${ENTRIES.map((_, i) => `entry${i}`).join(', ')}];\n`;

/** The module settings the TypeScript consumer is type-checked under (typecheck.cjs), over its tsconfig.json. */
const TS_MODES: Record<string, Record<string, unknown>> = {
  commonjs: {},
  node16: { module: 'node16', moduleResolution: 'node16' },
  nodenext: { module: 'nodenext', moduleResolution: 'nodenext' },
  bundler: { module: 'esnext', moduleResolution: 'bundler' },
  // The newest @types/node (fixtures/typescript-cjs/types-node-latest), in both module systems' declarations.
  'commonjs, newest @types/node': { typeRoots: ['./types-node-latest'] },
  'bundler, newest @types/node': { module: 'esnext', moduleResolution: 'bundler', typeRoots: ['./types-node-latest'] },
};

const dirs = new Map<string, string>();
const compiled = new Map<string, Promise<Ran>>();
let tarballs: Map<string, string>;
let as: TestIssuer;

beforeAll(async () => {
  const started = Date.now();
  assertBuilt();
  as = await createIssuer();
  tarballs = await packAll();
  const packed = Date.now();
  const extra: Record<string, Record<string, string>> = {
    'typescript-cjs': { 'src/entries.ts': ENTRIES_TS },
    jest29: { 'cases.json': JSON.stringify({ agent: AGENT, cases: CASES }) },
  };
  const names = [...SERVERS.map((s) => s.name), 'jest29', 'dev-token-express'];
  await limit(
    3,
    names.map((name) => async () => void dirs.set(name, await installConsumer(name, tarballs, extra[name]))),
  );
  console.log(
    `packed in ${(packed - started) / 1000} s, consumers installed in ${(Date.now() - packed) / 1000} s (${WORK})`,
  );
  // Compile in the background, two at a time; the tests below wait for their own result.
  const dir = dirs.get('typescript-cjs')!;
  const slot = semaphore(2);
  compiled.set(
    'build',
    slot(() =>
      run(process.execPath, [join(dir, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], dir, {
        allowFailure: true,
      }),
    ),
  );
  for (const [mode, options] of Object.entries(TS_MODES)) {
    compiled.set(
      mode,
      slot(() =>
        run(process.execPath, ['typecheck.cjs', JSON.stringify({ [mode]: options })], dir, { allowFailure: true }),
      ),
    );
  }
}, 600_000);

afterAll(() => Promise.all(compiled.values()), 180_000); // no compiler left running after a failure

/** The TypeScript consumer built (`build`: tsc -p tsconfig.json) or type-checked in a module mode, or its errors. */
async function compile(mode: string): Promise<void> {
  const { code, output } = await compiled.get(mode)!;
  if (code !== 0)
    throw new Error(
      `${mode === 'build' ? 'tsc -p tsconfig.json' : `typecheck.cjs (module ${mode})`} failed:\n${output}`,
    );
}

for (const server of SERVERS) {
  describe(`${server.name}: real requests`, () => {
    let served: Served | undefined;
    beforeAll(async () => {
      const dir = dirs.get(server.name)!;
      if (server.name === 'typescript-cjs') await compile('build'); // tsc, then node
      const options = { ...CONSUMER_OPTIONS, issuer: as.issuer, audience: as.audience, jwks: as.jwks };
      served = await serve(dir, server.args, { CONSUMER_GUARD_OPTIONS: JSON.stringify(options) });
    }, 120_000);
    afterAll(() => served?.stop());

    it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const token = c.grant ? await as.mint({ agentId: AGENT, capabilities: [{ action: c.grant }] }) : undefined;
      const headers = { ...c.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) };
      const response = await fetch(new URL(c.path, served!.url), { method: c.method ?? 'GET', headers });
      const body = (await response.json()) as { reason?: string };
      expect([response.status, c.reason ? body.reason : body]).toEqual([
        c.status,
        c.reason ?? c.body ?? { agent: AGENT },
      ]);
    });
  });
}

describe('typescript-cjs: the same consumer code type-checks in every module mode', () => {
  it.each(Object.keys(TS_MODES))(
    'module %s: its code and the @aap-guard declarations',
    (mode) => compile(mode),
    180_000,
  );

  it('one process: require() and import() of every entry give the same exports, never the CommonJS build', async () => {
    const { output } = await run(process.execPath, ['one-process.mjs'], dirs.get('typescript-cjs')!);
    expect(output.trim()).toBe(`ok ${ENTRIES.length}`);
  }, 60_000);
});

it('jest29: Jest 29, default config, passes every case and loads every entry from the CommonJS build', async () => {
  const dir = dirs.get('jest29')!;
  const env = { CONSUMER_GUARD_OPTIONS: JSON.stringify(CONSUMER_OPTIONS) };
  const { output } = await run(
    process.execPath,
    ['node_modules/jest/bin/jest.js', '--ci', '--json', '--outputFile=results.json'],
    dir,
    { env, allowFailure: true },
  );
  const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as {
    testResults: Array<{ assertionResults: Array<{ title: string; status: string }> }>;
  };
  const outcomes = results.testResults.flatMap((file) => file.assertionResults.map((a) => [a.title, a.status]));
  const expected = [
    ...CASES.map((c) => [c.name, 'passed']),
    ['every entry of every package loads in Jest, from the CommonJS build', 'passed'],
  ];
  expect(outcomes, output).toEqual(expected);
}, 120_000);

describe('dev-token-express: docs/guides/getting-a-token-locally.md with the packed `aap-guard` bin', () => {
  let issuer: Served | undefined;
  let api: Served | undefined;
  const cli = (...args: string[]) =>
    run(process.execPath, ['node_modules/.bin/aap-guard', ...args], dirs.get('dev-token-express')!);
  const search = async (token: string) => {
    const response = await fetch(new URL('/v1/search', api!.url), { headers: { authorization: `Bearer ${token}` } });
    return [response.status, await response.json()];
  };
  beforeAll(async () => {
    const dir = dirs.get('dev-token-express')!; // .aap-dev/ of an earlier run is gone: fixtures are copied afresh
    issuer = await serve(dir, ['node_modules/.bin/aap-guard', 'dev-issuer', '--port', '0'], {});
    const { env } = JSON.parse((await cli('dev-token', '--action', 'search.web', '--json')).output) as {
      env: Record<string, string>;
    };
    expect(env).toEqual({ AAP_ISSUER: issuer.url, AAP_AUDIENCE: 'http://localhost:3000' });
    api = await serve(dir, ['server.js'], env); // the quickstart app, `aapGuard()` configured by that environment
  }, 120_000);
  afterAll(async () => {
    await api?.stop();
    await issuer?.stop();
  });

  it('a token for the route action: 200', async () => {
    const token = (await cli('dev-token', '--action', 'search.web', '--quiet')).output.trim();
    expect(await search(token)).toEqual([200, { agent: 'dev-agent' }]);
  });

  it('a token for another action: 403 capability_missing', async () => {
    const token = (await cli('dev-token', '--action', 'cms.publish', '--quiet')).output.trim();
    expect(await search(token)).toEqual([403, expect.objectContaining({ reason: 'capability_missing' })]);
  });
});

describe('tarballs', () => {
  it.each(PACKAGES)(
    '@aap-guard/%s: README, LICENSE, both builds, real dependency ranges, no source maps, vendored licenses',
    (name) => {
      const file = join(TARBALLS, tarballs.get(`@aap-guard/${name}`)!);
      const listing = spawnSync('tar', ['-tzf', file], { encoding: 'utf8' }).stdout.trim().split('\n');
      const read = (path: string) => spawnSync('tar', ['-xzOf', file, `package/${path}`], { encoding: 'utf8' }).stdout;
      for (const path of [
        'README.md',
        'LICENSE',
        'dist/index.js',
        'dist/index.d.ts',
        'dist/cjs/index.js',
        'dist/cjs/index.d.ts',
        'dist/cjs/package.json',
      ]) {
        expect(listing, path).toContain(`package/${path}`);
      }
      expect(listing.filter((path) => path.endsWith('.map') || path.startsWith('package/src/'))).toEqual([]);
      // A vendored ESM-only dependency (jose in core and testing) travels with its license.
      const vendored = new Set(
        listing.map((path) => /^package\/dist\/cjs\/vendor\/([^/]+)\//.exec(path)?.[1]).filter(Boolean),
      );
      for (const dep of vendored)
        expect(
          listing.some((path) => new RegExp(`^package/dist/cjs/vendor/${dep}/LICEN[CS]E`, 'i').test(path)),
          `${dep} license`,
        ).toBe(true);
      expect(read('LICENSE')).toBe(readFileSync(join(ROOT, 'LICENSE'), 'utf8'));
      expect(read('package.json')).not.toContain('workspace:');
    },
  );
});
