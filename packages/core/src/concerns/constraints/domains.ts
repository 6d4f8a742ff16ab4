import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';

/**
 * The host a route acts on, normalized for domain matching: the WHATWG URL parser lower-cases it,
 * converts IDNs to A-labels (UTS #46) and drops port, path and userinfo; a trailing dot is removed.
 * A bare host (`en.wikipedia.org`) is accepted as well as a URL. `undefined` when it cannot be parsed
 * or has an empty label (`evil.com..`): such a target is refused by every domain constraint.
 *
 * @example
 * targetHost('https://Bücher.Example./x?y'); // { host: 'xn--bcher-kva.example', ip: false }
 */
export function targetHost(target: string): { readonly host: string; readonly ip: boolean } | undefined {
  const url = URL.parse(target.includes('://') ? target : `http://${target}`);
  if (!url || url.hostname === '') return undefined;
  const hostname = url.hostname;
  if (hostname.startsWith('[')) return { host: hostname.slice(1, -1), ip: true }; // an IPv6 literal
  const host = hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
  // The WHATWG parser turns a host whose last label is numeric into a dotted-decimal IPv4 address (or
  // rejects it), so only a host ending in a digit can be one.
  const ip = isDigit(host.charCodeAt(host.length - 1)) && isIP(host) === 4;
  // RFC 1034 §3.1: only the root label is empty, and it is the one trailing dot removed above. Any other
  // empty label (`evil.com..`, `a..b`, `.evil.com`) is no host name: it would slip past a suffix match.
  if (!ip && (host === '' || host.startsWith('.') || host.endsWith('.') || host.includes('..'))) return undefined;
  return { host, ip };
}

const isDigit = (code: number): boolean => code >= 0x30 && code <= 0x39;

/**
 * Normalize a `domains_allowed` / `domains_blocked` entry the same way, or `undefined` when it is not a
 * plain DNS name (an IP literal, a URL, a wildcard): such an entry can never be honoured as written.
 */
export function domainEntry(entry: unknown): string | undefined {
  if (typeof entry !== 'string') return undefined;
  const name = entry.endsWith('.') ? entry.slice(0, -1) : entry;
  const ascii = domainToASCII(name);
  if (ascii === '' || isIP(ascii) !== 0 || !/^[a-z0-9-]+(?:\.[a-z0-9-]+)*$/.test(ascii)) return undefined;
  return ascii;
}

/**
 * DNS suffix match on label boundaries (draft "Domain Matching Algorithm"): `a.example.org` matches
 * `example.org`, `badexample.org` does not. An IP-literal host never matches a domain entry.
 */
export function matchesDomain(
  host: { readonly host: string; readonly ip: boolean },
  entries: readonly string[],
): boolean {
  if (host.ip) return false;
  return entries.some((entry) => host.host === entry || host.host.endsWith(`.${entry}`));
}
