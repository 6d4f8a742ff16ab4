import express from 'express';
import { forEachVersion, frameworkVersions } from '../../../test/adapters/versions.js';

export { bearer, setup } from '../../../test/adapters/kit.js';

/** Express 5 (`express`) and Express 4, the latter from the `express4` alias dev dependency. */
export const EXPRESS_VERSIONS = await frameworkVersions('Express', 'express', express, {
  alias: 'express4',
  major: '4',
});

/** Declare a suite once per Express major (a major that is not installed is a skipped suite). */
export function forEachExpress(name: string, body: (framework: typeof express) => void): void {
  forEachVersion(EXPRESS_VERSIONS, name, body);
}
