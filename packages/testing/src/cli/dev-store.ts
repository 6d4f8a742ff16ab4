import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { exportJWK, type JWK } from 'jose';
import { createDpopKey, importDpopKey, type DpopKey } from '../dpop.js';
import { createIssuer, type TestIssuer } from '../issuer.js';

/** The audience of development tokens unless `--audience` says otherwise: the quickstart API's origin. */
export const DEV_AUDIENCE = 'http://localhost:3000';
/** The dev issuer's port unless `--port` says otherwise when it is created. */
export const DEV_PORT = 4455;

const WARNING =
  'DEVELOPMENT ONLY: this private key signs the tokens of `aap-guard dev-token`. ' +
  'Never trust this issuer outside your machine.';

/** The local development issuer kept in a directory (`.aap-dev/` by default), created on first use. */
export interface DevStore {
  /** The directory, as given (for messages). */
  readonly dir: string;
  /** Its issuer identifier, `http://127.0.0.1:<port>`: `aap-guard dev-issuer` serves its keys and metadata there. */
  readonly issuer: string;
  /** Whether this call created it (say so, with the warning). */
  readonly created: boolean;
  /** The issuer that signs (audience `DEV_AUDIENCE`). */
  readonly signer: TestIssuer;
  /** The public key set, also in `<dir>/jwks.json`. */
  readonly jwks: { keys: JWK[] };
  /** The dev DPoP key (`<dir>/dpop-key.json`), created on first use. */
  dpopKey(): Promise<DpopKey>;
}

interface IssuerFile {
  readonly warning: string;
  readonly issuer: string;
  readonly privateJwk: JWK;
}

/**
 * Open the development issuer in `dir` (relative to `cwd`), or create it: a new ES256 key pair, the
 * issuer `http://127.0.0.1:<port>`, the public JWKS in `jwks.json`, and a `.gitignore` that keeps the
 * directory out of git. The private key file is readable by its owner only.
 *
 * @example
 * const store = await openDevStore(process.cwd(), '.aap-dev', 4455);
 * const token = await store.signer.mint({ capabilities: [{ action: 'search.web' }] });
 */
export async function openDevStore(cwd: string, dir: string, port: number = DEV_PORT): Promise<DevStore> {
  const path = join(cwd, dir);
  const file = join(path, 'issuer.json');
  let saved = read<IssuerFile>(file);
  const created = saved === undefined;
  if (!saved) saved = await create(path, file, port);
  const signer = await createIssuer({ issuer: saved.issuer, audience: DEV_AUDIENCE, privateJwk: saved.privateJwk });
  return {
    dir: relative(cwd, path) || '.',
    issuer: saved.issuer,
    created,
    signer,
    jwks: signer.jwks,
    dpopKey: () => dpopKey(join(path, 'dpop-key.json')),
  };
}

/**
 * The issuer identifier saved in `dir`, or undefined when there is no development issuer there yet.
 *
 * @example
 * savedIssuer(process.cwd(), '.aap-dev') // → 'http://127.0.0.1:4455'
 */
export function savedIssuer(cwd: string, dir: string): string | undefined {
  return read<IssuerFile>(join(cwd, dir, 'issuer.json'))?.issuer;
}

async function create(path: string, file: string, port: number): Promise<IssuerFile> {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  writeFileSync(join(path, '.gitignore'), '# aap-guard development keys: never commit them\n*\n');
  const fresh = await createIssuer({ issuer: `http://127.0.0.1:${port}` });
  const saved: IssuerFile = {
    warning: WARNING,
    issuer: fresh.issuer,
    privateJwk: { ...(await exportJWK(fresh.privateKey)), kid: fresh.kid, alg: fresh.alg },
  };
  try {
    writeFileSync(file, `${JSON.stringify(saved, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    // Created meanwhile by another command (`dev-issuer` and `dev-token` started together): use that one.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return read<IssuerFile>(file)!;
    throw error;
  }
  writeFileSync(join(path, 'jwks.json'), `${JSON.stringify(fresh.jwks, null, 2)}\n`);
  return saved;
}

async function dpopKey(file: string): Promise<DpopKey> {
  const saved = read<JWK>(file);
  if (saved) return importDpopKey(saved);
  const key = await createDpopKey();
  try {
    writeFileSync(file, `${JSON.stringify({ ...(await exportJWK(key.privateKey)), alg: key.alg }, null, 2)}\n`, {
      flag: 'wx',
      mode: 0o600,
    });
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return importDpopKey(read<JWK>(file)!);
    throw error;
  }
}

/** A JSON file's content, or undefined when there is no such file. */
function read<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${file}: ${(error as Error).message}`, { cause: error });
  }
}
