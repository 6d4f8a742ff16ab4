/**
 * The code blocks of the READMEs (root README.md and packages/*\/README.md) that readme-snippets.test.ts
 * type-checks, with the two markers a README may put on the line(s) right before a fence:
 *
 *   <!-- snippet preamble:
 *   import express from 'express';
 *   declare const app: express.Express;
 *   -->
 *   ```js
 *   app.use(…)
 *   ```
 *   Hidden code (TypeScript, also before a js block) the block is checked with, prepended to it:
 *   the declarations a fragment leaves out. GitHub and npm render nothing of it.
 *
 *   <!-- snippet skip: why -->
 *   Not checked at all (a fragment that cannot stand alone even with a preamble). Keep it rare; the
 *   reason is required.
 *
 * Checked: ts, typescript, mts, cts, js, javascript, mjs, cjs blocks, each as its own TypeScript
 * module under strict mode — a js block too, since TypeScript users copy them. A block is
 * CommonJS (`.cts`) when it is `cjs`/`cts`, or calls `require(` and has no `import`; else ESM (`.mts`).
 * Other blocks (sh, json, …) are never checked.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const LANGUAGES = new Set(['ts', 'typescript', 'mts', 'cts', 'js', 'javascript', 'mjs', 'cjs']);

/** One fenced block of a README. */
export interface Snippet {
  /** README path relative to the repository root. */
  readonly file: string;
  /** 1-based line of the block's first line of code. */
  readonly line: number;
  readonly lang: string;
  readonly code: string;
  /** Hidden code from a `snippet preamble` marker ('' when none). */
  readonly preamble: string;
  /** Reason from a `snippet skip` marker. */
  readonly skip?: string | undefined;
  /** The extension of the module it is checked as. */
  readonly extension: '.mts' | '.cts';
}

/** Root README.md and every packages/<name>/README.md. */
export function readmes(root: string): string[] {
  const packages = readdirSync(join(root, 'packages'), { withFileTypes: true }).filter((d) => d.isDirectory());
  const files = [join(root, 'README.md'), ...packages.map((d) => join(root, 'packages', d.name, 'README.md'))];
  return files.filter((file) => {
    try {
      return readFileSync(file, 'utf8').length > 0;
    } catch {
      return false;
    }
  });
}

/**
 * The checkable (TypeScript or JavaScript) blocks of one README, with their markers.
 *
 * @example
 * snippets('/repo', '/repo/README.md').map((s) => `${s.file}:${s.line}`) // → ['README.md:44', …]
 */
export function snippets(root: string, path: string): Snippet[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const found: Snippet[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const open = /^```(\S*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
    if (end < 0) throw new Error(`${relative(root, path)}:${i + 1}: unclosed code block`);
    const lang = open[1]!.toLowerCase();
    const code = lines.slice(i + 1, end).join('\n');
    if (LANGUAGES.has(lang)) found.push({ file: relative(root, path), line: i + 2, lang, code, ...marker(lines, i, path), extension: extension(lang, code) });
    i = end;
  }
  return found;
}

/** The marker comment ending on the line(s) right before the fence at `fence`, if any. */
function marker(lines: readonly string[], fence: number, path: string): { preamble: string; skip?: string } {
  let last = fence - 1;
  while (last >= 0 && lines[last]!.trim() === '') last -= 1;
  if (last < 0 || !lines[last]!.trimEnd().endsWith('-->')) return { preamble: '' };
  let first = last;
  while (first >= 0 && !lines[first]!.includes('<!--')) first -= 1;
  const comment = lines.slice(first, last + 1).join('\n').replace(/^\s*<!--/, '').replace(/-->\s*$/, '');
  const skip = /^\s*snippet skip:\s*(\S[^]*?)\s*$/.exec(comment);
  if (skip) return { preamble: '', skip: skip[1] };
  const preamble = /^\s*snippet preamble:\s*\n([^]*)$/.exec(comment);
  if (preamble) return { preamble: preamble[1]!.replace(/\s+$/, '') };
  if (/^\s*snippet\b/.test(comment)) throw new Error(`${path}:${first + 1}: unknown snippet marker (use "snippet preamble:" or "snippet skip: <reason>")`);
  return { preamble: '' };
}

function extension(lang: string, code: string): '.mts' | '.cts' {
  if (lang === 'cjs' || lang === 'cts') return '.cts';
  return /\brequire\(/.test(code) && !/^\s*import\s/m.test(code) ? '.cts' : '.mts';
}
