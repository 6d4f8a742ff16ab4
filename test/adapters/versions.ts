/**
 * The framework majors the adapters are tested against: the current major (the package itself)
 * and an older one from an npm-alias dev dependency (`"express4": "npm:express@^4.22.3"`,
 * `"koa2": "npm:koa@^2.16.4"`, `"fastify4": "npm:fastify@^4.29.1"`). Types come from the current
 * major; the older one is only used at runtime.
 */
import { createRequire } from 'node:module';
import { describe } from 'vitest';

/** One framework major; `framework` is undefined when that major is not installed. */
export interface FrameworkVersion<T> {
  readonly label: string;
  readonly framework: T | undefined;
}

/** The older major, from an npm-alias dev dependency. */
export interface OlderMajor {
  /** The alias package name, e.g. `express4`. */
  readonly alias: string;
  /** The major it must resolve to, e.g. `'4'`. */
  readonly major: string;
}

/**
 * The current major of `name` (`framework`, imported by the caller) and the older major from its
 * alias, loaded only when the alias is installed at that major.
 *
 * @example
 * export const KOA_VERSIONS = await frameworkVersions('Koa', 'koa', Koa, { alias: 'koa2', major: '2' });
 */
export async function frameworkVersions<T>(
  label: string,
  name: string,
  framework: T,
  older: OlderMajor,
): Promise<readonly FrameworkVersion<T>[]> {
  const installed = installedMajor(older.alias) === older.major;
  return [
    { label: `${label} ${installedMajor(name)}`, framework },
    {
      label: `${label} ${older.major}`,
      framework: installed ? ((await import(older.alias)) as { default: T }).default : undefined,
    },
  ];
}

/**
 * Declare a suite once per major. A major that is not installed is reported as a skipped suite,
 * never silently passed (its body is only collected, with the current major standing in).
 *
 * @example
 * forEachVersion(KOA_VERSIONS, 'adapter suite', (Koa) => describeAdapter(koaDriver(Koa)));
 */
export function forEachVersion<T>(
  versions: readonly FrameworkVersion<T>[],
  name: string,
  body: (framework: T) => void,
): void {
  const [current] = versions;
  for (const version of versions) {
    describe.skipIf(!version.framework)(`${name} — ${version.label}`, () =>
      body(version.framework ?? (current?.framework as T)),
    );
  }
}

function installedMajor(name: string): string | undefined {
  try {
    return (createRequire(import.meta.url)(`${name}/package.json`) as { version: string }).version.split('.')[0];
  } catch {
    return undefined; // not installed
  }
}
