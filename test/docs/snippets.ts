/**
 * The code blocks of the documentation (root README.md, packages/*\/README.md and docs/**\/*.md) that
 * readme-snippets.test.ts type-checks, with the two markers a README may put on the line(s) right before a fence:
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
 *   <!-- snippet from: packages/nestjs -->
 *   Checked as if it sat in that folder (relative to the repository root), so that the dependencies of
 *   that package resolve — for a page under docs/ whose block imports what only one package depends on.
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
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { markdownUnder } from './links.js';

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
  /** Folder (relative to the root) from a `snippet from` marker: the block is checked there. */
  readonly from?: string | undefined;
  /** The extension of the module it is checked as. */
  readonly extension: '.mts' | '.cts';
}

/** Every page whose code blocks are checked: the READMEs (see `readmes`) and docs/**\/*.md, absolute paths. */
export function documentationPages(root: string): string[] {
  return [...readmes(root), ...markdownUnder(root, 'docs').map((file) => join(root, file))];
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
  return parseSnippets(relative(root, path), readFileSync(path, 'utf8'));
}

/** The checkable blocks of README text; `file` names it in the results and errors. */
export function parseSnippets(file: string, text: string): Snippet[] {
  const lines = text.split('\n');
  const found: Snippet[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const open = /^```(\S*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
    if (end < 0) throw new Error(`${file}:${i + 1}: unclosed code block`);
    const lang = open[1]!.toLowerCase();
    const code = lines.slice(i + 1, end).join('\n');
    if (LANGUAGES.has(lang))
      found.push({ file, line: i + 2, lang, code, ...marker(lines, i, file), extension: extension(lang, code) });
    i = end;
  }
  return found;
}

/** The marker comment ending on the line(s) right before the fence at `fence`, if any. */
function marker(
  lines: readonly string[],
  fence: number,
  file: string,
): { preamble: string; skip?: string; from?: string } {
  let last = fence - 1;
  while (last >= 0 && lines[last]!.trim() === '') last -= 1;
  if (last < 0 || !lines[last]!.trimEnd().endsWith('-->')) return { preamble: '' };
  let first = last;
  while (first >= 0 && !lines[first]!.includes('<!--')) first -= 1;
  const comment = lines
    .slice(first, last + 1)
    .join('\n')
    .replace(/^\s*<!--/, '')
    .replace(/-->\s*$/, '');
  const skip = /^\s*snippet skip:\s*(\S[^]*?)\s*$/.exec(comment);
  if (skip) return { preamble: '', skip: skip[1] };
  const from = /^\s*snippet from:\s*(\S+)\s*$/.exec(comment);
  if (from) return { preamble: '', from: from[1]! };
  const preamble = /^\s*snippet preamble:\s*\n([^]*)$/.exec(comment);
  if (preamble) return { preamble: preamble[1]!.replace(/\s+$/, '') };
  if (/^\s*snippet\b/.test(comment))
    throw new Error(
      `${file}:${first + 1}: unknown snippet marker (use "snippet preamble:", "snippet from: <folder>" or "snippet skip: <reason>")`,
    );
  return { preamble: '' };
}

function extension(lang: string, code: string): '.mts' | '.cts' {
  if (lang === 'cjs' || lang === 'cts') return '.cts';
  return /\brequire\(/.test(code) && !/^\s*import\s/m.test(code) ? '.cts' : '.mts';
}

/**
 * Type-check `list` (skipped blocks excepted) in one program with tsconfig.json's options and paths,
 * each block a module beside its README; returns each block's errors as `README:line: TSnnnn message`.
 *
 * @example
 * const errors = checkSnippets(root, snippets(root, join(root, 'README.md')));
 */
export function checkSnippets(root: string, list: readonly Snippet[]): Map<Snippet, string[]> {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(root, 'tsconfig.json'),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => fail(d) },
  );
  if (!config) throw new Error('tsconfig.json could not be read');
  // A snippet shows one step and leaves what it makes to the reader: unused locals are its point, not a defect.
  const options: ts.CompilerOptions = {
    ...config.options,
    noEmit: true,
    moduleDetection: ts.ModuleDetectionKind.Force,
    noUnusedLocals: false,
    noUnusedParameters: false,
  };
  const checked = list.filter((s) => !s.skip);
  const files = new Map(checked.map((s) => [virtualPath(root, s), s.preamble ? `${s.preamble}\n${s.code}` : s.code]));
  const host = ts.createCompilerHost(options, true);
  const { getSourceFile, fileExists } = host;
  host.getSourceFile = (name, language, ...rest) => {
    const text = files.get(name);
    return text === undefined
      ? getSourceFile.call(host, name, language, ...rest)
      : ts.createSourceFile(name, text, language, true);
  };
  host.fileExists = (name) => files.has(name) || fileExists.call(host, name);
  const program = ts.createProgram([...files.keys()], options, host);
  return new Map(checked.map((s) => [s, errors(program, root, s)]));
}

function errors(program: ts.Program, root: string, s: Snippet): string[] {
  const file = program.getSourceFile(virtualPath(root, s))!;
  const preambleLines = s.preamble ? s.preamble.split('\n').length : 0;
  return [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)].map((d) => {
    const line = file.getLineAndCharacterOfPosition(d.start ?? 0).line - preambleLines;
    const where =
      line < 0 ? `${s.file}:${s.line} (preamble line ${line + preambleLines + 1})` : `${s.file}:${s.line + line}`;
    return `${where}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
}

/** Where a block is checked: beside its README (so packages resolve as they would there). */
const virtualPath = (root: string, s: Snippet) =>
  join(root, s.from ?? dirname(s.file), `${s.file.replace(/[/\\.]/g, '_')}_L${s.line}${s.extension}`);

function fail(diagnostic: ts.Diagnostic): never {
  throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
}
