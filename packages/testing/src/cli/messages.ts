import { join } from 'node:path';
import { DEV_AUDIENCE, type DevStore } from './dev-store.js';

/**
 * What `dev-token` and `dev-issuer` say when they create the development issuer.
 *
 * @example
 * const store = await openDevStore(process.cwd(), '.aap-dev');
 * if (store.created) process.stderr.write(createdNotice(store));
 */
export function createdNotice(store: DevStore): string {
  return (
    `aap-guard: created a DEVELOPMENT issuer in ${store.dir}/ (its private key is ${join(store.dir, 'issuer.json')}; ` +
    'the directory is git-ignored). Never trust it outside your machine.\n' +
    '  Serve its keys with `npx aap-guard dev-issuer`, and start your API with ' +
    `${envLine({ AAP_ISSUER: store.issuer, AAP_AUDIENCE: DEV_AUDIENCE })}\n`
  );
}

/** `AAP_ISSUER=… AAP_AUDIENCE=…`, ready to paste before a command. */
export function envLine(env: Readonly<Record<string, string>>): string {
  return Object.entries(env)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
}
