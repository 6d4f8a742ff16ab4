import type { IncomingMessage } from 'node:http';
import { TLSSocket } from 'node:tls';
import type { RequestInfo } from '../../base/types/request.js';
import { requestBody } from './body.js';

/**
 * Build the core's `RequestInfo` from a Node request — the part every adapter shares.
 *
 * - `url`: absolute, the ORIGINAL request target (`url`, else Express's `req.originalUrl`, else `req.url`
 *   — a router mounted under a path strips `req.url`, never the URL the client addressed), with the host
 *   of an absolute-form target or the `Host` header (RFC 9112 §3.2.2, §7.2) and the scheme of the
 *   CONNECTION: `https` only on a TLS socket, whatever the target claims. Forwarded headers are not read
 *   here: proxies are resolved by the core (`trustProxy`).
 * - `secure`: the connection is TLS.
 * - `headers`: `headersDistinct`, so a duplicated `Authorization` or `DPoP` header stays visible — or, when
 *   no header line is repeated (nearly always), `req.headers` itself, which then says the same.
 * - `clientIp`: the TCP peer; `clientCertificate`: DER of the TLS peer certificate (RFC 8705),
 *   whether or not the CA chain was authorized (the core compares its thumbprint with `cnf`).
 * - `body`: read only if a decision needs it (see `tapBody`).
 *
 * @example
 * const info = nodeRequestInfo(req, { url: req.originalUrl });
 * const decision = await guard.check(info, route);
 */
export function nodeRequestInfo(req: IncomingMessage, extra?: Partial<RequestInfo>): RequestInfo {
  const socket = req.socket;
  const secure = socket instanceof TLSSocket;
  const url = absoluteUrl(req, secure ? 'https' : 'http', extra?.url);
  const info: { -readonly [K in keyof RequestInfo]: RequestInfo[K] } = {
    method: req.method ?? '',
    url,
    headers: distinctHeaders(req),
    secure,
    clientIp: socket?.remoteAddress,
    clientCertificate: peerCertificate(socket),
    body: requestBody(req),
  };
  if (!extra) return info;
  // no spread on hot paths: docs/ARCHITECTURE.md "Performance"
  Object.assign(info, extra);
  info.url = url; // `extra.url` chose the target; the absolute URL built from it is what the core sees
  return info;
}

/**
 * The request's headers with every repeated line visible. `headersDistinct` builds a new object of arrays
 * on each read (a getter: allocation and GC on every request); `req.headers` — computed once, and read by
 * every framework anyway — holds the same values whenever no header name was sent twice, which is what
 * counting its names against the raw lines tells. Node keeps every raw line but merges (or, for
 * `authorization`, `host` and a few others, drops) repeats in `req.headers`: then `headersDistinct`.
 * `fastify.inject()` (light-my-request) has no `headersDistinct`: its `headers` as they are.
 */
function distinctHeaders(req: IncomingMessage): RequestInfo['headers'] {
  const headers = req.headers;
  const raw = req.rawHeaders;
  if (raw === undefined || !('headersDistinct' in req)) return headers; // `in`: the getter is not run
  let names = 0;
  for (const _name in headers) names += 1;
  return names * 2 === raw.length ? headers : req.headersDistinct;
}

function absoluteUrl(req: IncomingMessage, scheme: 'http' | 'https', given: string | undefined): string {
  const target = given ?? (req as IncomingMessage & { originalUrl?: unknown }).originalUrl ?? req.url ?? '/';
  const path = typeof target === 'string' ? target : '/';
  const host = req.headers.host ?? (req.headers[':authority'] as string | undefined);
  const hosted = host ? hostOrigin(scheme, host) : undefined;
  // One parse in the common case; a Host-less or unusable Host, or an unparsable target, falls back.
  let url = hosted === undefined ? null : targetUrl(path, hosted);
  if (!url) {
    const origin = hosted !== undefined && URL.canParse(hosted) ? hosted : localOrigin(req, scheme);
    url = origin === hosted ? null : targetUrl(path, origin);
    if (!url) return new URL(origin).href; // an unparsable target: the origin itself; the core refuses it if it matters
  }
  // Absolute form (`GET https://api.example.com/x`): its authority names the host (RFC 9112 §3.2.2), but
  // never the transport — the scheme stays the connection's.
  if (url.protocol !== `${scheme}:`) return `${scheme}://${url.host}${url.pathname}${url.search}`;
  return url.href;
}

/**
 * The origin a Host header names (RFC 9112 §7.2), or `undefined` when it names none. A plain
 * `host[:port]` is used as it is (no parse in the common case); one holding a URL delimiter
 * (`/ ? # @ \`) goes through the WHATWG parser and only its origin is kept, so that nothing after the
 * authority can become part of the path, query or fragment of the request URL.
 */
function hostOrigin(scheme: string, host: string): string | undefined {
  const origin = `${scheme}://${host}`;
  if (!/[/?#@\\]/.test(host)) return origin; // checked by the one parse of the request URL
  const parsed = URL.parse(origin);
  return parsed && parsed.host !== '' ? parsed.origin : undefined;
}

/**
 * The URL a request-target names on `origin`. Origin form (RFC 9112 §3.2.1) is an absolute PATH — its
 * first segment may be empty — so it is appended to the origin, never resolved against it: resolved,
 * `//evil.example/x` (or `/\evil.example/x`, which WHATWG reads alike) would be a scheme-relative
 * reference naming another host. Any other form (absolute form, `*`) is parsed against the origin.
 */
function targetUrl(target: string, origin: string): URL | null {
  return target.startsWith('/') ? URL.parse(`${origin}${target}`) : URL.parse(target, origin);
}

function localOrigin(req: IncomingMessage, scheme: string): string {
  const address = req.socket?.localAddress ?? '127.0.0.1';
  const host = address.includes(':') ? `[${address}]` : address;
  return `${scheme}://${host}:${req.socket?.localPort ?? 0}`;
}

function peerCertificate(socket: unknown): Uint8Array | undefined {
  if (!(socket instanceof TLSSocket)) return undefined;
  const cert = socket.getPeerCertificate(false);
  return cert && cert.raw && cert.raw.length > 0 ? new Uint8Array(cert.raw) : undefined;
}
