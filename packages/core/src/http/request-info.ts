import type { IncomingMessage } from 'node:http';
import { TLSSocket } from 'node:tls';
import type { RequestInfo } from '../types.js';

/**
 * Build the core's `RequestInfo` from a Node request — the part every adapter shares.
 *
 * - `url`: absolute, from the request target and `Host` (RFC 9112 §3.2; an absolute-form target
 *   wins, per RFC 9112 §3.2.2) with the scheme of the socket (`https` when TLS). Forwarded headers
 *   are NOT read here: proxies are resolved by the core (`trustProxy`).
 * - `headers`: `headersDistinct`, so a duplicated `Authorization` or `DPoP` header stays visible.
 * - `clientIp`: the TCP peer; `clientCertificate`: DER of the TLS peer certificate (RFC 8705),
 *   whether or not the CA chain was authorized (the core compares its thumbprint with `cnf`).
 * - `contentLength`: the declared body size, when a single valid `Content-Length` was sent.
 *
 * @example
 * const info = nodeRequestInfo(req, { target: 'https://en.wikipedia.org/' });
 * const decision = await guard.check(info, route);
 */
export function nodeRequestInfo(req: IncomingMessage, extra?: Partial<RequestInfo>): RequestInfo {
  const socket = req.socket;
  const info: RequestInfo = {
    method: req.method ?? '',
    url: absoluteUrl(req),
    headers: req.headersDistinct,
    clientIp: socket?.remoteAddress,
    clientCertificate: peerCertificate(socket),
    contentLength: declaredLength(req.headers['content-length']),
  };
  return extra ? { ...info, ...extra } : info;
}

function absoluteUrl(req: IncomingMessage): string {
  const scheme = req.socket instanceof TLSSocket ? 'https' : 'http';
  const host = req.headers.host ?? (req.headers[':authority'] as string | undefined);
  const target = req.url ?? '/';
  const base = host && URL.canParse(`${scheme}://${host}`) ? `${scheme}://${host}` : localBase(req, scheme);
  // An unparsable target (e.g. `*`) yields the base itself; the core then refuses it if it matters.
  return URL.canParse(target, base) ? new URL(target, base).href : new URL(base).href;
}

function localBase(req: IncomingMessage, scheme: string): string {
  const address = req.socket?.localAddress ?? '127.0.0.1';
  const host = address.includes(':') ? `[${address}]` : address;
  return `${scheme}://${host}:${req.socket?.localPort ?? 0}`;
}

function peerCertificate(socket: unknown): Uint8Array | undefined {
  if (!(socket instanceof TLSSocket)) return undefined;
  const cert = socket.getPeerCertificate(false);
  return cert && cert.raw && cert.raw.length > 0 ? new Uint8Array(cert.raw) : undefined;
}

function declaredLength(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,15}$/.test(value)) return undefined;
  return Number(value);
}
