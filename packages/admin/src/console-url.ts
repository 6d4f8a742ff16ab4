import type { Hold } from '@aap-guard/core';

/**
 * Build `oversight.approvalUrl` for an approval console mounted at `base`: the hold's page,
 * `<base>/console/holds/<id>`. `base` is an absolute `http(s)` URL (`https://api.example.com/aap-admin`)
 * or a path (`/aap-admin`), resolved against `publicUrl` when given; otherwise the link stays a
 * path-absolute reference, which the agent resolves against the URL it requested (RFC 3986 §5.2) —
 * never against a `Host` header, which the client controls. Throws `TypeError` on anything else.
 *
 * A mounted console registers it by itself (`guard.holds.linkApprovals`, see the admin routers'
 * `console.url`); use the function when the console runs in another process than the API:
 *
 * @example
 * createGuard({ ...options, oversight: { approvalUrl: consoleUrl('https://admin.example.com/aap-admin') } });
 */
export function consoleUrl(base: string, publicUrl?: URL | string): (hold: Hold) => string {
  const root = resolveBase(base, publicUrl);
  return (hold) => `${root}/console/holds/${encodeURIComponent(hold.id)}`;
}

function resolveBase(base: string, publicUrl: URL | string | undefined): string {
  if (typeof base !== 'string') throw new TypeError('console url must be a string');
  if (base.startsWith('/') && !base.startsWith('//') && !base.includes('\\')) {
    const path = base.replace(/\/+$/, '');
    return publicUrl === undefined ? path : new URL(path || '/', publicUrl).href.replace(/\/+$/, '');
  }
  const url = URL.parse(base);
  if (
    !url ||
    (url.protocol !== 'https:' && url.protocol !== 'http:') ||
    url.search ||
    url.hash ||
    url.username ||
    url.password
  ) {
    throw new TypeError(
      `console url must be an absolute http(s) URL without query or fragment, or a path starting with '/': ${JSON.stringify(base)}`,
    );
  }
  return url.href.replace(/\/+$/, '');
}
