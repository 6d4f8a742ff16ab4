import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Guard } from '../create-guard.js';
import { WELL_KNOWN, metadataPaths, resourceIdentifier } from '../metadata/resource-metadata.js';
import { requestOrigin } from '../pop/htu.js';
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
  const info = nodeRequestInfo(req, { url: target });
  const resource = resourceIdentifier(guard.options, requestOrigin({ options: guard.options, request: info }));
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
