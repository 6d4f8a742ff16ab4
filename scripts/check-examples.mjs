#!/usr/bin/env node
// Type-checks every TSDoc `@example` of the packages' sources, strict, so that an example calling what no
// longer exists, or with arguments that no longer fit, fails the tests instead of misleading a reader.
//
//   node scripts/check-examples.mjs              every packages/*/src/**/*.ts
//   node scripts/check-examples.mjs a.ts b.ts    only those files (the test feeds it a stale example)
//   … --assumed                                  also list the names taken as `any` (see below)
//
// An example's code is its `@example` text up to the next tag (or the ```ts / ```js fences in it, when it
// has some). Each becomes one module in a temporary folder under its package's node_modules/.cache (so
// that the package's dependencies resolve, and `express`, `ioredis`, … from the repository's): the
// example's own `import` lines, then its statements inside `async function example()`, so `await` and
// `return deny(…)` read as they do in the code around them.
// In scope, nearest first:
//   1. what the example imports itself (relative paths are relative to the module it documents);
//   2. the exports of that module, then what that module imports (its own vocabulary);
//   3. the prelude: scripts/examples-prelude/<package>.ts, then common.ts — the free names examples
//      assume (`app`, `req`, `ctx`, `guard`, `options`, …), each declared with its real type;
//   4. the public entries (`@aap-guard/core`, `@aap-guard/core/node`, `@aap-guard/express`, …);
//   5. the exports of the package's other modules (internals an internal example calls).
// Entries resolve to the TypeScript sources through the root tsconfig.json `paths`: no build is needed.
// A name still unknown is an error when it is called, constructed or used as a type — a renamed or removed
// API looks like that; an unknown plain value (`payload`, `before`) is taken as `any`, on a second pass.
// Exit 0 when every example compiles; 1 with `file:line: TSnnnn message` per error, at the source line.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PRELUDE = join(ROOT, 'scripts/examples-prelude');

/**
 * The `@example` bodies of one source file, each with the source line of its first line.
 *
 * @example
 * examplesOf('packages/core/src/concerns/pop/htu.ts') // → [{ line: 14, code: "normalizeHtu('HTTPS://…')" }, …]
 */
export function examplesOf(file) {
  const text = readFileSync(file, 'utf8');
  const found = [];
  for (const comment of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const startLine = text.slice(0, comment.index).split('\n').length;
    const lines = comment[0].split('\n').map((line) => line.replace(/^\s*\/?\*+\/?\s?/, '').replace(/\s*\*\/$/, ''));
    for (let i = 0; i < lines.length; i++) {
      if (!/^@example\b/.test(lines[i])) continue;
      let end = i + 1;
      while (end < lines.length && !/^@\w/.test(lines[end])) end++;
      found.push(...bodies(lines.slice(i + 1, end), startLine + i + 1));
      i = end - 1;
    }
  }
  return found;
}

/** The code of one `@example`: its fenced ts/js blocks if it has any, else all of it. */
function bodies(lines, firstLine) {
  const fences = [];
  let open;
  lines.forEach((line, i) => {
    if (open === undefined && /^```(ts|typescript|js|javascript)\s*$/.test(line)) open = i + 1;
    else if (open !== undefined && /^```\s*$/.test(line)) {
      fences.push({ line: firstLine + open, code: lines.slice(open, i).join('\n') });
      open = undefined;
    }
  });
  if (fences.length > 0 || lines.some((line) => line.startsWith('```'))) return fences;
  while (lines.length > 0 && lines.at(-1).trim() === '') lines = lines.slice(0, -1);
  return lines.length === 0 ? [] : [{ line: firstLine, code: lines.join('\n') }];
}

/** Names a module offers an example: `{ name, from, type }` for its exports (from itself) and imports. */
function vocabulary(file) {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const self = file.replace(/\.ts$/, '.js');
  const names = [];
  const add = (name, from, type) => names.push({ name, from, type });
  const exported = (node) => ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false;
  for (const node of source.statements) {
    if (ts.isImportDeclaration(node) && node.importClause && ts.isStringLiteral(node.moduleSpecifier)) {
      const spec = node.moduleSpecifier.text;
      const from = spec.startsWith('.') ? resolve(dirname(file), spec) : spec;
      const clause = node.importClause;
      if (clause.name) add(clause.name.text, { default: from }, clause.isTypeOnly);
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) add(bindings.name.text, { namespace: from }, clause.isTypeOnly);
      if (bindings && ts.isNamedImports(bindings)) {
        for (const el of bindings.elements)
          add(
            el.name.text,
            { module: from, as: (el.propertyName ?? el.name).text },
            clause.isTypeOnly || el.isTypeOnly,
          );
      }
    } else if (ts.isExportDeclaration(node) && node.exportClause && ts.isNamedExports(node.exportClause)) {
      for (const el of node.exportClause.elements)
        add(el.name.text, { module: self, as: el.name.text }, node.isTypeOnly || el.isTypeOnly);
    } else if (exported(node)) {
      const type = ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node);
      if (ts.isVariableStatement(node)) {
        for (const d of node.declarationList.declarations)
          if (ts.isIdentifier(d.name)) add(d.name.text, { module: self, as: d.name.text }, false);
      } else if (node.name && ts.isIdentifier(node.name))
        add(node.name.text, { module: self, as: node.name.text }, type);
    }
  }
  // Exports first: a module's own name wins over one it imports.
  return names.sort((a, b) => Number(b.from.module === self) - Number(a.from.module === self));
}

/** The public entries of every package, `@aap-guard/core/node` → its source, from the root tsconfig paths. */
function publicEntries(paths) {
  return Object.entries(paths)
    .filter(([spec]) => !spec.includes('*'))
    .map(([spec, [target]]) => ({ spec, file: resolve(ROOT, target) }));
}

/** The exports of every module of the package `file` belongs to (its internals' names), cached per package. */
function packageVocabulary(file, cache) {
  const [top, name] = relative(ROOT, file).split('/');
  if (top !== 'packages' || !existsSync(join(ROOT, top, name, 'src'))) return [];
  const pkg = `${top}/${name}`;
  if (!cache.has(pkg)) {
    const src = join(ROOT, pkg, 'src');
    cache.set(pkg, sources(src).flatMap(exportsOf));
  }
  return cache.get(pkg);
}

/** Every identifier an example's code mentions. */
function identifiers(code) {
  const source = ts.createSourceFile('example.ts', code, ts.ScriptTarget.Latest, false);
  const seen = new Set();
  const visit = (node) => {
    if (ts.isIdentifier(node)) seen.add(node.text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return seen;
}

/** The example as a module: its imports, the scope's imports, its statements in an async function. */
function exampleModule(example, file, scope, assumed = []) {
  const lines = example.code.split('\n');
  const isImport = (line) => /^import\s/.test(line);
  // The example's own relative imports are relative to the module it documents.
  const own = lines
    .filter(isImport)
    .map((line) =>
      line.replace(/(from\s+['"])(\.[^'"]*)(['"])/, (_, a, spec, b) => a + resolve(dirname(file), spec) + b),
    );
  // `export` inside a function is no statement; the declaration after it is checked all the same.
  const body = lines.map((line) =>
    isImport(line) ? '' : `  ${line.replace(/^export\s+(?=(const|let|function|class|interface|type)\b)/, '')}`,
  );
  const wanted = identifiers(example.code);
  const header = [];
  const given = new Set(identifiers(own.join('\n')));
  for (const entry of scope) {
    if (!wanted.has(entry.name) || given.has(entry.name)) continue;
    given.add(entry.name);
    const type = entry.type ? 'type ' : '';
    const { from } = entry;
    if (from.default) header.push(`import ${type}${entry.name} from ${JSON.stringify(from.default)};`);
    else if (from.namespace) header.push(`import ${type}* as ${entry.name} from ${JSON.stringify(from.namespace)};`);
    else
      header.push(
        `import { ${type}${from.as === entry.name ? entry.name : `${from.as} as ${entry.name}`} } from ${JSON.stringify(from.module)};`,
      );
  }
  // Example line n is line (offset + n) of the file: the assumed values share the `export {}` line.
  const declared = assumed.map((name) => ` declare const ${name}: any;`).join('');
  const text = [...header, ...own, `export {};${declared}`, 'export async function example() {', ...body, '}', ''].join(
    '\n',
  );
  return { text, offset: header.length + own.length + 2 };
}

/** The identifier a diagnostic points at, if any. */
function identifierAt(source, start) {
  let found;
  const visit = (node) => {
    if (found || start < node.pos || start >= node.end) return;
    if (ts.isIdentifier(node) && node.getStart(source) === start) found = node;
    else ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * Whether an unknown name is only a value the example assumes (a request, a payload): not a callee, not
 * a constructor, not a type. Those are declared `any` on a second pass; an unknown callee or type stays
 * an error, since that is what a renamed or removed API looks like.
 */
function assumedValue(node) {
  const parent = node.parent;
  if ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.expression === node) return false;
  if (ts.isTaggedTemplateExpression(parent) && parent.tag === node) return false;
  if (ts.isTypeReferenceNode(parent) || ts.isExpressionWithTypeArguments(parent) || ts.isQualifiedName(parent))
    return false;
  return /^[a-z_$]/.test(node.text);
}

const UNKNOWN_NAME = new Set([2304, 2552, 18004]);

/**
 * Check the examples of `files`; returns how many there were and the error lines (empty: all compile).
 *
 * @example
 * const { examples, errors } = checkExamples(['packages/core/src/concerns/pop/htu.ts']);
 */
export function checkExamples(files) {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, 'tsconfig.json'),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
  );
  const options = {
    ...config.options,
    rootDir: undefined,
    noEmit: true,
    noUnusedLocals: false,
    noUnusedParameters: false,
    allowUnreachableCode: true,
  };
  const entries = publicEntries(config.options.paths ?? {});
  const publicNames = entries.flatMap(({ spec, file }) =>
    exportsOf(file).map((n) => ({ ...n, from: { module: spec, as: n.name } })),
  );
  // Inside the package the example documents, so that its own dependencies (`@nestjs/common` of
  // @aap-guard/nestjs) resolve from its node_modules, and the repository's (`express`, `ioredis`) above it.
  const dirs = new Map();
  const dirOf = (file) => {
    const [top, name] = relative(ROOT, file).split('/');
    const base = top === 'packages' && name ? join(ROOT, 'packages', name) : ROOT;
    if (!dirs.has(base)) {
      mkdirSync(join(base, 'node_modules/.cache'), { recursive: true });
      const dir = mkdtempSync(join(base, 'node_modules/.cache/check-examples-'));
      writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
      dirs.set(base, dir);
    }
    return dirs.get(base);
  };
  const packages = new Map();
  try {
    const written = [];
    for (const file of files) {
      const scope = [...vocabulary(file), ...preludeOf(file), ...publicNames, ...packageVocabulary(file, packages)];
      for (const example of examplesOf(file)) {
        const name = join(dirOf(file), `${relative(ROOT, file).replace(/[^\w]+/g, '_')}_${example.line}.ts`);
        const module = { name, file, example, scope, ...exampleModule(example, file, scope) };
        writeFileSync(name, module.text);
        written.push(module);
      }
    }
    const roots = written.map((w) => w.name);
    let program = ts.createProgram(roots, options);
    // Second pass: unknown plain values become assumed `any`; unknown callees and types stay errors.
    let again = false;
    for (const w of written) {
      const source = program.getSourceFile(w.name);
      const assumed = new Set();
      for (const d of program.getSemanticDiagnostics(source)) {
        const node = UNKNOWN_NAME.has(d.code) && d.start !== undefined ? identifierAt(source, d.start) : undefined;
        if (node && assumedValue(node)) assumed.add(node.text);
      }
      if (assumed.size === 0) continue;
      w.assumed = [...assumed];
      Object.assign(w, exampleModule(w.example, w.file, w.scope, [...assumed]));
      writeFileSync(w.name, w.text);
      again = true;
    }
    if (again) program = ts.createProgram(roots, options, undefined, program);
    const errors = [];
    for (const w of written) {
      for (const d of ts.getPreEmitDiagnostics(program, program.getSourceFile(w.name))) {
        const at = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : w.offset;
        const line = w.example.line + (d.file?.fileName === w.name ? Math.max(0, at - w.offset) : 0);
        errors.push(
          `${relative(ROOT, w.file)}:${line}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
        );
      }
    }
    // The prelude's own errors (a type that moved) would quietly make its names `any`: they count too.
    for (const source of program.getSourceFiles().filter((f) => f.fileName.startsWith(PRELUDE))) {
      for (const d of ts.getPreEmitDiagnostics(program, source)) {
        const line = d.start === undefined ? 0 : source.getLineAndCharacterOfPosition(d.start).line + 1;
        errors.push(
          `${relative(ROOT, source.fileName)}:${line}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
        );
      }
    }
    const assumed = written.flatMap((w) =>
      (w.assumed ?? []).map((name) => `${relative(ROOT, w.file)}:${w.example.line}: ${name}`),
    );
    return { examples: written.length, errors, assumed };
  } finally {
    for (const dir of dirs.values()) rmSync(dir, { recursive: true, force: true });
  }
}

/** What a module exports (its own names and re-exports). */
function exportsOf(file) {
  const self = file.replace(/\.ts$/, '.js');
  return vocabulary(file).filter((n) => n.from.module === self);
}

/**
 * The prelude of the package `file` belongs to (scripts/examples-prelude/<package>.ts, if any), then the
 * common one: the free names examples assume, with their types.
 */
function preludeOf(file) {
  const pkg = relative(ROOT, file).split('/')[1];
  return [`${pkg}.ts`, 'common.ts']
    .map((name) => join(PRELUDE, name))
    .filter((path) => existsSync(path))
    .flatMap(exportsOf);
}

/** Every `.ts` below `dir`. */
function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const given = args.filter((arg) => arg !== '--assumed').map((file) => resolve(file));
  const files =
    given.length > 0
      ? given
      : readdirSync(join(ROOT, 'packages')).flatMap((pkg) => sources(join(ROOT, 'packages', pkg, 'src')));
  const { examples, errors, assumed } = checkExamples(files);
  if (args.includes('--assumed')) for (const line of assumed) console.log(`assumed: ${line}`);
  for (const error of errors) console.error(error);
  console.log(
    `${examples} @example blocks in ${files.length} files: ${errors.length === 0 ? 'all compile' : `${errors.length} errors`}`,
  );
  process.exit(errors.length === 0 ? 0 : 1);
}
