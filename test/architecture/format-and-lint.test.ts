import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';

// The habits of the code, run by `npm test` (and so by CI): prettier's format (.prettierrc.json, 120 columns)
// and eslint's rules (eslint.config.mjs, including lines ≤ 120 where prettier cannot wrap: comments).
const root = fileURLToPath(new URL('../..', import.meta.url));
const prettier = fileURLToPath(new URL('../../node_modules/prettier/bin/prettier.cjs', import.meta.url));
const SOURCES = '**/*.{ts,mts,cts,js,mjs,cjs,json}';

const prettierCheck = (cwd: string, pattern = SOURCES) => {
  const result = spawnSync(process.execPath, [prettier, '--list-different', pattern], { cwd, encoding: 'utf8' });
  return { code: result.status, files: result.stdout.split('\n').filter(Boolean), stderr: result.stderr };
};

describe('format and lint', () => {
  it('every source file is formatted by prettier (run `npx prettier --write .` to fix)', { timeout: 120_000 }, () => {
    const { code, files, stderr } = prettierCheck(root);
    expect(stderr).toBe('');
    expect(files).toEqual([]);
    expect(code).toBe(0);
  });

  it('eslint finds nothing (run `npx eslint .` to see it)', { timeout: 180_000 }, async () => {
    const results = await new ESLint({ cwd: root }).lintFiles(['.']);
    const problems = results.flatMap((file) =>
      file.messages.map(
        (m) => `${file.filePath.slice(root.length + 1)}:${m.line} ${m.ruleId ?? 'parse'}: ${m.message}`,
      ),
    );
    expect(problems).toEqual([]);
  });

  describe('on files that break the habits', () => {
    const dir = mkdtempSync(join(tmpdir(), 'format-and-lint-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, '.prettierrc.json'), '{ "printWidth": 120, "singleQuote": true, "trailingComma": "all" }');
    writeFileSync(join(dir, 'unformatted.ts'), 'export const a = {b:1}\n');
    writeFileSync(join(dir, 'long-comment.ts'), `// ${'x'.repeat(130)}\nexport const b = 1;\n`);

    it('prettier lists the unformatted file', () => {
      expect(prettierCheck(dir, '*.ts').files).toEqual(['unformatted.ts']);
    });

    it('eslint reports a comment over 120 columns', async () => {
      const eslint = new ESLint({ cwd: root, overrideConfigFile: join(root, 'eslint.config.mjs') });
      const [result] = await eslint.lintText(`// ${'x'.repeat(130)}\nexport const b = 1;\n`, {
        filePath: join(root, 'packages/core/src/long-comment.ts'),
      });
      expect(result?.messages.map((m) => m.ruleId)).toEqual(['max-len']);
    });
  });
});
