/**
 * Every TSDoc `@example` of the packages compiles, strict, against the code it documents
 * (scripts/check-examples.mjs): an example that calls a renamed function, or with arguments that no longer
 * fit, fails here. The checker itself is shown to fail on a stale example and pass on a fresh one.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const CHECKER = fileURLToPath(new URL('../../scripts/check-examples.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'aap-guard-example-fixtures-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run the checker (on `files`, or on every package source), as CI does. */
function check(...files: string[]): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, [CHECKER, ...files], { encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** A source file whose one export carries `example` as its `@example`. */
function source(name: string, example: string[]): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    [
      '/**',
      ' * A fixture.',
      ' *',
      ' * @example',
      ...example.map((line) => ` * ${line}`),
      ' */',
      'export const fixture = true;',
      '',
    ].join('\n'),
  );
  return file;
}

describe('@example blocks', () => {
  it("every package's examples compile", () => {
    const { status, output } = check();
    expect(output).toMatch(/all compile/);
    expect(status).toBe(0);
  }, 180_000);

  it('a stale example fails, naming the line and what is wrong; a fresh one passes', () => {
    const stale = source('stale.ts', [
      'const info = nodeRequestInfo(req, { url: req.originalUrl });',
      'const decision = await adapterDecision(guard, info, { request });',
      'const second = createGuard(options, Date.now);',
    ]);
    const fresh = source('fresh.ts', [
      'const info = nodeRequestInfo(req, { url: req.originalUrl });',
      'const decision = await guard.check(info, { action: "search.web" });',
      'if (!decision.allowed) console.log(decision.reason);',
    ]);
    const failed = check(stale);
    expect(failed.status).toBe(1);
    expect(failed.output).toMatch(/stale\.ts:6: TS2304 Cannot find name 'adapterDecision'/);
    expect(failed.output).toMatch(/stale\.ts:7: TS2554 Expected 1 arguments, but got 2/);
    expect(check(fresh)).toMatchObject({ status: 0 });
  }, 180_000);
});
