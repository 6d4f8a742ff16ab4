/**
 * Rate-limit cases (issue 5): `max_<noun>_per_<unit>` windows of the matched capability, counted per
 * token, with the RateLimit fields of draft-ietf-httpapi-ratelimit-headers (`RateLimit-Policy`,
 * `RateLimit`) and `Retry-After` (RFC 9110 §10.2.3, in seconds). The clock starts at `NOW`
 * (12:00:00 UTC, on a minute and an hour boundary) and moves only by `advance` steps, so every
 * header value is exact. By default (§5.6.1) the minute slides — counted in 1 s buckets, so a request
 * counts until its second has left the minute: 61 s after 12:00:00.xxx — and the hour and day are fixed.
 */
import { OK, constrained, unauthorized, type ConformanceCase, type Expectation, type Step } from './model.js';

/** `count` admitted requests. */
const admitted = (count: number): Step[] => Array.from({ length: count }, () => ({ status: 200 }));
const FIXED = { rateLimit: { mode: 'fixed' } } as const;
const SLIDING_DAY = { rateLimit: { mode: { day: 'sliding' } } } as const;

const limited = (headers: Expectation['headers']): Expectation => ({
  status: 429,
  error: 'aap_constraint_violation',
  reason: 'rate_limited',
  headers,
});
const perMinute = (limit: number) => constrained({ max_requests_per_minute: limit });

const THROTTLE = { failedValidations: { max: 3 } } as const;
/** `count` requests whose token fails validation (the case's own, or `authorization`), from `ip` when given. */
const failures = (count: number, authorization?: string, ip?: string): Step[] =>
  Array.from({ length: count }, (_, i) => ({
    request: { headers: { ...(authorization ? { authorization } : {}), ...(ip ? { 'x-forwarded-for': ip } : {}) } },
    status: i < 3 ? 401 : 429,
  }));
/** The clock is frozen on a second boundary: the failures leave the sliding minute 61 s later. */
const throttled: Expectation = {
  status: 429,
  error: 'invalid_request',
  reason: 'too_many_failed_validations',
  headers: { 'retry-after': '61' },
};

export const limitCases: readonly ConformanceCase[] = [
  {
    name: 'rate limit: allowed responses carry the RateLimit fields',
    token: perMinute(3),
    before: admitted(1),
    expect: {
      status: 200,
      headers: { 'ratelimit-policy': '"minute";q=3;w=60', ratelimit: '"minute";r=1;t=61', 'retry-after': null },
    },
  },
  {
    name: 'rate limit: no RateLimit fields on allow when turned off',
    options: { rateLimit: { headersOnAllow: false } },
    token: perMinute(3),
    expect: { status: 200, headers: { 'ratelimit-policy': null, ratelimit: null } },
  },
  {
    name: 'rate limit: N admitted, then 429',
    token: perMinute(3),
    before: admitted(3),
    expect: limited({ 'retry-after': '61', 'ratelimit-policy': '"minute";q=3;w=60', ratelimit: '"minute";r=0;t=61' }),
  },
  {
    name: 'rate limit: a max_<noun>_per_day limit, fixed by default: it resets at 00:00 UTC',
    token: constrained({ max_drafts_per_day: 2 }),
    before: admitted(2),
    expect: limited({
      'retry-after': '43200',
      'ratelimit-policy': '"drafts_per_day";q=2;w=86400',
      ratelimit: '"drafts_per_day";r=0;t=43200',
    }),
  },
  {
    // 12:00:00 starts a 24-minute bucket of the sliding day: it leaves 61 buckets later, 24 h 24 min on
    name: 'rate limit: a sliding day by option',
    options: SLIDING_DAY,
    token: constrained({ max_drafts_per_day: 2 }),
    before: admitted(2),
    expect: limited({ 'retry-after': '87840', ratelimit: '"drafts_per_day";r=0;t=87840' }),
  },
  {
    name: 'rate limit: a fixed day bucket ends at midnight UTC',
    options: FIXED,
    token: constrained({ max_requests_per_day: 1 }),
    before: admitted(1),
    expect: limited({ 'retry-after': '43200', ratelimit: '"day";r=0;t=43200' }),
  },
  {
    name: 'rate limit: a retry after Retry-After is admitted',
    token: perMinute(2),
    before: [{ status: 200 }, { advance: 30 }, { status: 200 }, { status: 429 }, { advance: 31 }],
    expect: { status: 200, headers: { ratelimit: '"minute";r=0;t=30' } },
  },
  {
    name: 'rate limit: a sliding window spans the minute boundary',
    token: perMinute(2),
    before: [{ advance: 59 }, ...admitted(2), { advance: 1 }],
    expect: limited({ 'retry-after': '60' }),
  },
  {
    name: 'rate limit: fixed minute buckets restart at the boundary',
    options: FIXED,
    token: perMinute(2),
    before: [{ advance: 59 }, ...admitted(2), { advance: 1 }],
    expect: OK,
  },
  {
    // The 429 consumed no hour quota: the request after the minute passes is admitted, the next one is the
    // hour's 4th, refused until the clock hour ends at 13:00:00.
    name: 'rate limit: several windows are consumed all or nothing',
    token: constrained({ max_requests_per_minute: 2, max_requests_per_hour: 3 }),
    before: [...admitted(2), { status: 429 }, { advance: 61 }, { status: 200 }],
    expect: limited({ 'retry-after': '3539', 'ratelimit-policy': '"minute";q=2;w=60, "hour";q=3;w=3600' }),
  },
  {
    name: 'rate limit: a limit that is not a positive integer makes the token invalid',
    token: perMinute(0),
    expect: unauthorized('token_claims_invalid'),
  },
  // §12.11: failed token validations per client address (options.failedValidations, per replica)
  {
    name: 'failed validations: past max from one address, 429 with Retry-After',
    options: THROTTLE,
    token: { forge: 'foreign-key' },
    before: failures(3),
    expect: throttled,
  },
  {
    name: 'failed validations: a valid token not verified before waits too',
    options: THROTTLE,
    before: failures(3, 'Bearer garbage'),
    expect: throttled,
  },
  {
    name: 'failed validations: a token verified before is never throttled (one NAT, a neighbour sending garbage)',
    options: THROTTLE,
    before: [
      { status: 200 },
      ...failures(4, 'Bearer garbage'),
      { request: { headers: { authorization: 'Bearer garbage' } }, status: 429 },
    ],
    expect: OK,
  },
  {
    name: 'failed validations: another client address keeps working',
    options: { ...THROTTLE, trustProxy: ['127.0.0.1'] },
    before: failures(4, 'Bearer garbage', '203.0.113.7'),
    request: { headers: { 'x-forwarded-for': '198.51.100.1' } },
    expect: OK,
  },
  {
    name: 'failed validations: capability denies of a valid token are not counted',
    options: THROTTLE,
    route: { action: 'cms.publish' },
    before: Array.from({ length: 5 }, () => ({ status: 403 })),
    expect: { status: 403, error: 'aap_invalid_capability', reason: 'capability_missing' },
  },
];
