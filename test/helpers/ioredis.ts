/**
 * The ioredis majors @aap-guard/redis claims (peer `^5.11.1 || ^6.0.0`): ioredis 6 (`ioredis`, whose
 * types the tests use) and ioredis 5 (the `ioredis5` npm-alias dev dependency, runtime only).
 */
import { Cluster, Redis } from 'ioredis';
import { forEachVersion, frameworkVersions, type FrameworkVersion } from '../adapters/versions.js';

/** The two client classes of one ioredis major. */
export interface IoRedis {
  readonly Redis: typeof Redis;
  readonly Cluster: typeof Cluster;
}

/** ioredis 6 and ioredis 5 (`framework` undefined when the alias is not installed). */
export const IOREDIS_VERSIONS: readonly FrameworkVersion<IoRedis>[] = await frameworkVersions<IoRedis>(
  'ioredis',
  'ioredis',
  { Redis, Cluster },
  { alias: 'ioredis5', major: '5' },
);

/**
 * Declare a suite once per ioredis major (a major that is not installed is a skipped suite).
 *
 * @example
 * forEachIoRedis('redisStore', ({ Redis }) => storeContract('redisStore', () => redisStore(new Redis(port))));
 */
export function forEachIoRedis(name: string, body: (ioredis: IoRedis) => void): void {
  forEachVersion(IOREDIS_VERSIONS, name, body);
}
