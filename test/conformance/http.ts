/** The conformance table's HTTP client: `node:http`, so repeated headers and chunked bodies are exact. */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { CaseRequest, FlowKit } from './model.js';

/** Query parameter a driver reads the route's target from. */
export const TARGET_PARAM = 'target';

/** A response as the harness sees it. */
export interface Response {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  readonly json: Record<string, unknown> | undefined;
}

const substitute = (value: string, token: string): string => value.replaceAll('$TOKEN', token);

function buildUrl(base: string, request: CaseRequest, token: string): URL {
  const url = new URL(request.path ?? '/r', base);
  for (const [name, value] of Object.entries(request.query ?? {})) {
    for (const item of typeof value === 'string' ? [value] : value)
      url.searchParams.append(name, substitute(item, token));
  }
  const target = request.target;
  if (target !== undefined)
    for (const item of typeof target === 'string' ? [target] : target) url.searchParams.append(TARGET_PARAM, item);
  return url;
}

/** The body as sent: `$TOKEN` in a string body becomes the token. */
function buildBody(request: CaseRequest, token: string): Uint8Array | undefined {
  const { body } = request;
  return typeof body === 'string' ? Buffer.from(substitute(body, token)) : body;
}

async function buildHeaders(
  request: CaseRequest,
  kit: FlowKit,
  url: URL,
  method: string,
  body: Uint8Array | undefined,
): Promise<Record<string, string | string[]>> {
  const { token } = kit;
  const headers: Record<string, string | string[]> = {};
  const given: Readonly<Record<string, string | readonly string[] | null>> = {
    authorization: 'Bearer $TOKEN',
    ...request.headers,
  };
  for (const [name, value] of Object.entries(given)) {
    if (value === null) continue;
    headers[name] = typeof value === 'string' ? substitute(value, token) : value.map((item) => substitute(item, token));
  }
  Object.assign(headers, await request.headersFor?.({ ...kit, url: url.href, method }));
  if (body !== undefined) {
    headers['content-type'] = request.contentType ?? 'application/octet-stream';
    if (request.chunked) headers['transfer-encoding'] = 'chunked';
    else headers['content-length'] ??= String(body.byteLength); // a case may send its own (zero-padded…)
  }
  return headers;
}

/**
 * One request with `node:http` (no connection reuse); `$TOKEN` in header and query values becomes the
 * flow's token, and `headersFor` sees the flow. Resolves with the response; a hang fails after 10 s.
 *
 * @example
 * const response = await send('http://127.0.0.1:3000', { method: 'POST', body: 'x' }, { token, responses: [] });
 */
export async function send(base: string, request: CaseRequest, kit: FlowKit): Promise<Response> {
  const method = request.method ?? 'GET';
  const url = buildUrl(base, request, kit.token);
  const body = buildBody(request, kit.token);
  const headers = await buildHeaders(request, kit, url, method, body);
  return new Promise((resolve, reject) => {
    let answered = false;
    const path = request.absoluteForm === undefined ? undefined : `${request.absoluteForm}${url.pathname}${url.search}`;
    const req = httpRequest(url, { method, headers, agent: false, ...(path === undefined ? {} : { path }) }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: parseJson(text) });
      });
    });
    // The server may answer (413) and close before the whole body is written: only an error before any answer counts.
    req.on('error', (error) => answered || reject(error));
    req.setTimeout(10_000, () => req.destroy(new Error(`no response to ${method} ${url.pathname} within 10 s`)));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
