import { createRequire } from 'node:module';
import express from 'express';
import { describe } from 'vitest';

export { bearer, setup } from '../../../test/adapters/kit.js';

const EXPRESS4 = 'express4';

/** One Express major the adapter is tested against; `express` is undefined when that major is not installed. */
export interface ExpressVersion {
  readonly label: string;
  readonly express: typeof express | undefined;
}

/**
 * Express 5 (`express`) and Express 4, the latter from the `express4` alias dev dependency
 * (`"express4": "npm:express@^4.22.0"`).
 */
export const EXPRESS_VERSIONS: readonly ExpressVersion[] = [
  { label: `Express ${major('express')}`, express },
  { label: 'Express 4', express: major(EXPRESS4) === '4' ? ((await import(EXPRESS4)) as { default: typeof express }).default : undefined },
];

/**
 * Declare a suite once per Express major. A major that is not installed is reported as a skipped
 * suite, never silently passed (its body is only collected, with Express 5 standing in).
 */
export function forEachExpress(name: string, body: (framework: typeof express) => void): void {
  for (const { label, express: framework } of EXPRESS_VERSIONS) {
    describe.skipIf(!framework)(`${name} — ${label}`, () => body(framework ?? express));
  }
}

function major(name: string): string | undefined {
  try {
    return (createRequire(import.meta.url)(`${name}/package.json`) as { version: string }).version.split('.')[0];
  } catch {
    return undefined; // not installed
  }
}
