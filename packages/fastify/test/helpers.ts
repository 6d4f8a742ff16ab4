import Fastify from 'fastify';
import { forEachVersion, frameworkVersions } from '../../../test/adapters/versions.js';

/** Fastify 5 (`fastify`) and Fastify 4, the latter from the `fastify4` alias dev dependency (typed as Fastify 5). */
export const FASTIFY_VERSIONS = await frameworkVersions('Fastify', 'fastify', Fastify, {
  alias: 'fastify4',
  major: '4',
});

/** Declare a suite once per Fastify major (a major that is not installed is a skipped suite). */
export function forEachFastify(name: string, body: (framework: typeof Fastify) => void): void {
  forEachVersion(FASTIFY_VERSIONS, name, body);
}
