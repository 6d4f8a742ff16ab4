import { parseArgs } from 'node:util';
import { dpopProof } from '../dpop.js';
import { parsed, UsageError } from './args.js';
import { openDevStore } from './dev-store.js';
import type { CliIo } from './io.js';

const OPTIONS = {
  url: { type: 'string' },
  method: { type: 'string' },
  token: { type: 'string' },
  nonce: { type: 'string' },
  dir: { type: 'string' },
} as const;

/**
 * `aap-guard dev-proof --url URL [--method GET] [--token T] [--nonce N]`: a DPoP proof (RFC 9449) made
 * with the development DPoP key — the key `dev-token --dpop` binds its tokens to. One proof per request:
 * the guard refuses a replayed one.
 *
 * @example
 * process.exitCode = await devProof(['--url', 'http://localhost:3000/v1/search', '--token', token], io);
 */
export async function devProof(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parsed(() => parseArgs({ args: [...args], options: OPTIONS, strict: true }));
  if (values.url === undefined || !URL.canParse(values.url))
    throw new UsageError('dev-proof needs --url <the absolute URL of the request>');
  const store = await openDevStore(io.cwd, values.dir ?? '.aap-dev');
  const key = await store.dpopKey();
  const method = (values.method ?? 'GET').toUpperCase();
  io.stdout.write(
    `${await dpopProof({ key, method, url: values.url, accessToken: values.token, nonce: values.nonce })}\n`,
  );
  return 0;
}
