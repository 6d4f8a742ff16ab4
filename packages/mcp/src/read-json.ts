import type { IncomingMessage } from 'node:http';

/** What reading a JSON request body gave. */
export type JsonBody =
  | { readonly ok: true; readonly value: unknown }
  /** `too_large`: over the limit (reading stopped there); `invalid`: not JSON; `aborted`: the client went away. */
  | { readonly ok: false; readonly problem: 'too_large' | 'invalid' | 'aborted' };

/**
 * Read and parse a request's JSON body, at most `maxBytes` of it: a `Content-Length` over the limit is
 * refused before reading, a body that grows past it as it does (the stream is left open, so the refusal can
 * still be written). No body at all is `undefined`.
 */
export async function readJson(req: IncomingMessage, maxBytes: number): Promise<JsonBody> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return { ok: false, problem: 'too_large' };
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req.iterator({ destroyOnReturn: false })) {
      size += (chunk as Buffer).byteLength;
      if (size > maxBytes) return { ok: false, problem: 'too_large' };
      chunks.push(chunk as Buffer);
    }
  } catch {
    return { ok: false, problem: 'aborted' };
  }
  if (size === 0) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
  } catch {
    return { ok: false, problem: 'invalid' };
  }
}
