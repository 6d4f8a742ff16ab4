/**
 * The relative links of the documentation (README.md, CONTRIBUTING.md, SECURITY.md, CHANGELOG.md,
 * bench/README.md, packages/*\/README.md and docs/**\/*.md), checked the way GitHub resolves them: the
 * file must exist and, for `#anchor`, one of its headings (GitHub's slug) or an `<a id>` must carry that
 * name. Links a package README writes as absolute URLs into this repository (npm does not resolve
 * relative ones) — `https://github.com/aap-guard/aap-guard#anchor`, `…/blob/main/<path>#anchor`,
 * `…/tree/main/<path>` — are checked the same way against the working tree. Other URLs are not fetched.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

/** This repository's URL on GitHub, as package READMEs write it. */
export const REPOSITORY_URL = 'https://github.com/aap-guard/aap-guard';

/** One link found in a page. */
export interface Link {
  /** Page path relative to the repository root. */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  readonly target: string;
}

/** The documentation pages, relative to `root`: the top-level pages, bench/README.md, package READMEs, docs/**. */
export function documentationFiles(root: string): string[] {
  const top = ['README.md', 'CONTRIBUTING.md', 'SECURITY.md', 'CHANGELOG.md', 'bench/README.md', 'bench/RESULTS.md'];
  const packages = readdirSync(join(root, 'packages'), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => `packages/${d.name}/README.md`);
  return [...top, ...packages, ...markdownUnder(root, 'docs')].filter((file) => existsSync(join(root, file)));
}

/** Every `.md` file under `dir` (relative to `root`), sorted. */
export function markdownUnder(root: string, dir: string): string[] {
  const found: string[] = [];
  const walk = (at: string) => {
    for (const entry of readdirSync(join(root, at), { withFileTypes: true })) {
      const path = `${at}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.md')) found.push(path);
    }
  };
  if (existsSync(join(root, dir))) walk(dir);
  return found.sort();
}

/**
 * GitHub's anchor for a heading's text: lower-cased, punctuation dropped, spaces to hyphens.
 *
 * @example
 * slug('The app\'s own `denyAs`') // → 'the-apps-own-denyas'
 */
export function slug(heading: string): string {
  return heading
    .replace(/<[^>]+>/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors a page offers: heading slugs (repeats numbered `-1`, `-2` as GitHub does) and `<a id|name>`. */
export function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { line } of proseLines(text)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const base = slug(heading[1]!);
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      anchors.add(count === 0 ? base : `${base}-${count}`);
    }
    for (const m of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(m[1]!);
  }
  return anchors;
}

/** The lines outside fenced code blocks, with their 1-based numbers. */
function proseLines(text: string): { line: string; number: number }[] {
  const out: { line: string; number: number }[] = [];
  let fence: string | undefined;
  text.split('\n').forEach((line, i) => {
    const open = /^\s*(```|~~~)/.exec(line);
    if (open) {
      if (fence === undefined) fence = open[1];
      else if (line.trim().startsWith(fence)) fence = undefined;
      return;
    }
    if (fence === undefined) out.push({ line, number: i + 1 });
  });
  return out;
}

/** The links of one page (outside code blocks and inline code). */
export function linksOf(file: string, text: string): Link[] {
  const links: Link[] = [];
  for (const { line, number } of proseLines(text)) {
    const code: [number, number][] = [];
    for (const m of line.matchAll(/(`+)[^]*?\1/g)) code.push([m.index, m.index + m[0].length]);
    for (const m of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      if (code.some(([from, to]) => m.index >= from && m.index < to)) continue;
      links.push({ file, line: number, target: m[1]! });
    }
  }
  return links;
}

/**
 * Check the links of `files` (paths relative to `root`); `pages` overrides a page's text (a fixture).
 * Returns one `file:line: target — why` per broken link; empty when all resolve.
 *
 * @example
 * checkLinks(root, documentationFiles(root)) // → []
 */
export function checkLinks(
  root: string,
  files: readonly string[],
  pages: ReadonlyMap<string, string> = new Map(),
): string[] {
  const read = (file: string): string | undefined => {
    const given = pages.get(file);
    if (given !== undefined) return given;
    const path = join(root, file);
    return existsSync(path) && statSync(path).isFile() ? readFileSync(path, 'utf8') : undefined;
  };
  const exists = (file: string) => pages.has(file) || existsSync(join(root, file));
  const anchorCache = new Map<string, Set<string>>();
  const anchors = (file: string) => {
    let found = anchorCache.get(file);
    if (!found) anchorCache.set(file, (found = anchorsOf(read(file) ?? '')));
    return found;
  };
  const problems: string[] = [];
  for (const file of files) {
    const text = read(file);
    if (text === undefined) {
      problems.push(`${file}: no such page`);
      continue;
    }
    for (const link of linksOf(file, text)) {
      const where = `${link.file}:${link.line}: ${link.target}`;
      const resolved = resolveTarget(root, file, link.target);
      if (resolved === undefined) continue; // an external URL
      if (resolved.path.startsWith('..')) {
        problems.push(`${where} — points outside the repository`);
        continue;
      }
      if (!exists(resolved.path)) {
        problems.push(`${where} — no such file: ${resolved.path}`);
        continue;
      }
      if (resolved.anchor === undefined) continue;
      if (!resolved.path.endsWith('.md')) {
        problems.push(`${where} — an anchor into a file that is not Markdown`);
        continue;
      }
      // `#readme` is GitHub's own anchor for a repository page's README (npm links use it).
      if (resolved.path === 'README.md' && resolved.anchor === 'readme') continue;
      if (!anchors(resolved.path).has(decodeURIComponent(resolved.anchor))) {
        problems.push(`${where} — ${resolved.path} has no heading with anchor #${resolved.anchor}`);
      }
    }
  }
  return problems;
}

/** The repository path (and anchor) a link names, or undefined for a URL outside this repository. */
function resolveTarget(root: string, from: string, target: string): { path: string; anchor?: string } | undefined {
  let rest: string;
  if (target.startsWith(REPOSITORY_URL)) {
    const tail = target.slice(REPOSITORY_URL.length);
    const inTree = /^\/(?:blob|tree)\/[^/]+\/(.*)$/.exec(tail);
    if (inTree) rest = inTree[1]!;
    else if (tail === '' || tail.startsWith('#')) rest = `README.md${tail}`;
    else return undefined; // issues, releases…
    from = 'README.md'; // absolute: relative to the root
  } else if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
    return undefined;
  } else {
    rest = target;
  }
  const hash = rest.indexOf('#');
  const pathPart = hash < 0 ? rest : rest.slice(0, hash);
  const anchor = hash < 0 ? undefined : rest.slice(hash + 1);
  const path =
    pathPart === ''
      ? from
      : normalize(join(dirname(from), decodeURIComponent(pathPart)))
          .replace(/\\/g, '/')
          .replace(/\/$/, '');
  const inRoot = relative(root, join(root, path)).replace(/\\/g, '/');
  return anchor === undefined ? { path: inRoot } : { path: inRoot, anchor };
}
