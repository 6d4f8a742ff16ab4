/**
 * Regression (issue 25, item 6): `npm pack` (or `npm publish`) in a package directory shipped
 * `"@aap-guard/core": "workspace:^"` as is — a tarball no npm install can resolve. Every package's
 * `prepack` (scripts/prepack.mjs) now refuses that, and a build older than its sources, loudly, and
 * points at `npm run pack` (scripts/pack.mjs: pnpm pack, real ranges), which test/packaging uses.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './consumers.js';

const PREPACK = join(ROOT, 'scripts', 'prepack.mjs');
const scratch = mkdtempSync(join(tmpdir(), 'aap-prepack-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The test process's environment without npm's and vitest's own variables (the packer is what we say). */
function env(userAgent?: string): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(npm_|pnpm_|VITEST)/i.test(key)));
  return userAgent === undefined ? clean : { ...clean, npm_config_user_agent: userAgent };
}

/** A package directory: `dependencies`, and a dist/ built `age` ms before or after its src/. */
function fakePackage(name: string, dependencies: Record<string, string>, distNewer: boolean): string {
  const dir = join(scratch, name);
  mkdirSync(join(dir, 'src'), { recursive: true });
  mkdirSync(join(dir, 'dist', 'cjs'), { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: `@aap-guard/${name}`, version: '0.1.0', dependencies }),
  );
  writeFileSync(join(dir, 'src', 'index.ts'), 'export {};\n');
  writeFileSync(join(dir, 'dist', 'cjs', 'package.json'), '{}\n');
  const [src, dist] = distNewer ? [1_000_000, 2_000_000] : [2_000_000, 1_000_000];
  utimesSync(join(dir, 'src', 'index.ts'), src, src);
  utimesSync(join(dir, 'dist', 'cjs', 'package.json'), dist, dist);
  return dir;
}

const prepack = (cwd: string, userAgent?: string) =>
  spawnSync(process.execPath, [PREPACK], { cwd, env: env(userAgent), encoding: 'utf8' });

describe('npm pack in a package directory', () => {
  it('refuses loudly: the workspace:^ range would ship as is (the real @aap-guard/express, with npm)', () => {
    const packed = spawnSync('npm', ['pack', '--dry-run', '--json'], {
      cwd: join(ROOT, 'packages', 'express'),
      env: env(),
      encoding: 'utf8',
    });
    expect(packed.status).not.toBe(0);
    expect(packed.stderr).toContain(
      '@aap-guard/express: refusing to pack. npm would pack "@aap-guard/admin": "workspace:^", "@aap-guard/core": "workspace:^" as is',
    );
    expect(packed.stderr).toContain('Run `npm run pack` at the repository root');
  }, 60_000);

  it('lets pnpm pack it (pnpm writes the real range), and npm a package without workspace ranges', () => {
    const linked = fakePackage('linked', { '@aap-guard/core': 'workspace:^' }, true);
    expect(prepack(linked, 'pnpm/10.34.9 npm/? node/v20.20.2 linux x64').status).toBe(0);
    const plain = fakePackage('plain', { jose: '^6.1.0' }, true);
    expect(prepack(plain, 'npm/11.0.0 node/v20.20.2 linux x64').status).toBe(0);
  });

  it('refuses a dist/ older than src/, or none, whoever packs', () => {
    const stale = prepack(fakePackage('stale', {}, false), 'pnpm/10.34.9');
    expect([stale.status, stale.stderr]).toEqual([
      1,
      expect.stringContaining('dist/ is older than src/index.ts: run `npm run build`'),
    ]);
    const none = fakePackage('none', {}, true);
    rmSync(join(none, 'dist'), { recursive: true });
    expect(prepack(none, 'pnpm/10.34.9').stderr).toContain('not built');
  });
});
