/**
 * Links between the documentation pages resolve: every relative link (and every absolute link a package
 * README makes into this repository) names a file that exists and, with `#anchor`, a heading of that page.
 * The checker is shown to catch a broken file, a broken anchor and a stale absolute link on a fixture.
 */
import { describe, expect, it } from 'vitest';
import { ROOT } from '../packaging/consumers.js';
import { anchorsOf, checkLinks, documentationFiles, linksOf, slug } from './links.js';

describe('documentation links', () => {
  const files = documentationFiles(ROOT);

  it('covers README, CONTRIBUTING, SECURITY, every package README and at least 8 pages under docs/', () => {
    for (const file of ['README.md', 'CONTRIBUTING.md', 'SECURITY.md', 'docs/README.md', 'packages/express/README.md'])
      expect(files).toContain(file);
    expect(files.filter((file) => file.startsWith('docs/')).length).toBeGreaterThanOrEqual(8);
  });

  it('every relative link and anchor resolves', () => {
    expect(checkLinks(ROOT, files)).toEqual([]);
  });
});

describe('the link checker', () => {
  const page = [
    '# Guide', // 1
    "## The app's own `denyAs` handling", // 2
    'See [the reference](../reference/options.md) and [above](#the-apps-own-denyas-handling).', // 3
    'A [broken anchor](#nowhere) and [a missing page](../reference/nothing.md).', // 4
    'An [anchor into another page](../reference/options.md#no-such-heading).', // 5
    '`[not a link](nowhere.md)` and [external](https://example.com/x).', // 6
    '```md', // 7
    '[inside a block](nowhere.md)', // 8
    '```', // 9
    '[npm link](https://github.com/aap-guard/aap-guard#no-such-section) [ok](https://github.com/aap-guard/aap-guard#readme)', // 10
  ].join('\n');
  const fixture = new Map([['docs/guides/fixture.md', page]]);

  it('reports a missing page, a broken anchor (here and in another page) and a stale absolute link, with lines', () => {
    expect(checkLinks(ROOT, ['docs/guides/fixture.md'], fixture)).toEqual([
      'docs/guides/fixture.md:4: #nowhere — docs/guides/fixture.md has no heading with anchor #nowhere',
      'docs/guides/fixture.md:4: ../reference/nothing.md — no such file: docs/reference/nothing.md',
      'docs/guides/fixture.md:5: ../reference/options.md#no-such-heading — docs/reference/options.md has no heading with anchor #no-such-heading',
      'docs/guides/fixture.md:10: https://github.com/aap-guard/aap-guard#no-such-section — README.md has no heading with anchor #no-such-section',
    ]);
  });

  it('reads links outside code, and anchors the way GitHub makes them', () => {
    expect(linksOf('x.md', page).map((link) => link.line)).toEqual([3, 3, 4, 4, 5, 6, 10, 10]);
    expect(slug("The app's own `denyAs` handling")).toBe('the-apps-own-denyas-handling');
    expect(slug('Revocation events (Security Event Tokens)')).toBe('revocation-events-security-event-tokens');
    expect([...anchorsOf('# A\n## Notes\n## Notes\n<a id="custom"></a>')]).toEqual(['a', 'notes', 'notes-1', 'custom']);
  });
});
