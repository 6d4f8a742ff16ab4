import { jwtVerify, type JWTVerifyOptions } from 'jose';
import { FetchError } from '../../../base/http/fetch-document.js';
import type { KeyGetter } from '../key-source.js';
import type { ClientCredentials } from './client-auth.js';

/** RFC 9701 §4: the media type of a signed introspection response. */
const JWT_RESPONSE = 'application/token-introspection+jwt';
/** Largest answer read: an introspection response is a small JSON object. */
const MAX_BYTES = 256 * 1024;

/** What one introspection call needs. */
export interface IntrospectionCall {
  readonly endpoint: URL;
  readonly credentials: ClientCredentials;
  readonly timeoutMs: number;
  /** Set for RFC 9701: ask for, and accept only, a JWT answer verified with these keys and options. */
  readonly jwt?:
    { readonly key: KeyGetter; readonly verify: Readonly<JWTVerifyOptions>; readonly now: () => number } | undefined;
}

/** An RFC 7662 §2.2 answer: at least `active`; the other members as the AS sent them. */
export type IntrospectionAnswer = Readonly<Record<string, unknown>> & { readonly active: boolean };

/**
 * POST a token to an introspection endpoint (RFC 7662 §2.1: form-encoded `token`, `token_type_hint`,
 * and the client's authentication), without following redirects, within `timeoutMs`. The answer must be
 * HTTP 200 with a JSON object whose `active` is a boolean (RFC 7662 §2.2) — or, asked for RFC 9701, a JWT
 * typed `token-introspection+jwt`, signed by the issuer, whose `token_introspection` member is that object.
 * Anything else (unreachable, slow, another status, garbage) is a `FetchError` whose message names the cause;
 * the token itself never appears in it.
 */
export async function postIntrospection(token: string, call: IntrospectionCall): Promise<IntrospectionAnswer> {
  const label = `introspection endpoint ${call.endpoint.href}`;
  const body = new URLSearchParams({ token, token_type_hint: 'access_token', ...call.credentials.form });
  const headers = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: call.jwt ? JWT_RESPONSE : 'application/json',
    ...call.credentials.headers,
  };
  let response: Response;
  try {
    response = await fetch(call.endpoint, {
      method: 'POST',
      body,
      headers,
      redirect: 'manual',
      signal: AbortSignal.timeout(call.timeoutMs),
    });
  } catch (error) {
    if ((error as Error | null)?.name === 'TimeoutError')
      throw new FetchError(`${label} did not answer within ${call.timeoutMs} ms`, undefined, { cause: error });
    throw new FetchError(`${label} is unreachable`, undefined, { cause: innermost(error) });
  }
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    throw new FetchError(`${label} answered HTTP ${response.status}`, response.status);
  }
  const text = await readCapped(response, label, call.timeoutMs);
  const type = response.headers.get('content-type') ?? 'none';
  return call.jwt ? jwtAnswer(text, type, call.jwt, label) : jsonAnswer(text, type, label);
}

function jsonAnswer(text: string, type: string, label: string): IntrospectionAnswer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new FetchError(`${label} answered a body that is not JSON (content-type ${type})`);
  }
  return answerOf(parsed, label);
}

/** RFC 9701 §5: the answer is a JWT whose `token_introspection` claim holds the RFC 7662 object. */
async function jwtAnswer(
  text: string,
  type: string,
  jwt: NonNullable<IntrospectionCall['jwt']>,
  label: string,
): Promise<IntrospectionAnswer> {
  if (!type.toLowerCase().startsWith(JWT_RESPONSE))
    throw new FetchError(`${label} answered ${type}, not a signed ${JWT_RESPONSE} (RFC 9701)`);
  try {
    const { payload } = await jwtVerify(text.trim(), (header) => jwt.key(header, text), {
      ...jwt.verify,
      currentDate: new Date(jwt.now()),
    });
    return answerOf(payload.token_introspection, label);
  } catch (error) {
    if (error instanceof FetchError) throw error;
    throw new FetchError(`${label} answered a JWT that did not verify: ${(error as Error)?.message}`, undefined, {
      cause: error,
    });
  }
}

function answerOf(parsed: unknown, label: string): IntrospectionAnswer {
  if (
    parsed === null ||
    typeof parsed !== 'object' ||
    Array.isArray(parsed) ||
    typeof (parsed as { active?: unknown }).active !== 'boolean'
  ) {
    throw new FetchError(`${label} answered JSON without a boolean "active" (RFC 7662 §2.2)`);
  }
  return parsed as IntrospectionAnswer;
}

/** Read the body, at most `MAX_BYTES`: a misbehaving server cannot make the guard buffer without bound. */
async function readCapped(response: Response, label: string, timeoutMs: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_BYTES) {
    await response.body?.cancel().catch(() => undefined);
    throw new FetchError(`${label} answered ${declared} bytes (more than ${MAX_BYTES})`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body ?? []) {
      size += chunk.byteLength;
      if (size > MAX_BYTES) throw new FetchError(`${label} answered more than ${MAX_BYTES} bytes`);
      chunks.push(chunk);
    }
  } catch (error) {
    await response.body?.cancel().catch(() => undefined);
    if (error instanceof FetchError) throw error;
    if ((error as Error | null)?.name === 'TimeoutError')
      throw new FetchError(`${label} did not answer within ${timeoutMs} ms`, undefined, { cause: error });
    throw new FetchError(`${label} broke off its answer`, undefined, { cause: innermost(error) });
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** undici wraps the socket error in `TypeError: fetch failed`: keep the useful one. */
function innermost(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 5 && current instanceof Error && current.cause instanceof Error; depth += 1)
    current = current.cause;
  return current;
}
