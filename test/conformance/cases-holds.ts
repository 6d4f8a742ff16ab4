/**
 * Oversight holds and revocation (issue 7), through the guard behind each driver's server:
 * `guard.holds.approve / deny` and `guard.revoke` are `operate` steps between real requests.
 *
 * Holds: a request for an action under oversight is held (403 `approval_required`, hold id in the body
 * and the `AAP-Hold-Id` header); the agent retries with that header; only an approved hold that
 * matches the request (same token, action, method, path) admits it, once.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { RevocationKey } from '@aap-guard/core';
import { decodeJwt } from 'jose';
import {
  AGENT,
  OK,
  at,
  forbidden,
  oversight,
  unauthorized,
  withSections,
  type CaseRequest,
  type ConformanceCase,
  type FlowKit,
  type Step,
} from './model.js';

// ---- holds ----------------------------------------------------------------------------------------

const HOLD_ID = /^[A-Za-z0-9_-]{32}$/;
const HELD = oversight(['search.web'], 'https://approvals.example.com/policies/7');

/** The hold id the first earlier response carried. */
const firstHold = ({ responses }: FlowKit): string => String(responses[0]?.json?.hold_id);
/** A retry naming the first hold. */
const retry = (request: CaseRequest = {}): CaseRequest => ({
  ...request,
  headersFor: (kit) => ({ 'aap-hold-id': firstHold(kit) }),
});
const held: Step = { status: 403 };
const approve: Step = { operate: (guard, kit) => guard.holds.approve(firstHold(kit), { by: 'alice@example.com' }) };
const refuse: Step = { operate: (guard, kit) => guard.holds.deny(firstHold(kit), { by: 'bob@example.com' }) };

/** 403 with this hold reason, naming the first hold. */
const onHold = (reason: 'hold_pending' | 'hold_denied' | 'hold_expired' | 'hold_mismatch' | 'hold_used') =>
  forbidden('aap_approval_required', reason, { hold_id: firstHold });

export const holdCases: readonly ConformanceCase[] = [
  {
    name: 'holds: a held request gets a hold id',
    token: HELD,
    expect: forbidden('aap_approval_required', 'approval_required', { hold_id: HOLD_ID }, { 'aap-hold-id': HOLD_ID }),
  },
  {
    name: 'holds: every held request gets its own hold',
    token: HELD,
    before: [held],
    expect: forbidden('aap_approval_required', 'approval_required', {
      hold_id: (kit: FlowKit) => new RegExp(`^(?!${firstHold(kit)}$)[A-Za-z0-9_-]{32}$`),
    }),
  },
  { name: 'holds: retry while pending', token: HELD, before: [held], request: retry(), expect: onHold('hold_pending') },
  { name: 'holds: approved retry is allowed', token: HELD, before: [held, approve], request: retry(), expect: OK },
  {
    name: 'holds: an approved hold is used once',
    token: HELD,
    before: [held, approve, { request: retry(), status: 200 }],
    request: retry(),
    expect: onHold('hold_used'),
  },
  {
    name: 'holds: approved hold retried on another path',
    token: HELD,
    before: [held, approve],
    request: retry({ path: '/r/task-001' }),
    expect: onHold('hold_mismatch'),
  },
  {
    name: 'holds: approved hold retried with another method',
    token: HELD,
    before: [held, approve],
    request: retry({ method: 'POST' }),
    expect: onHold('hold_mismatch'),
  },
  {
    name: 'holds: a mismatched retry consumes nothing',
    token: HELD,
    before: [held, approve, { request: retry({ path: '/r/task-001' }), status: 403 }],
    request: retry(),
    expect: OK,
  },
  {
    name: 'holds: denied by a human',
    token: HELD,
    before: [held, refuse],
    request: retry(),
    expect: onHold('hold_denied'),
  },
  {
    name: 'holds: approved but expired',
    options: { oversight: { holdTtl: 60 } },
    token: HELD,
    before: [held, approve, { advance: 60 }],
    request: retry(),
    expect: onHold('hold_expired'),
  },
  {
    name: 'holds: unknown hold id',
    token: HELD,
    request: { headers: { 'aap-hold-id': 'A'.repeat(32) } },
    expect: forbidden('aap_approval_required', 'hold_mismatch'),
  },
  {
    name: 'holds: malformed hold id',
    token: HELD,
    request: { headers: { 'aap-hold-id': 'not a hold id' } },
    expect: forbidden('aap_approval_required', 'hold_mismatch'),
  },
  {
    name: "holds: one agent's pending holds are capped",
    options: { oversight: { maxPendingPerAgent: 2 } },
    token: HELD,
    before: [held, held],
    expect: {
      status: 429,
      error: 'aap_constraint_violation',
      reason: 'hold_quota_exceeded',
      headers: { 'retry-after': /^\d+$/ },
    },
  },
  {
    name: "holds: one agent's hold creations per minute are capped",
    options: { oversight: { maxHoldsPerMinute: 2 } },
    token: HELD,
    before: [held, held, { operate: (guard, kit) => guard.holds.deny(firstHold(kit), { by: 'bob' }) }],
    expect: { status: 429, reason: 'hold_quota_exceeded', headers: { 'retry-after': '60' } },
  },
  {
    name: 'holds: a held request pays its quota, its approved retry does not pay again',
    token: { ...HELD, capabilities: [{ action: 'search.web', constraints: { max_requests_per_day: 1 } }] },
    before: [held, approve],
    request: retry(),
    expect: OK,
  },
  {
    name: 'holds: the held request spent the quota; a new request is refused',
    token: { ...HELD, capabilities: [{ action: 'search.web', constraints: { max_requests_per_day: 1 } }] },
    before: [held],
    expect: { status: 429, reason: 'rate_limited' },
  },
];

// ---- revocation -----------------------------------------------------------------------------------

const revoked = unauthorized('token_revoked');
/** `guard.revoke()` of the key the flow names, until `until` (ms; default the guard's). */
const revoke = (key: (kit: FlowKit) => RevocationKey, until?: number): Step => ({
  operate: (guard, kit) => guard.revoke(key(kit), { by: 'ops@example.com', until }),
});
const jtiOf = ({ token }: FlowKit): string => String(decodeJwt(token).jti);
const PARENT = 'jti-of-the-orchestrator-token';
/** The issuer of the harness's tokens (`@aap-guard/testing`'s default), and another one a case may trust too. */
const TRUSTED = 'https://as.example.com';
const OTHER_ISSUER = 'https://other-as.example.com';
/**
 * The other issuer with keys of its own: another authorization server. (Trusted through the harness's one
 * `jwks` object, its name would be a second name of the same server, whose revocations hold under both.)
 */
const OTHER_KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
const OTHER_AS = { issuer: OTHER_ISSUER, jwks: { keys: [OTHER_KEY] } };
const delegatedFrom = (parent: string) =>
  withSections({ delegation: { depth: 1, max_depth: 2, chain: [AGENT, 'tool-scraper'], parent_jti: parent } });

export const revocationCases: readonly ConformanceCase[] = [
  {
    name: 'revocation: token revoked by jti',
    before: [{ status: 200 }, revoke((kit) => ({ jti: jtiOf(kit) }))],
    expect: revoked,
  },
  {
    name: 'revocation: every token of a revoked task',
    before: [revoke(() => ({ taskId: 'task-001' }))],
    expect: revoked,
  },
  { name: 'revocation: every token of a revoked agent', before: [revoke(() => ({ agentId: AGENT }))], expect: revoked },
  {
    name: 'revocation: every token of a revoked grant',
    token: { claims: { grant_id: 'grant-7' } },
    before: [revoke(() => ({ grantId: 'grant-7' }))],
    expect: revoked,
  },
  {
    name: 'revocation: a token delegated from a revoked token',
    token: delegatedFrom(PARENT),
    before: [revoke(() => ({ jti: PARENT }))],
    expect: revoked,
  },
  {
    name: 'revocation: descendants of a parent token',
    token: delegatedFrom(PARENT),
    before: [revoke(() => ({ parentJti: PARENT }))],
    expect: revoked,
  },
  {
    name: 'revocation: every token of a revoked user (sub)',
    token: { claims: { sub: 'user-42' } },
    before: [revoke(() => ({ sub: 'user-42' }))],
    expect: revoked,
  },
  {
    name: 'revocation: every token of a revoked agent operator',
    token: { operator: 'org:revoked' },
    before: [revoke(() => ({ operator: 'org:revoked' }))],
    expect: revoked,
  },
  { name: 'revocation: another task is not affected', before: [revoke(() => ({ taskId: 'task-002' }))], expect: OK },
  {
    name: "revocation: another issuer's task of the same id is not affected",
    options: { issuer: [TRUSTED, OTHER_AS] },
    before: [revoke(() => ({ taskId: 'task-001', issuer: OTHER_ISSUER }))],
    expect: OK,
  },
  {
    name: 'revocation: a task revoked under another name of the same authorization server (one jwks object)',
    options: { issuer: [TRUSTED, OTHER_ISSUER] },
    before: [revoke(() => ({ taskId: 'task-001', issuer: OTHER_ISSUER }))],
    expect: revoked,
  },
  {
    name: 'revocation: a task revoked for its issuer by name',
    options: { issuer: [TRUSTED, OTHER_AS] },
    before: [revoke(() => ({ taskId: 'task-001', issuer: TRUSTED }))],
    expect: revoked,
  },
  {
    name: 'revocation: parentJti spares the parent itself',
    before: [revoke((kit) => ({ parentJti: jtiOf(kit) }))],
    expect: OK,
  },
  {
    name: 'revocation: ends at its until',
    before: [revoke(() => ({ taskId: 'task-001' }), at(60) * 1000), { advance: 60 }],
    expect: OK,
  },
  {
    name: 'revocation: in force until its until',
    before: [revoke(() => ({ taskId: 'task-001' }), at(60) * 1000), { advance: 59 }],
    expect: revoked,
  },
];
