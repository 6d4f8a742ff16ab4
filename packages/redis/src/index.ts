/**
 * @aap-guard/redis — the Redis store of aap-guard: rate-limit windows and DPoP replay shared by every
 * replica, one script call per request, on a single Redis or a Redis Cluster.
 */
export { redisStore, type RedisStoreOptions } from './redis-store.js';
export { redisHolds, type RedisHoldsOptions } from './holds.js';
export { redisRevocations, type RedisRevocationsOptions } from './revocations.js';
