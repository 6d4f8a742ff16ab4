/**
 * Docs that compile: every TypeScript or JavaScript block of the READMEs and of docs/**\/*.md is type-checked, strict,
 * against the packages' sources (tsconfig.json's options and `paths`), each block as its own module.
 * A failure names the README, the block's line and each error at its line in the README. The markers
 * (a hidden preamble, an opt-out) are described in snippets.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../packaging/consumers.js';
import { checkSnippets, documentationPages, parseSnippets, readmes, snippets, type Snippet } from './snippets.js';

const ALL = documentationPages(ROOT).flatMap((path) => snippets(ROOT, path));
let results: Map<Snippet, string[]>;

beforeAll(() => {
  results = checkSnippets(ROOT, ALL);
}, 120_000);

describe('README and docs/ code blocks type-check (strict)', () => {
  const relativeTo = (path: string) => path.slice(ROOT.length).replace(/^[/\\]/, '');

  it('finds blocks in the root README, in every package README and in the docs/ guides', () => {
    const files = new Set(ALL.map((s) => s.file));
    for (const readme of readmes(ROOT).map(relativeTo)) expect(files, readme).toContain(readme);
    expect([...files].filter((file) => file.startsWith('docs/guides/')).length).toBeGreaterThanOrEqual(5);
  });

  for (const s of ALL) {
    const name = `${s.file}:${s.line} (${s.lang})`;
    if (s.skip) it.skip(`${name} — not checked: ${s.skip}`, () => {});
    else it(name, () => expect(results.get(s)).toEqual([]));
  }
});

describe('the snippet checker', () => {
  const README = [
    '# Example', // 1
    '<!-- snippet preamble:', // 2
    "import type { Guard } from '@aap-guard/core';", // 3
    'declare const guard: Guard;', // 4
    '-->', // 5
    '```js', // 6
    "const decision = await guard.check({ method: 'GET', url: 'https://api.example.com/', headers: {} }, { action: 'search.web' });", // 7
    'decision.claims.agent.id;', // 8: claims is possibly undefined
    '```', // 9
    '<!-- snippet skip: a fragment -->', // 10
    '```ts', // 11
    'this is not TypeScript', // 12
    '```', // 13
    '```sh', // 14
    'npm test', // 15
    '```', // 16
  ].join('\n');

  it('reports an error at its line in the README, below a hidden preamble; skips marked and non-code blocks', () => {
    const list = parseSnippets('EXAMPLE.md', README);
    expect(list.map((s) => [s.line, s.lang, s.skip])).toEqual([
      [7, 'js', undefined],
      [12, 'ts', 'a fragment'],
    ]);
    const errors = checkSnippets(ROOT, list).get(list[0]!)!;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^EXAMPLE\.md:8: TS18048 'decision\.claims' is possibly 'undefined'/);
  }, 120_000);

  it('refuses a misspelled marker and an unclosed block', () => {
    expect(() => parseSnippets('X.md', '<!-- snippet skp: x -->\n```ts\n1\n```')).toThrow(
      'X.md:1: unknown snippet marker',
    );
    expect(() => parseSnippets('X.md', '```ts\n1')).toThrow('X.md:1: unclosed code block');
  });
});

describe('the snippet checker on a docs/ page', () => {
  it('reports a stale block (an option that no longer exists) at its line in the page', () => {
    const page = [
      '# A guide', // 1
      '```ts', // 2
      "import { createGuard } from '@aap-guard/core';", // 3
      "createGuard({ issuer: 'https://as.example.com', audience: 'https://api.example.com', jwksUrl: 'https://as.example.com/jwks' });", // 4
      '```', // 5
    ].join('\n');
    const list = parseSnippets('docs/guides/stale.md', page);
    const errors = checkSnippets(ROOT, list).get(list[0]!)!;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^docs\/guides\/stale\.md:4: TS2353 .*'jwksUrl'/);
  }, 120_000);
});
