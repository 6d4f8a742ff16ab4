import Koa from 'koa';
import { forEachVersion, frameworkVersions } from '../../../test/adapters/versions.js';

/** Koa 3 (`koa`) and Koa 2, the latter from the `koa2` alias dev dependency. */
export const KOA_VERSIONS = await frameworkVersions('Koa', 'koa', Koa, { alias: 'koa2', major: '2' });

/** Declare a suite once per Koa major (a major that is not installed is a skipped suite). */
export function forEachKoa(name: string, body: (framework: typeof Koa) => void): void {
  forEachVersion(KOA_VERSIONS, name, body);
}
