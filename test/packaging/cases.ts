/**
 * What every consumer app is asked, and what it must answer. Every fixture app (fixtures/*) serves
 * the same two routes with the guard options below plus its issuer:
 * - `GET /v1/search`: declared `search.web`; answers `{ agent }`, the principal's agent id (`null` without one).
 * - `GET /v1/undeclared`: no declaration.
 * The servers are asked over HTTP by packing.test.ts; the Jest fixture reads the same table
 * (written to its cases.json) and asks its app through supertest. A new case is one line here; a new
 * guard option for every app is one line in CONSUMER_OPTIONS.
 */

/**
 * Guard options every consumer app passes to its adapter (as JSON), next to its issuer, audience and JWKS:
 * an API that also serves clients that are not agents (coexistence). Undeclared routes are left to the
 * default (refused).
 */
export const CONSUMER_OPTIONS = {
  authRequired: false,
} as const;

/** The agent id of every minted token; an allowed request answers `{ agent: AGENT }` by default. */
export const AGENT = 'agent-consumer-01';

/** One request and the outcome every consumer app must give. */
export interface ConsumerCase {
  readonly name: string;
  readonly method?: 'GET' | 'POST';
  readonly path: string;
  /** The action a freshly minted Bearer token grants; absent: no token is sent. */
  readonly grant?: string;
  /** Further request headers (e.g. a non-agent client's own credentials). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly status: number;
  /** The deny body's `reason`; absent on an allowed request. */
  readonly reason?: string;
  /** The whole body of an allowed request (default `{ agent: AGENT }`). */
  readonly body?: Readonly<Record<string, unknown>>;
}

export const CASES: readonly ConsumerCase[] = [
  { name: 'allowed: a token granting the route action', path: '/v1/search', grant: 'search.web', status: 200 },
  {
    name: 'coexisting: a client that is not an agent (an API key) goes on to the app, without a principal',
    path: '/v1/search',
    headers: { 'x-api-key': 'key-1' },
    status: 200,
    body: { agent: null },
  },
  {
    name: 'coexisting: another scheme (Basic) goes on to the app too',
    path: '/v1/search',
    headers: { authorization: 'Basic dXNlcjpwYXNz' },
    status: 200,
    body: { agent: null },
  },
  {
    name: 'denied: a failing agent token is refused, never passed through',
    path: '/v1/search',
    headers: { authorization: 'Bearer not.a.jwt' },
    status: 401,
    reason: 'token_malformed',
  },
  {
    name: 'denied: the token lacks the capability',
    path: '/v1/search',
    grant: 'cms.publish',
    status: 403,
    reason: 'capability_missing',
  },
  {
    name: 'refused: an undeclared route',
    path: '/v1/undeclared',
    grant: 'search.web',
    status: 403,
    reason: 'route_undeclared',
  },
];
