import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Guard } from '../../guard/create-guard.js';
import { engineOf } from '../../engine/registry.js';
import {
  WELL_KNOWN,
  metadataPaths,
  metadataUrl,
  resourceIdentifier,
} from '../../concerns/metadata/resource-metadata.js';
import { requestOrigin } from '../../base/request/origin.js';
import { nodeRequestInfo } from './request-info.js';

/**
 * Answer `GET`/`HEAD` of this resource's protected resource metadata (RFC 9728 §3): at
 * `/.well-known/oauth-protected-resource` and its path-suffixed form when the resource identifier has a
 * path. Public — no token is needed to learn how to get one — and exempt from the guard; the adapters call
 * it before anything else. Returns whether it answered.
 *
 * @example
 * if (serveResourceMetadata(guard, req, res, req.originalUrl)) return;
 */
export function serveResourceMetadata(guard: Guard, req: IncomingMessage, res: ServerResponse, url?: string): boolean {
  const target = url ?? (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/';
  if (!target.startsWith(WELL_KNOWN) || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
  const resource = resourceOf(guard, req, target);
  const path = target.split('?', 1)[0] as string;
  if (!metadataPaths(resource).includes(path)) return false;
  const body = JSON.stringify(guard.resourceMetadata(resource));
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'public, max-age=300',
    'access-control-allow-origin': '*', // public metadata; browser-based clients fetch it too
  });
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}

/** What an adapter mounted under a path says about the RFC 9728 document (`metadataReach`). */
export interface MetadataReach {
  /** The app serves the document at its root (the adapter's `aap.metadata()`): nothing to say. */
  served(): void;
  /** The adapter runs mounted under `mount` (`''` or `'/'`: at the root): said once, if the document is unreachable. */
  mountedAt(mount: string): void;
}

/**
 * For an adapter whose middleware can be mounted under a path (Express routers and sub-apps, koa-mount):
 * mounted there it never sees the root's well-known paths, so the document its challenges point to would
 * answer 404. Says so once, in the guard's log (`metadata.unreachable`), unless the app serves it
 * (`served()`) or `resourceMetadata` names another URL (or `false`).
 *
 * @example
 * const reach = metadataReach(guard);
 * reach.mountedAt(req.baseUrl); // per request: a comparison, and one warning at most
 */
export function metadataReach(guard: Guard): MetadataReach {
  const { settings, runtime } = engineOf(guard);
  let said = settings.resourceMetadata !== undefined; // false, or a URL the app serves itself
  return {
    served: () => void (said = true),
    mountedAt(mount) {
      if (said || mount === '' || mount === '/') return;
      said = true;
      runtime.logger.warn(
        { event: 'metadata.unreachable', mount },
        `aap-guard is mounted under ${mount}: the RFC 9728 metadata its challenges point to (${WELL_KNOWN}) is not served from there. Mount aap.metadata() at the app's root: app.use(aap.metadata())`,
      );
    },
  };
}

/**
 * The paths this resource's metadata is answered on (RFC 9728 §3.1), known at startup: the well-known path,
 * and its path-suffixed form when the resource identifier (the first https audience) has a path. For an
 * adapter that must register them as routes of its own (Fastify: reachable from every encapsulation
 * context), or an app that routes them itself.
 *
 * @example
 * resourceMetadataPaths(guard) // ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/v1']
 */
export function resourceMetadataPaths(guard: Guard): readonly string[] {
  // Without an https audience the resource is the request's origin: no path, the well-known path alone.
  const resource = resourceIdentifier(engineOf(guard).settings, 'null');
  return URL.canParse(resource) ? metadataPaths(resource) : [WELL_KNOWN];
}

/**
 * The metadata URL this resource advertises for a request (RFC 9728 §5.1): `options.resourceMetadata`,
 * else its well-known URL; undefined with `resourceMetadata: false`. For challenges an integration writes
 * itself (the MCP helper's 403 `insufficient_scope`).
 *
 * @example
 * const url = resourceMetadataUrl(guard, req);
 */
export function resourceMetadataUrl(guard: Guard, req: IncomingMessage): string | undefined {
  const configured = engineOf(guard).settings.resourceMetadata;
  if (configured !== undefined) return configured === false ? undefined : configured;
  return metadataUrl(resourceOf(guard, req));
}

function resourceOf(guard: Guard, req: IncomingMessage, url?: string): string {
  const info = nodeRequestInfo(req, url === undefined ? undefined : { url });
  const { settings } = engineOf(guard);
  return resourceIdentifier(settings, requestOrigin({ settings, request: info }));
}
