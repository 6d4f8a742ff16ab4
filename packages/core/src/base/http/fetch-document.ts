import { jwksChannel, traced } from '../observe/channels.js';

/** A JSON document fetched from an authorization server, with its response headers. */
export interface FetchedDocument {
  readonly body: unknown;
  readonly headers: Headers;
}

/**
 * Why a fetch failed, in words an operator can act on ("… is unreachable", "… answered HTTP 500",
 * "… answered a body that is not JSON (content-type text/html)", "… did not answer within 5000 ms").
 * `status` is set when the server answered with something other than 200.
 */
export class FetchError extends Error {
  override readonly name = 'FetchError';
  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * GET a JSON document (a JWKS, RFC 8414 metadata) with a timeout, no redirects (a key set must come
 * from the configured URL itself), published on the `aap-guard:jwks` tracing channel. Every failure is
 * a `FetchError` naming `label` and the cause.
 */
export async function fetchDocument(url: URL, label: string, timeoutMs: number): Promise<FetchedDocument> {
  let response: Response;
  try {
    const init: RequestInit = {
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
      headers: { accept: 'application/json, application/jwk-set+json' },
    };
    response = await traced(jwksChannel, { uri: url.href }, () => fetch(url, init));
  } catch (error) {
    if ((error as Error | null)?.name === 'TimeoutError')
      throw new FetchError(`${label} did not answer within ${timeoutMs} ms`, undefined, { cause: error });
    throw new FetchError(`${label} is unreachable`, undefined, { cause: innermost(error) });
  }
  const type = response.headers.get('content-type') ?? 'none';
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new FetchError(`${label} answered HTTP ${response.status}`, response.status);
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw new FetchError(`${label} broke off its answer`, undefined, { cause: innermost(error) });
  }
  try {
    return { body: JSON.parse(text) as unknown, headers: response.headers };
  } catch {
    throw new FetchError(`${label} answered a body that is not JSON (content-type ${type})`);
  }
}

/** undici wraps the socket error (`connect ECONNREFUSED …`) in `TypeError: fetch failed`: keep the useful one. */
function innermost(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 5 && current instanceof Error && current.cause instanceof Error; depth += 1)
    current = current.cause;
  if (current instanceof AggregateError && current.errors[0] instanceof Error) return current.errors[0];
  return current;
}
