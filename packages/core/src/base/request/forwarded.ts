import type { RequestInfo } from '../types/request.js';

type Headers = RequestInfo['headers'];

/**
 * The origin a trusted proxy says the client addressed: RFC 7239 `Forwarded` (`proto=`, `host=`)
 * when sent, else `X-Forwarded-Proto` / `X-Forwarded-Host`. Of a list, the LAST element is used —
 * the one appended by the proxy that connected to us (the only one whose trust we checked); an
 * earlier element could have been sent by the client. Behind several proxies, set
 * `options.publicUrl` instead. Missing parts come from the request URL. Call only after the peer
 * was found trusted.
 *
 * @example
 * forwardedOrigin({ 'x-forwarded-proto': 'https', 'x-forwarded-host': 'api.example.com' }, 'http://10.0.0.5:3000/x')
 * // 'https://api.example.com'
 */
export function forwardedOrigin(headers: Headers, requestUrl: string): string | undefined {
  const { proto, host } = forwardedParts(headers);
  if (proto === undefined && host === undefined) return undefined;
  const url = URL.parse(requestUrl);
  if (!url) return undefined;
  const scheme = (proto ?? url.protocol.slice(0, -1)).toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return undefined;
  const origin = `${scheme}://${host ?? url.host}`;
  return URL.canParse(origin) ? new URL(origin).origin : undefined;
}

/**
 * The scheme a trusted proxy says the client used (`https` / `http`, lower-cased), or undefined when it
 * says nothing. Same precedence as `forwardedOrigin`. Call only after the peer was found trusted.
 *
 * @example
 * forwardedProto({ 'x-forwarded-proto': 'HTTPS' }) // 'https'
 */
export function forwardedProto(headers: Headers): string | undefined {
  return forwardedParts(headers).proto?.toLowerCase();
}

/** `proto` and `host` from RFC 7239 `Forwarded` when sent, else `X-Forwarded-Proto` / `X-Forwarded-Host`. */
function forwardedParts(headers: Headers): { proto?: string | undefined; host?: string | undefined } {
  const forwarded = last(headers.forwarded);
  if (forwarded !== undefined) return forwardedParams(forwarded);
  return { proto: last(headers['x-forwarded-proto']), host: last(headers['x-forwarded-host']) };
}

/** Last comma-separated element of a (possibly repeated) header. */
function last(value: string | readonly string[] | undefined): string | undefined {
  const text = typeof value === 'string' ? value : Array.isArray(value) ? value.join(',') : undefined;
  if (text === undefined) return undefined;
  const element = text.slice(text.lastIndexOf(',') + 1).trim();
  return element || undefined;
}

/** `proto` and `host` of one RFC 7239 forwarded-element (`token=value` or `token="quoted"` pairs, `;`-separated). */
function forwardedParams(element: string): { proto?: string; host?: string } {
  const out: { proto?: string; host?: string } = {};
  for (const pair of element.split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    const name = pair.slice(0, eq).trim().toLowerCase();
    let value = pair.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"'))
      value = value.slice(1, -1).replace(/\\(.)/g, '$1');
    if (name === 'proto' || name === 'host') out[name] = value;
  }
  return out;
}
