/**
 * Test kit shared by the adapter suite (test/adapters) and the per-framework tests
 * (packages/{express,fastify,koa}/test): a guard with a collecting audit, a raw HTTP client, a
 * listening Node server, and the oversight-hold-binds-the-body scenario.
 */
import { request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bodyDigest, createGuard, type AuditEvent, type Guard, type GuardOptions } from '@aap-guard/core';
import { createDpopKey, createIssuer, type DpopKey, type TestIssuer } from '@aap-guard/testing';
import { beforeAll, expect } from 'vitest';

/** A test issuer and a guard that trusts it (local JWKS), with a collecting audit sink. */
export async function setup(
  options: Partial<GuardOptions> = {},
): Promise<{ as: TestIssuer; guard: Guard; events: AuditEvent[] }> {
  const as = await createIssuer();
  const events: AuditEvent[] = [];
  const guard = createGuard({
    issuer: as.issuer,
    audience: as.audience,
    jwks: as.jwks,
    audit: (event) => events.push(event),
    ...options,
  });
  return { as, guard, events };
}

export const bearer = (token: string): string => `Bearer ${token}`;

/** What `send` saw; `error` is set when the response was cut off (or the request failed). */
export interface Sent {
  readonly status?: number | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** The body parsed as JSON, when it is JSON. */
  readonly json?: Record<string, unknown> | undefined;
  readonly error?: string | undefined;
}

/** A raw HTTP request to `base` (chunked when `chunks` are given without content-length); never rejects. */
export function send(
  base: string,
  options: { method?: string; path: string; headers?: Record<string, string>; chunks?: readonly Buffer[] },
): Promise<Sent> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let head: { status?: number | undefined; headers: IncomingHttpHeaders } = { headers: {} };
    let settled = false;
    const done = (error?: string) => {
      if (settled) return;
      settled = true;
      const body = Buffer.concat(parts);
      resolve({ ...head, body, json: parseJson(body), ...(error ? { error } : {}) });
    };
    const req = httpRequest(
      { host: hostname, port, method: options.method ?? 'GET', path: options.path, headers: options.headers },
      (res) => {
        head = { status: res.statusCode, headers: res.headers };
        res.on('data', (chunk: Buffer) => parts.push(chunk));
        res.on('end', () => done());
        res.on('error', (e) => done(e.message));
        res.on('aborted', () => done('aborted'));
      },
    );
    req.on('error', (e) => done(e.message));
    for (const chunk of options.chunks ?? []) req.write(chunk);
    req.end();
  });
}

function parseJson(body: Buffer): Record<string, unknown> | undefined {
  try {
    return JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Read a request body to its end; resolves with its size in bytes. */
export async function countBody(stream: AsyncIterable<unknown>): Promise<number> {
  let size = 0;
  for await (const chunk of stream) size += (chunk as Buffer).length;
  return size;
}

/** A Node server listening on 127.0.0.1, and how to stop it and its guard. */
export interface Listening {
  readonly url: string;
  close(): Promise<void>;
}

/** Listen on a free loopback port; closing drops open connections, stops the server, then closes `guard`. */
export async function listen(server: Server, guard: Guard): Promise<Listening> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await guard.close();
    },
  };
}

/** A token whose `cms.publish` is held for a human's approval. */
export const heldPublishToken = async (as: TestIssuer): Promise<string> =>
  bearer(
    await as.mint({
      capabilities: [{ action: 'cms.publish' }],
      sections: { oversight: { requires_human_approval_for: ['cms.publish'] } },
    }),
  );

/**
 * The hold created for a body binds that body: `post(title, holdId?)` sends `{ title }` as JSON to a
 * `cms.publish` route behind a body parser that left the digest under `BODY_DIGEST`, whose handler
 * answers `{ published: title }`. Only the approved retry with the same body is let through.
 */
export async function expectHoldBoundToBody(
  guard: Guard,
  post: (title: string, hold?: string) => PromiseLike<{ body: Record<string, unknown> }>,
): Promise<void> {
  const id = (await post('a')).body.hold_id as string;
  expect((await guard.holds.get(id))?.bodyDigest).toBe(bodyDigest(JSON.stringify({ title: 'a' })));
  await guard.holds.approve(id, { by: 'alice' });
  expect((await post('b', id)).body).toMatchObject({ reason: 'hold_mismatch' });
  expect((await post('a', id)).body).toEqual({ published: 'a' });
}

/**
 * An issuer and a DPoP key made once for a test file, and guard options over that issuer whose audit
 * events land in the given array.
 *
 * @example
 * const fixture = useAuditedIssuer();
 * const guard = createGuard(fixture.options(events));
 * const token = await fixture.as.mint({ jkt: fixture.key.jkt });
 */
export function useAuditedIssuer(): {
  readonly as: TestIssuer;
  readonly key: DpopKey;
  options(events: AuditEvent[]): GuardOptions;
} {
  let as: TestIssuer | undefined;
  let key: DpopKey | undefined;
  beforeAll(async () => {
    as = await createIssuer();
    key = await createDpopKey();
  });
  return {
    get as() {
      return as!;
    },
    get key() {
      return key!;
    },
    options: (events) => ({
      issuer: as!.issuer,
      audience: as!.audience,
      jwks: as!.jwks,
      audit: (event) => events.push(event),
      logger: false,
    }),
  };
}
