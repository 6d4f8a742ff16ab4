/**
 * A framework-free view of one HTTP request. Adapters build it; the core never sees a framework object.
 *
 * @example
 * const info: RequestInfo = {
 *   method: 'POST',
 *   url: 'https://api.example.com/v1/search?q=x',
 *   headers: { authorization: 'Bearer eyJ…' },
 *   target: 'https://en.wikipedia.org/wiki/OAuth',
 * };
 */
export interface RequestInfo {
  /** HTTP method, any case (normalized to upper case). */
  readonly method: string;
  /**
   * Absolute URL as the client addressed it (scheme, host, path, query): for an app mounted under a path,
   * the ORIGINAL URL (Express `req.originalUrl`, Koa `ctx.originalUrl`), never a router-stripped one.
   */
  readonly url: string;
  /**
   * Request headers with lower-case names. A header sent several times is an array
   * (Node's `IncomingMessage.headersDistinct` shape) or a comma-joined string.
   */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /**
   * Whether the connection itself is TLS (the TLS socket, not the request target). When absent, the
   * scheme of `url` is taken. Transport security never comes from the request target (RFC 9112 §3.2.2).
   */
  readonly secure?: boolean | undefined;
  /**
   * The URL or host the agent wants the route to act on (for `domains_allowed` / `domains_blocked`): a
   * string. Anything else (e.g. `?url=a&url=b` parsed to an array) is refused with 400 `request_invalid`.
   */
  readonly target?: unknown;
  /**
   * Body size in bytes, when the caller knows it. Default: the `Content-Length` header, parsed per
   * RFC 9110 §8.6 (any digit string; a malformed one is refused with 400 `request_invalid`).
   */
  readonly contentLength?: number | undefined;
  /** Address of the TCP peer (the adapter's socket address; proxies are resolved by the core). */
  readonly clientIp?: string | undefined;
  /** DER bytes of the TLS client certificate presented on this connection, if any (RFC 8705). */
  readonly clientCertificate?: Uint8Array | undefined;
  /** Route parameters, when the framework knows them (for task-id binding). */
  readonly params?: Readonly<Record<string, string | undefined>> | undefined;
  /** SHA-256 digest (base64url) of the request body, when the caller has it (binds oversight holds). */
  readonly bodyDigest?: string | undefined;
  /**
   * What the request does in its protocol's own terms, where method and path do not say it (an MCP
   * `tools/call`: every call is `POST /mcp`): a hold of it shows the approver this (`Hold.operation`) —
   * the name always, the arguments redacted and bounded like a body preview, when `oversight.preview` is on.
   */
  readonly operation?: RequestOperation | undefined;
  /**
   * The request body, read only when a decision needs it (an action under human oversight binds its
   * hold to the body's digest). Adapters supply it (`@aap-guard/core/node`); callers of `check()` may
   * pass `bodyDigest` instead.
   */
  readonly body?: RequestBody | undefined;
  /**
   * The body as the application's parser left it (Express `req.body`, Koa `ctx.request.body`), when it
   * was read before the guard: for an `application/x-www-form-urlencoded` body, the guard looks for a
   * top-level `access_token` in it (a plain object's own member, a `Map` or `URLSearchParams` entry, or
   * the form in a string or bytes). The Node helpers pass it only once the body stream was read.
   */
  readonly parsedBody?: unknown;
  /**
   * Whether an `application/x-www-form-urlencoded` body carries `access_token` (RFC 6750 §2.2), for
   * callers that inspect the body themselves: `true` is refused (400 `credentials_in_query`: an access
   * token comes in the Authorization header only), `false` says the caller looked and found none (the
   * guard then reads no form body). Unset, the guard inspects the form body itself (`parsedBody`, `body`).
   */
  readonly bodyAccessToken?: boolean | undefined;
}

/** What reading a body's bytes gave (`RequestBody.content`). */
export type BodyContentResult =
  | { readonly content: Uint8Array }
  /** No body at all. */
  | { readonly empty: true }
  /** `too_large`: over the limit asked for; `unavailable`: read before the guard could see it, or cut off. */
  | { readonly problem: 'too_large' | 'unavailable' };

/** What reading a body for its digest gave. */
export type BodyDigestResult =
  /** `content`: the body's bytes, when asked for (`{ content: true }`) and the reader has them. */
  | { readonly digest: string; readonly bytes: number; readonly content?: Uint8Array | undefined }
  /** No body at all. */
  | { readonly digest?: undefined; readonly empty: true }
  /** `too_large`: over the limit asked for; `unavailable`: read by someone else before the guard could see it. */
  | { readonly digest?: undefined; readonly problem: 'too_large' | 'unavailable' };

/** A request body the guard may read for its digest (see `RequestInfo.body`). */
export interface RequestBody {
  /**
   * Read (without consuming it for the application) and digest the whole body, up to `maxBytes`; with
   * `{ content: true }` the same read also yields the bytes (a hold's preview), when the reader has them.
   */
  digest(maxBytes: number, options?: { readonly content?: boolean }): Promise<BodyDigestResult>;
  /**
   * Read (without consuming it for the application) the whole body's bytes, up to `maxBytes`; asked
   * again for the same request, the same answer. Used to look for a form-body access token.
   */
  content?(maxBytes: number): Promise<BodyContentResult>;
}

/**
 * What a request does in its protocol's own terms, for the approver of a hold (`RequestInfo.operation`,
 * `RouteParts.operation`): what it is, what it is called and its arguments. Not part of what a hold binds
 * (the body digest binds the arguments).
 *
 * @example
 * const operation: RequestOperation = { kind: 'mcp.tools/call', name: 'publish', arguments: { id: 'd-1' } };
 */
export interface RequestOperation {
  /** The protocol's word for it (`mcp.tools/call`); at most 64 characters are kept. */
  readonly kind: string;
  /** Its name (the tool); at most 200 characters are kept, invisible characters escaped. */
  readonly name: string;
  /** Its arguments, a JSON value: kept only as a redacted, bounded preview (`oversight.preview`). */
  readonly arguments?: unknown;
}
