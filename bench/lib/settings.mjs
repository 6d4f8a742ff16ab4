// The settings of a run, as the report states them (the method in full: bench/README.md).
import { CAPABILITY, LIMIT, PATH } from '../subjects.mjs';

/** One line per setting, for the report. */
export function describeSettings(options) {
  const { rounds, duration, warmup, connections, microSeconds } = options;
  const knobs = `--rounds ${rounds} --duration ${duration} --warmup ${warmup} --connections ${connections}`;
  return [
    [
      `Load generator: autocannon in its own process, ${connections} keep-alive connections, pipelining 1, over`,
      '127.0.0.1; each server alone in its own process; one subject under load at a time.',
    ],
    [
      `Per subject: a warm-up of ${warmup} s, then ${rounds} rounds of ${duration} s, interleaved across the subjects`,
      'of a group (in order on odd rounds, in reverse on even ones). A pooled subject (DPoP, first-seen, forged)',
      'sends as many requests per round as its previous rate gives in that time, each with its own credential',
      'signed by the load generator before the timed part.',
    ],
    [
      'Server CPU per request: utime + stime of the server process (all threads) from /proc/<pid>/stat over the',
      'round ÷ responses in the round; for a Redis subject plus the same of redis-server. Throughput: expected',
      'responses from the first request sent to the last response received.',
    ],
    [
      `Token: ES256 at+jwt, capability \`${CAPABILITY.action}\` with \`domains_allowed: ["wikipedia.org"]\` and`,
      `\`max_requests_per_minute: ${LIMIT}\` (checked and counted on every request, never reached); the same token`,
      'on every request but for the first-seen (a distinct delegated token each, signed by the issuer), forged',
      "(a distinct token each, signed by another key under the issuer's kid) and malformed subjects.",
      `Every request is GET ${PATH}.`,
    ],
    [
      'Guards: issuer, audience and keys from a JWKS served on loopback, all else default; memory store, or',
      '`redisStore()` over ioredis on a redis-server the bench starts on a free loopback port (a key prefix per',
      'subject).',
    ],
    [
      `check() micro-benchmark: in its own process, ${microSeconds} s per variant and round (DPoP: 3000 calls`,
      `with fresh proofs), ${rounds} rounds after a warm-up round.`,
    ],
    [`Knobs: ${knobs} --micro-seconds ${microSeconds}${options.quick ? ' (--quick)' : ''}.`],
  ].map((words) => words.join(' '));
}
