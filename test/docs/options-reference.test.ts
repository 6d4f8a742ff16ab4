/**
 * docs/reference/options.md lists every option: each key of the public `GuardOptions` type (and of every
 * object-valued option, in that option's row), each adapter option of `@aap-guard/express`, `/fastify` and
 * `/koa`; and docs/concepts/authorization.md lists each `RouteSpec` field. The keys are read from the
 * types themselves (the TypeScript checker over the public entries), so an option added to the code
 * without its row fails here, naming the page.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../packaging/consumers.js';

const OPTIONS_PAGE = 'docs/reference/options.md';
const ROUTES_PAGE = 'docs/concepts/authorization.md';

/** The names a table's first column gives (`` | `name` | ``), and the whole row of each. */
function tableRows(page: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of readFileSync(join(ROOT, page), 'utf8').split('\n')) {
    const name = /^\| `([A-Za-z.]+)` \|/.exec(line)?.[1];
    if (name) rows.set(name, `${rows.get(name) ?? ''}${line}`);
  }
  return rows;
}

interface Keys {
  /** Top-level keys of each named type. */
  readonly top: Map<string, string[]>;
  /** For GuardOptions: each object-valued option's own keys. */
  readonly nested: Map<string, string[]>;
}

let cached: Keys | undefined;
/** The keys of the public option types, read with the TypeScript checker (once). */
function optionKeys(): Keys {
  return (cached ??= readOptionKeys());
}

function readOptionKeys(): Keys {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, 'tsconfig.json'),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
  )!;
  const probe = join(ROOT, 'test/docs/__options_probe__.mts');
  const source = [
    "import type { GuardOptions, RouteSpec } from '@aap-guard/core';",
    "import type { ExpressAdapterOptions } from '@aap-guard/express';",
    "import type { AapFastifyOptions } from '@aap-guard/fastify';",
    "import type { AapKoaOptions } from '@aap-guard/koa';",
    'export type Guard = GuardOptions; export type Route = RouteSpec; export type Express = ExpressAdapterOptions;',
    'export type Fastify = AapFastifyOptions; export type Koa = AapKoaOptions;',
  ].join('\n');
  const host = ts.createCompilerHost(config.options, true);
  const { getSourceFile, fileExists } = host;
  host.getSourceFile = (name, language, ...rest) =>
    name === probe
      ? ts.createSourceFile(name, source, language, true)
      : getSourceFile.call(host, name, language, ...rest);
  host.fileExists = (name) => name === probe || fileExists.call(host, name);
  const program = ts.createProgram([probe], { ...config.options, noEmit: true }, host);
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(probe)!)!;
  const propertiesOf = (type: ts.Type): ts.Symbol[] =>
    type.isUnion() ? type.types.flatMap(propertiesOf) : checker.getPropertiesOfType(type);
  const names = (type: ts.Type) => [...new Set(propertiesOf(type).map((p) => p.name))].sort();
  const top = new Map<string, string[]>();
  let guardType: ts.Type | undefined;
  for (const symbol of checker.getExportsOfModule(module)) {
    const type = checker.getDeclaredTypeOfSymbol(symbol);
    top.set(symbol.name, names(type));
    if (symbol.name === 'Guard') guardType = type;
  }
  const nested = new Map<string, string[]>();
  for (const property of checker.getPropertiesOfType(guardType!)) {
    const type = checker.getNonNullableType(checker.getTypeOfSymbol(property));
    // Object-valued options only: not functions, arrays, primitives or class instances (a Store).
    const objects = (type.isUnion() ? type.types : [type]).filter(
      (t) =>
        t.flags & ts.TypeFlags.Object &&
        !checker.isArrayType(t) &&
        t.getCallSignatures().length === 0 &&
        !checker.isTupleType(t),
    );
    const keys = [...new Set(objects.flatMap((t) => checker.getPropertiesOfType(t).map((p) => p.name)))];
    if (keys.length > 0 && !/Store|Guard|Logger/.test(checker.typeToString(type)))
      nested.set(property.name, keys.sort());
  }
  return { top, nested };
}

describe(`${OPTIONS_PAGE} lists every option`, () => {
  let keys: Keys;
  beforeAll(() => {
    keys = optionKeys();
  }, 120_000);

  it('every key of GuardOptions has its row', () => {
    const rows = tableRows(OPTIONS_PAGE);
    expect(keys.top.get('Guard')!.length).toBeGreaterThan(20);
    expect(
      keys.top.get('Guard')!.filter((key) => !rows.has(key)),
      `add a row to ${OPTIONS_PAGE}`,
    ).toEqual([]);
  });

  it("every key of an object-valued option is named in that option's row (or a row of its own)", () => {
    const rows = tableRows(OPTIONS_PAGE);
    const missing: string[] = [];
    for (const [option, nested] of keys.nested) {
      const row = rows.get(option) ?? '';
      for (const key of nested) {
        if (!new RegExp(`\\b${key}\\b`).test(row) && !rows.has(`${option}.${key}`)) missing.push(`${option}.${key}`);
      }
    }
    expect(missing, `name each in its option's row of ${OPTIONS_PAGE}`).toEqual([]);
  });

  it('every adapter option (Express, Fastify, Koa) has its row', () => {
    const rows = tableRows(OPTIONS_PAGE);
    const guardKeys = new Set(keys.top.get('Guard'));
    const adapter = ['Express', 'Fastify', 'Koa']
      .flatMap((name) => keys.top.get(name)!)
      .filter((key) => !guardKeys.has(key));
    expect(adapter).toContain('denyAs');
    expect(
      [...new Set(adapter)].filter((key) => !rows.has(key)),
      `add a row to ${OPTIONS_PAGE}`,
    ).toEqual([]);
  });
});

describe(`${ROUTES_PAGE} lists every route declaration field`, () => {
  it('every key of RouteSpec has its row', () => {
    const route = optionKeys().top.get('Route')!;
    const rows = tableRows(ROUTES_PAGE);
    expect(route).toContain('action');
    expect(
      route.filter((key) => !rows.has(key)),
      `add a row to ${ROUTES_PAGE}`,
    ).toEqual([]);
  }, 120_000);
});
