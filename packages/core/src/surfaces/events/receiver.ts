import type { Guard } from '../../guard/create-guard.js';
import { engineOf } from '../../engine/registry.js';
import type { GuardSetup } from '../../options/resolve.js';
import type { Store } from '../../base/stores/store.js';
import { Health } from '../../base/log/logger.js';
import { InfrastructureError } from '../../base/util/errors.js';
import { tokenHash } from '../../base/util/hash.js';
import { applyRevocations } from './apply.js';
import { EventPayloadError, revocationsOf } from './event-types.js';
import { pollSecurityEvents, type PollOptions, type SecurityEventPoller } from './poller.js';
import { acceptedUntil, verifySet, type SetError, type SetOutcome, type SetVerification } from './verify-set.js';

/** Options of `securityEventReceiver()`. */
export interface SecurityEventOptions<Req = unknown> {
  /** The `aud` a SET must name (default: the guard's audiences). */
  readonly audience?: string | readonly string[] | undefined;
  /**
   * Seconds a SET's `iat` may lie in the past (default 600); one dated beyond the guard's `clockTolerance`
   * in the future is refused. Replays are remembered until the SET could no longer be accepted.
   */
  readonly maxAge?: number | undefined;
  /**
   * Authenticate the transmitter's HTTP request (RFC 8935 §4.1), e.g. its bearer token: `true` admits,
   * `false` is 401 `authentication_failed`, `'forbidden'` 403 `access_denied`. Default: every request
   * (the SET's signature is checked anyway; nothing unverified is applied).
   */
  readonly authorize?: ((request: Req) => boolean | 'forbidden' | Promise<boolean | 'forbidden'>) | undefined;
  /** Largest SET accepted, in bytes (default 65536). */
  readonly maxBytes?: number | undefined;
}

/** A pushed SET as the adapter received it (RFC 8935 §2.1). */
export interface PushedSet {
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly body: string | Uint8Array | undefined;
}

/** The HTTP answer to write: 202 with no body, or an RFC 8935 §2.3 error. */
export interface EventResponse {
  readonly status: 202 | 400 | 401 | 403 | 413 | 503;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The receiver: `push` for RFC 8935 requests, `process` for one SET, `poll` for RFC 8936. */
export interface SecurityEventReceiver<Req = unknown> {
  /** Answer one RFC 8935 push request. Never throws. */
  push(request: Req, input: PushedSet): Promise<EventResponse>;
  /** Verify and apply one SET (compact JWS). Never throws. */
  process(set: string): Promise<SetOutcome>;
  /** Start polling an RFC 8936 endpoint; stop it with `poller.stop()`. */
  poll(options: PollOptions): SecurityEventPoller;
}

const MEDIA_TYPE = /^application\/secevent\+jwt\s*(;|$)/i;

/**
 * Receive Security Event Tokens (RFC 8417) that revoke tokens, by push (RFC 8935) or poll (RFC 8936).
 * A SET is applied only once verified (verify-set.ts), mapped to revocations (event-types.ts: the AAP
 * revocation event, CAEP `session-revoked`, RISC `credential-compromise`), de-duplicated by `iss` + `jti`
 * through the guard's store (the DPoP replay mechanism, shared by every replica), and applied with
 * `guard.revoke()` — persisted and fanned out to every replica. Throws `TypeError` naming the option.
 *
 * @example
 * import type { IncomingMessage } from 'node:http';
 * const events = securityEventReceiver(guard, { authorize: (req: IncomingMessage) => req.headers.authorization ===
 * `Bearer ${key}` });
 * const { status, headers, body } = await events.push(req, { headers: req.headers, body: rawBody });
 */
export function securityEventReceiver<Req = unknown>(
  guard: Guard,
  options: SecurityEventOptions<Req> = {},
): SecurityEventReceiver<Req> {
  const setup = engineOf(guard, 'securityEventReceiver(guard): guard must be an aap-guard Guard');
  const { runtime } = setup;
  const verification = verificationOf(setup, options);
  const maxBytes = positive(options.maxBytes, 65_536, 'maxBytes');
  if (options.authorize !== undefined && typeof options.authorize !== 'function')
    throw new TypeError('securityEventReceiver(options.authorize) must be a function');
  const health = new Health(runtime.logger, 'security-events');
  const process = (set: string) => processSet(guard, runtime.store, verification, set, health);
  return {
    process,
    async push(request, input) {
      try {
        const allowed = options.authorize ? await options.authorize(request) : true;
        if (allowed === 'forbidden')
          return answer(403, { err: 'access_denied', description: 'the transmitter may not deliver SETs here' });
        if (allowed !== true)
          return answer(
            401,
            { err: 'authentication_failed', description: 'the transmitter could not be authenticated' },
            { 'www-authenticate': 'Bearer' },
          );
      } catch {
        return answer(
          401,
          { err: 'authentication_failed', description: 'the transmitter could not be authenticated' },
          { 'www-authenticate': 'Bearer' },
        );
      }
      const body = bodyOf(input, maxBytes);
      if (typeof body !== 'string') return body;
      return responseOf(await process(body));
    },
    poll: (pollOptions) => pollSecurityEvents(process, pollOptions, setup),
  };
}

async function processSet(
  guard: Guard,
  store: Store,
  verification: SetVerification,
  set: string,
  health: Health,
): Promise<SetOutcome> {
  try {
    const verified = await verifySet(set, verification);
    if ('error' in verified) return { kind: 'refused', error: verified.error };
    const payload = verified.payload;
    const jti = payload.jti as string;
    const wanted = revocationsOf(payload);
    if (wanted.keys.length === 0) return { kind: 'ignored', jti };
    const now = verification.now();
    // The marker names the issuer (a jti is unique per issuer) and outlives the SET's acceptance window.
    const ttlMs = Math.max(1, acceptedUntil(payload.iat as number, verification) - now);
    const replay = { key: `set:${tokenHash(`${payload.iss} ${jti}`)}`, ttlMs };
    const claimed = await store.consume({ now, replay, windows: [] });
    const outcome = await applyRevocations(guard, wanted, { iss: payload.iss as string, jti, duplicate: !claimed.ok });
    health.up('security events are applied again');
    return outcome;
  } catch (error) {
    if (error instanceof EventPayloadError)
      return { kind: 'refused', error: { err: 'invalid_request', description: error.message } };
    if (error instanceof TypeError)
      return { kind: 'refused', error: { err: 'invalid_request', description: error.message } };
    health.down(
      error,
      'a security event could not be applied (store or keys unavailable): the transmitter is answered 503 and should retry',
    );
    return {
      kind: 'unavailable',
      message: error instanceof InfrastructureError ? error.message : String((error as Error)?.message ?? error),
    };
  }
}

function responseOf(outcome: SetOutcome): EventResponse {
  switch (outcome.kind) {
    case 'refused':
      return answer(400, outcome.error);
    case 'unavailable':
      return {
        status: 503,
        headers: { 'retry-after': '5', 'content-type': 'application/json' },
        body: JSON.stringify({ error: 'temporarily_unavailable' }),
      };
    default:
      return { status: 202, headers: {}, body: '' };
  }
}

/** RFC 8935 §2.1: `Content-Type: application/secevent+jwt`, a body of at most `maxBytes`. */
function bodyOf(input: PushedSet, maxBytes: number): string | EventResponse {
  const type = input.headers['content-type'];
  if (typeof type !== 'string' || !MEDIA_TYPE.test(type))
    return answer(400, {
      err: 'invalid_request',
      description: 'the request must be Content-Type: application/secevent+jwt',
    });
  const body = typeof input.body === 'string' ? input.body : input.body ? Buffer.from(input.body).toString('utf8') : '';
  if (Buffer.byteLength(body) > maxBytes)
    return answer(413, { err: 'invalid_request', description: 'the SET is too large' });
  return body.trim();
}

function answer(status: EventResponse['status'], error: SetError, headers: Record<string, string> = {}): EventResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(error) };
}

function verificationOf({ settings, runtime }: GuardSetup, options: SecurityEventOptions<never>): SetVerification {
  const given = options.audience;
  const audiences =
    given === undefined
      ? [...settings.token.audiences]
      : typeof given === 'string'
        ? [given]
        : Array.isArray(given)
          ? [...given]
          : [];
  if (audiences.length === 0 || audiences.some((value) => typeof value !== 'string' || value.length === 0)) {
    throw new TypeError('securityEventReceiver(options.audience) must be a non-empty string or array of strings');
  }
  const { algorithms, clockTolerance } = settings.token;
  const token = { keys: runtime.token.keys, algorithms, clockTolerance };
  return Object.freeze({ token, audiences, now: runtime.now, maxAge: positive(options.maxAge, 600, 'maxAge') });
}

function positive(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw new TypeError(`securityEventReceiver(options.${name}) must be a positive integer`);
  return value;
}
