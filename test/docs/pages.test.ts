/**
 * The shape of the documentation (issue 28): README.md is an index, the user documentation is in docs/,
 * and each package README — what npm shows — is a quickstart with its install line.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../packaging/consumers.js';
import { markdownUnder } from './links.js';

const lines = (file: string) => readFileSync(join(ROOT, file), 'utf8').trimEnd().split('\n');

describe('the documentation pages', () => {
  it('README.md is an index of at most 300 lines', () => {
    expect(lines('README.md').length).toBeLessThanOrEqual(300);
  });

  it('docs/ has guides, concepts, reference and operations pages, each listed in docs/README.md', () => {
    const index = readFileSync(join(ROOT, 'docs/README.md'), 'utf8');
    const pages = markdownUnder(ROOT, 'docs').filter((file) =>
      /^docs\/(guides|concepts|reference|operations)\//.test(file),
    );
    expect(pages.length).toBeGreaterThanOrEqual(8);
    expect(
      pages.filter((file) => !index.includes(`(${file.slice('docs/'.length)})`)),
      'add each page to docs/README.md',
    ).toEqual([]);
  });

  const packages = readdirSync(join(ROOT, 'packages'), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
  it.each(packages)('packages/%s/README.md: at least 40 lines, an npm install line, a link to the docs', (name) => {
    const text = lines(`packages/${name}/README.md`);
    expect(text.length).toBeGreaterThanOrEqual(40);
    expect(
      text.some((line) => line.startsWith(`npm install ${name === 'testing' ? '--save-dev ' : ''}@aap-guard/${name}`)),
    ).toBe(true);
    expect(text.join('\n')).toContain('https://github.com/aap-guard/aap-guard/blob/main/docs/');
  });
});
