/**
 * Docs that compile: every TypeScript or JavaScript block of the READMEs is type-checked, strict,
 * against the packages' sources (tsconfig.json's options and `paths`), each block as its own module.
 * A failure names the README, the block's line and each error at its line in the README. The markers
 * (a hidden preamble, an opt-out) are described in snippets.ts.
 */
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../packaging/consumers.js';
import { readmes, snippets, type Snippet } from './snippets.js';

const ALL = readmes(ROOT).flatMap((path) => snippets(ROOT, path));
const virtualPath = (s: Snippet) => join(ROOT, dirname(s.file), `${s.file.replace(/[/\\.]/g, '_')}_L${s.line}${s.extension}`);
const sourceOf = (s: Snippet) => (s.preamble ? `${s.preamble}\n${s.code}` : s.code);

let program: ts.Program;

beforeAll(() => {
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); } });
  if (!config) throw new Error('tsconfig.json could not be read');
  const options: ts.CompilerOptions = { ...config.options, noEmit: true, moduleDetection: ts.ModuleDetectionKind.Force, noUnusedLocals: false };
  const files = new Map(ALL.filter((s) => !s.skip).map((s) => [virtualPath(s), sourceOf(s)]));
  const host = ts.createCompilerHost(options, true);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, onError) => {
    const text = files.get(name);
    return text === undefined ? getSourceFile(name, language, onError) : ts.createSourceFile(name, text, language, true);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => files.has(name) || fileExists(name);
  program = ts.createProgram([...files.keys()], options, host);
}, 120_000);

/** Each error of a block as `file:line: TSnnnn message`, at its line in the README. */
function errors(s: Snippet): string[] {
  const file = program.getSourceFile(virtualPath(s))!;
  const preambleLines = s.preamble ? s.preamble.split('\n').length : 0;
  return [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)].map((d) => {
    const line = file.getLineAndCharacterOfPosition(d.start ?? 0).line - preambleLines;
    const where = line < 0 ? `${s.file}:${s.line} (preamble line ${line + preambleLines + 1})` : `${s.file}:${s.line + line}`;
    return `${where}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
}

describe('README code blocks type-check (strict)', () => {
  it('finds blocks in the root README and in every package README', () => {
    expect(new Set(ALL.map((s) => s.file))).toEqual(new Set(readmes(ROOT).map((path) => path.slice(ROOT.length).replace(/^[/\\]/, ''))));
  });

  for (const s of ALL) {
    const name = `${s.file}:${s.line} (${s.lang})`;
    if (s.skip) it.skip(`${name} — not checked: ${s.skip}`, () => {});
    else it(name, () => expect(errors(s)).toEqual([]));
  }
});
