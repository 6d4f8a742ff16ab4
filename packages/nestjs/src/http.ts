import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '@aap-guard/core';

/**
 * The request a Nest HTTP handler gets, on either platform — Express's `Request` or Fastify's
 * `FastifyRequest` — as far as the guard reads it: what a `target` function or `skip` may use.
 */
export interface AapHttpRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** The parsed query string (both platforms parse it). */
  readonly query: any;
  /** The route's parameters. */
  readonly params: any;
  /** The parsed body, when a parser ran (Nest's own, by default). */
  readonly body?: unknown;
  /** The verified AAP principal, once the guard allowed the request. */
  aap?: Principal | null | undefined;
}

/** The two Node objects under a platform request and response, and how to set a response header. */
export interface NodePair {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The URL the client sent (Express's `originalUrl`, Fastify's), when the platform may rewrite `req.url`. */
  readonly url: string | undefined;
  setHeader(name: string, value: string): void;
  /** The response was written on the Node response behind the platform's back: Fastify must not send one (hijack). */
  written(): void;
}

interface FastifyLikeRequest {
  readonly raw: IncomingMessage;
  readonly originalUrl?: string;
}
interface FastifyLikeReply {
  readonly raw: ServerResponse;
  readonly sent: boolean;
  header(name: string, value: string): unknown;
  hijack(): unknown;
}

/**
 * The Node request and response under Nest's platform objects: Express's ARE Node's; Fastify's wrap them
 * (`request.raw`, `reply.raw`), and headers go through the reply so that Fastify sends them.
 *
 * @example
 * const { req, res } = nodePair(http.getRequest(), http.getResponse());
 */
export function nodePair(request: unknown, response: unknown): NodePair {
  if (isFastifyReply(response)) {
    const { raw, originalUrl } = request as FastifyLikeRequest;
    const written = () => void response.hijack();
    const setHeader = (name: string, value: string) => void response.header(name, value);
    return { req: raw, res: response.raw, url: originalUrl, setHeader, written };
  }
  const res = response as ServerResponse;
  const req = request as IncomingMessage & { originalUrl?: string };
  const setHeader = (name: string, value: string) => void res.setHeader(name, value);
  return { req, res, url: req.originalUrl, setHeader, written: () => undefined };
}

/** A Fastify reply: it wraps the Node response (`raw`) and can be hijacked. */
export function isFastifyReply(response: unknown): response is FastifyLikeReply {
  const reply = response as Partial<FastifyLikeReply> & { hijack?: unknown };
  return typeof reply?.hijack === 'function' && typeof reply.raw === 'object' && reply.raw !== null;
}
