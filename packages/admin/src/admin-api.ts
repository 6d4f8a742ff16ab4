import {
  InfrastructureError,
  type Guard,
  type HoldFilter,
  type HoldStatus,
  type HoldUpdate,
  type RevocationKey,
} from '@aap-guard/core';

/** Options of the admin routers of every adapter. */
export interface AdminOptions<Req> {
  /** Whether this request may use the admin API (your authentication). Required: without it, nothing mounts. */
  readonly authorize: (req: Req) => boolean | Promise<boolean>;
  /** Who is acting, recorded on holds and in audit events (default `'admin'`). */
  readonly actor?: ((req: Req) => string | undefined | Promise<string | undefined>) | undefined;
}

/** A framework-free admin request: method, path below the mount point, query and parsed JSON body. */
export interface AdminRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, unknown>>;
  readonly body: unknown;
}

/** The JSON response to send. */
export interface AdminResponse {
  readonly status: number;
  readonly body: unknown;
}

/**
 * The admin API shared by the Express, Fastify and Koa admin routers: holds list/get/approve/deny and
 * revocations list/revoke. Every request first goes through `authorize(req)` (false or a throw → 403).
 * Routes: `GET /holds[?status=&issuer=&agentId=&taskId=&limit=]`, `GET /holds/:id`, `POST /holds/:id/approve`,
 * `POST /holds/:id/deny` (body `{ note? }`), `GET /revocations`, `POST /revocations` (body `{ jti | taskId |
 * grantId | agentId | parentJti | sub | operator, issuer?, until?, reason? }`, `until` an ISO date or ms,
 * `issuer` a trusted issuer or an array of them — default every trusted issuer), `GET /keys` (the distrusted
 * signing keys), `POST /keys/distrust` (body `{ issuer, kid, reason? }`: every replica refuses the key's tokens
 * at once, until lifted) and `POST /keys/trust` (body `{ issuer, kid }`; 404 when the key was not distrusted).
 * Throws `TypeError` ("refuses to mount") at creation when `authorize` is missing.
 *
 * @example
 * import type { IncomingMessage } from 'node:http';
 * const admin = adminApi(guard, { authorize: (req: IncomingMessage) => req.headers['x-admin-key'] === key },
 * 'aapAdmin');
 * const { status, body } = await admin(req, { method: 'GET', path: '/holds', query: {}, body: undefined });
 */
export function adminApi<Req>(
  guard: Guard,
  options: AdminOptions<Req>,
  name = 'adminApi',
): (req: Req, input: AdminRequest) => Promise<AdminResponse> {
  if (typeof options?.authorize !== 'function') {
    throw new TypeError(`${name}: options.authorize(req) is required; refuses to mount an unprotected admin API`);
  }
  if (!guard || typeof guard.revoke !== 'function' || !guard.holds)
    throw new TypeError(`${name}: options.guard must be an aap-guard Guard`);
  if (options.actor !== undefined && typeof options.actor !== 'function')
    throw new TypeError(`${name}: options.actor must be a function`);
  return async (req, input) => {
    try {
      if ((await options.authorize(req)) !== true) return fail(403, 'forbidden');
      const actor = (await options.actor?.(req)) ?? 'admin';
      return await route(guard, input, actor);
    } catch (error) {
      if (error instanceof TypeError) return fail(400, 'invalid_request', error.message);
      if (error instanceof InfrastructureError) return fail(503, 'temporarily_unavailable');
      return fail(503, 'temporarily_unavailable');
    }
  };
}

async function route(guard: Guard, input: AdminRequest, actor: string): Promise<AdminResponse> {
  const parts = input.path.split('/').filter(Boolean);
  const method = input.method.toUpperCase();
  if (parts[0] === 'holds') {
    if (parts.length === 1 && method === 'GET')
      return { status: 200, body: { holds: await guard.holds.list(holdFilter(input.query)) } };
    const id = parts[1] as string;
    if (parts.length === 2 && method === 'GET') {
      const hold = await guard.holds.get(id);
      return hold ? { status: 200, body: { hold } } : fail(404, 'not_found');
    }
    if (parts.length === 3 && method === 'POST' && (parts[2] === 'approve' || parts[2] === 'deny')) {
      const note = field(input.body, 'note');
      const decision = { by: actor, note: typeof note === 'string' ? note : undefined };
      const result =
        parts[2] === 'approve' ? await guard.holds.approve(id, decision) : await guard.holds.deny(id, decision);
      return updated(result);
    }
  }
  if (parts[0] === 'keys' && guard.keys) {
    if (parts.length === 1 && method === 'GET') return { status: 200, body: { keys: await guard.keys.list() } };
    if (parts.length === 2 && method === 'POST' && parts[1] === 'distrust') {
      const reason = field(input.body, 'reason');
      const key = await guard.keys.distrust(keyRef(input.body), {
        by: actor,
        reason: typeof reason === 'string' ? reason : undefined,
      });
      return { status: 201, body: { key } };
    }
    if (parts.length === 2 && method === 'POST' && parts[1] === 'trust') {
      return (await guard.keys.trust(keyRef(input.body), { by: actor }))
        ? { status: 200, body: { trusted: true } }
        : fail(404, 'not_found');
    }
  }
  if (parts[0] === 'revocations' && parts.length === 1) {
    if (method === 'GET') return { status: 200, body: { revocations: await guard.revocations.list() } };
    if (method === 'POST') return revokeFrom(guard, input.body, actor);
  }
  return fail(404, 'not_found');
}

async function revokeFrom(guard: Guard, body: unknown, actor: string): Promise<AdminResponse> {
  const key: RevocationKey = {
    jti: text(field(body, 'jti')),
    taskId: text(field(body, 'taskId')),
    grantId: text(field(body, 'grantId')),
    agentId: text(field(body, 'agentId')),
    parentJti: text(field(body, 'parentJti')),
    sub: text(field(body, 'sub')),
    operator: text(field(body, 'operator')),
    issuer: issuers(field(body, 'issuer')),
  };
  const rawUntil = field(body, 'until');
  const until = typeof rawUntil === 'string' ? Date.parse(rawUntil) : rawUntil;
  if (until !== undefined && (typeof until !== 'number' || Number.isNaN(until)))
    return fail(400, 'invalid_request', 'until must be an ISO date or ms');
  const reason = field(body, 'reason');
  const entries = await guard.revoke(key, {
    until,
    by: actor,
    reason: typeof reason === 'string' ? reason : undefined,
  });
  return { status: 201, body: { revocations: entries } };
}

/** `{ issuer, kid }` of a key route's body (the guard checks the issuer is trusted). */
function keyRef(body: unknown): { issuer: string; kid: string } {
  const issuer = text(field(body, 'issuer'));
  const kid = text(field(body, 'kid'));
  if (issuer === undefined || kid === undefined) throw new TypeError('issuer and kid are required');
  return { issuer, kid };
}

function updated(result: HoldUpdate): AdminResponse {
  if (result.ok) return { status: 200, body: { hold: result.hold } };
  if (result.problem === 'unknown') return fail(404, 'not_found');
  return { status: 409, body: { error: 'conflict', problem: result.problem, hold: result.hold } };
}

/** `?status=&issuer=&agentId=&taskId=&limit=`: agent ids are unique per issuer only; `issuer` tells two apart. */
function holdFilter(query: Readonly<Record<string, unknown>>): HoldFilter {
  const limit = text(query.limit);
  return {
    status: text(query.status) as HoldStatus | undefined,
    issuer: text(query.issuer),
    agentId: text(query.agentId),
    taskId: text(query.taskId),
    limit: limit === undefined ? undefined : Number(limit),
  };
}

function field(body: unknown, name: string): unknown {
  return body !== null && typeof body === 'object' && Object.hasOwn(body, name)
    ? (body as Record<string, unknown>)[name]
    : undefined;
}

/** `issuer` of a revocation: one string or an array of strings. */
function issuers(value: unknown): string | string[] | undefined {
  return Array.isArray(value) ? value.map((item) => text(item) as string) : text(value);
}

function text(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new TypeError('expected a string');
  return value;
}

function fail(status: number, error: string, description?: string): AdminResponse {
  return { status, body: description === undefined ? { error } : { error, error_description: description } };
}
