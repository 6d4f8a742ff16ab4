import type { Hold } from '../stores/holds.js';

/** The approval link of each guard's mounted console, keyed by the guard's resolved hold options. */
const links = new WeakMap<object, (hold: Hold) => string>();

/**
 * Build `oversight.approvalUrl` for an approval console mounted at `base`: the hold's page,
 * `<base>/console/holds/<id>`. `base` is an absolute `http(s)` URL (`https://api.example.com/aap-admin`)
 * or a path (`/aap-admin`), resolved against `publicUrl` when given; otherwise the link stays a
 * path-absolute reference, which the agent resolves against the URL it requested (RFC 3986 §5.2) —
 * never against a `Host` header, which the client controls. Throws `TypeError` on anything else.
 *
 * A mounted console sets this up by itself (see the admin routers' `console.url`); use the function
 * when the console runs in another process than the API:
 *
 * @example
 * createGuard({ ...options, oversight: { approvalUrl: consoleUrl('https://admin.example.com/aap-admin') } });
 */
export function consoleUrl(base: string, publicUrl?: URL | string): (hold: Hold) => string {
  const root = resolveBase(base, publicUrl);
  return (hold) => `${root}/console/holds/${encodeURIComponent(hold.id)}`;
}

/**
 * Make `link` the approval link of the guard whose hold options these are, unless a console already
 * registered one (the first mounted console wins). `oversight.approvalUrl`, when configured, still comes first.
 *
 * @example
 * linkConsole(guard.options.holds, consoleUrl('/aap-admin'));
 */
export function linkConsole(holds: object, link: (hold: Hold) => string): void {
  if (!links.has(holds)) links.set(holds, link);
}

/**
 * The approval link a mounted console registered for these hold options, if any.
 *
 * @example
 * const build = ctx.options.holds.approvalUrl ?? consoleLinkOf(ctx.options.holds);
 */
export function consoleLinkOf(holds: object): ((hold: Hold) => string) | undefined {
  return links.get(holds);
}

function resolveBase(base: string, publicUrl: URL | string | undefined): string {
  if (typeof base !== 'string') throw new TypeError('console url must be a string');
  if (base.startsWith('/') && !base.startsWith('//') && !base.includes('\\')) {
    const path = base.replace(/\/+$/, '');
    return publicUrl === undefined ? path : new URL(path || '/', publicUrl).href.replace(/\/+$/, '');
  }
  const url = URL.parse(base);
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash || url.username || url.password) {
    throw new TypeError(`console url must be an absolute http(s) URL without query or fragment, or a path starting with '/': ${JSON.stringify(base)}`);
  }
  return url.href.replace(/\/+$/, '');
}
