/**
 * `ip_ranges_allowed` read as the destination (draft §5.6.2 "validates destination IP of request", issue 24
 * item 11): the declared target's address — an IP literal, or what the application's
 * `constraints.resolveTarget` answers (injected here) — must be in range; every answered address, since the
 * application's connector may pick any. The checked address reaches the application on the principal
 * (the drivers answer it as `destination`), so it connects to what was checked. The client of every
 * request is the loopback peer, so a range of 127.0.0.0/8 tells the two readings apart.
 *
 * Report-only rollout (item 12): `reportOnly` lets a request a rollout policy would refuse go on, with
 * "would deny" and the reason on its audit event; later checks still deny.
 */
import type { GuardOptions } from '@aap-guard/core';
import { OK, constrained, violation, type ConformanceCase, type TokenSpec } from './model.js';

const ranges = (list: readonly string[], extra: Record<string, unknown> = {}): TokenSpec =>
  constrained({ ip_ranges_allowed: list, ...extra });
const TEST_NET = ['203.0.113.0/24'];

/** A resolver the application would supply: a fixed table, standing in for DNS. */
const table =
  (answers: Readonly<Record<string, readonly string[]>>) =>
  async (host: string): Promise<readonly string[]> => {
    const found = answers[host];
    if (!found) throw new Error(`ENOTFOUND ${host}`);
    return found;
  };
const resolving = (answers: Readonly<Record<string, readonly string[]>>): Partial<GuardOptions> => ({
  constraints: { resolveTarget: table(answers) },
});

export const destinationCases: readonly ConformanceCase[] = [
  {
    name: 'destination: by default the target is checked, not the caller (a caller in range does not pass)',
    token: ranges(['127.0.0.0/8']),
    request: { target: 'https://203.0.113.9/' },
    expect: violation('destination_not_allowed'),
  },
  {
    name: 'destination: an IPv4-literal target in range, handed to the app',
    token: ranges(TEST_NET),
    request: { target: 'https://203.0.113.9/path' },
    expect: { status: 200, body: { destination: '203.0.113.9' } },
  },
  {
    name: 'destination: an IPv6-literal target in range',
    token: ranges(['2001:db8::/32']),
    request: { target: 'http://[2001:db8::7]:8080/' },
    expect: { status: 200, body: { destination: '2001:db8::7' } },
  },
  {
    name: 'destination: a bare IP target in range',
    token: ranges(TEST_NET),
    request: { target: '203.0.113.9' },
    expect: OK,
  },
  {
    name: 'destination: an IP-literal target out of range',
    token: ranges(TEST_NET),
    request: { target: 'https://198.51.100.1/' },
    expect: violation('destination_not_allowed'),
  },
  {
    name: 'destination: no target on a constrained route fails closed',
    token: ranges(TEST_NET),
    expect: violation('destination_unresolved'),
  },
  {
    name: 'destination: a host name without a resolver fails closed',
    token: ranges(TEST_NET),
    request: { target: 'https://api.example.org/' },
    expect: violation('destination_unresolved'),
  },
  {
    name: 'destination: a host name the resolver puts in range, its address handed to the app',
    options: resolving({ 'api.example.org': ['203.0.113.20', '203.0.113.21'] }),
    token: ranges(TEST_NET),
    request: { target: 'https://api.example.org/v1' },
    expect: { status: 200, body: { destination: '203.0.113.20' } },
  },
  {
    name: 'destination: every resolved address must be in range (the connector may pick any)',
    options: resolving({ 'api.example.org': ['203.0.113.20', '10.0.0.1'] }),
    token: ranges(TEST_NET),
    request: { target: 'https://api.example.org/v1' },
    expect: violation('destination_not_allowed'),
  },
  {
    name: 'destination: a host the resolver cannot resolve fails closed',
    options: resolving({}),
    token: ranges(TEST_NET),
    request: { target: 'https://nowhere.example/' },
    expect: violation('destination_unresolved'),
  },
  {
    name: 'destination: a resolver answer that is not an address fails closed',
    options: resolving({ 'api.example.org': ['api.internal'] }),
    token: ranges(TEST_NET),
    request: { target: 'https://api.example.org/' },
    expect: violation('destination_unresolved'),
  },
  {
    name: 'destination: the caller reading stays available (constraints.ipRanges: caller)',
    options: { constraints: { ipRanges: 'caller' } },
    token: ranges(['127.0.0.0/8']),
    request: { target: 'https://203.0.113.9/' },
    expect: { status: 200, body: { destination: null } },
  },
  {
    name: 'destination: a second capability without the constraint still authorizes',
    token: {
      capabilities: [{ action: 'search.web', constraints: { ip_ranges_allowed: TEST_NET } }, { action: 'search.web' }],
    },
    request: { target: 'https://198.51.100.1/' },
    expect: { status: 200, body: { destination: null } },
  },
  {
    name: 'destination: a malformed range is still unusable',
    token: ranges(['not-a-cidr']),
    request: { target: 'https://203.0.113.9/' },
    expect: violation(),
  },
];

const REPORT_DESTINATION: Partial<GuardOptions> = { reportOnly: ['destination-ip'] };

export const reportOnlyCases: readonly ConformanceCase[] = [
  {
    name: 'report-only: a destination out of range goes on, audited as would-deny',
    options: REPORT_DESTINATION,
    token: ranges(['127.0.0.0/8']),
    request: { target: 'https://203.0.113.9/' },
    expect: { status: 200, wouldDeny: ['destination_not_allowed'] },
  },
  {
    name: 'report-only: reportOnly: true covers every rollout policy',
    options: { reportOnly: true },
    token: ranges(['127.0.0.0/8']),
    expect: { status: 200, wouldDeny: ['destination_unresolved'] },
  },
  {
    name: 'report-only: while the destination is reported, the caller is still checked as before',
    options: REPORT_DESTINATION,
    token: ranges(TEST_NET),
    request: { target: 'https://198.51.100.1/' },
    expect: { ...violation('constraint_violation'), wouldDeny: ['destination_not_allowed'] },
  },
  {
    name: 'report-only: a later check still denies',
    options: REPORT_DESTINATION,
    route: { action: 'search.web', classification: 'confidential' },
    token: ranges(['127.0.0.0/8'], { data_classification_max: 'internal' }),
    request: { target: 'https://203.0.113.9/' },
    expect: { ...violation('constraint_violation'), wouldDeny: ['destination_not_allowed'] },
  },
  {
    name: 'report-only: a later rate limit still denies',
    options: REPORT_DESTINATION,
    token: ranges(['127.0.0.0/8'], { max_requests_per_minute: 1 }),
    request: { target: 'https://203.0.113.9/' },
    before: [{ request: { target: 'https://203.0.113.9/' }, status: 200 }],
    expect: {
      status: 429,
      error: 'aap_constraint_violation',
      reason: 'rate_limited',
      wouldDeny: ['destination_not_allowed'],
    },
  },
  {
    name: 'report-only: another policy reported leaves this one enforced',
    options: { reportOnly: ['pop', 'context'] },
    token: ranges(['127.0.0.0/8']),
    request: { target: 'https://203.0.113.9/' },
    expect: { ...violation('destination_not_allowed'), wouldDeny: [] },
  },
  {
    name: 'report-only: a capability that did not authorize leaves no would-deny',
    options: REPORT_DESTINATION,
    token: {
      capabilities: [
        { action: 'search.web', constraints: { ip_ranges_allowed: TEST_NET, allowed_methods: ['POST'] } },
        { action: 'search.web' },
      ],
    },
    request: { target: 'https://198.51.100.1/' },
    expect: { status: 200, wouldDeny: [] },
  },
  {
    name: 'report-only: an enforced allow records nothing',
    options: REPORT_DESTINATION,
    token: ranges(['127.0.0.0/8', ...TEST_NET]),
    request: { target: 'https://203.0.113.9/' },
    expect: { status: 200, wouldDeny: [] },
  },
  {
    name: 'report-only: a token failure is never report-only',
    options: { reportOnly: true },
    token: { forge: 'tampered' },
    expect: { status: 401, error: 'invalid_token', reason: 'token_signature_invalid', wouldDeny: [] },
  },
];
