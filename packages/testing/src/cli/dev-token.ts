import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { jsonObject, parsed, seconds, UsageError } from './args.js';
import type { CliIo } from './io.js';
import { DEV_AUDIENCE, openDevStore } from './dev-store.js';
import { createdNotice, envLine } from './messages.js';

const OPTIONS = {
  action: { type: 'string', multiple: true },
  agent: { type: 'string' },
  audience: { type: 'string' },
  ttl: { type: 'string' },
  dpop: { type: 'boolean' },
  constraints: { type: 'string' },
  claims: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  dir: { type: 'string' },
} as const;

/**
 * `aap-guard dev-token --action A [--action B …]`: an access token granting each action, signed by the
 * development issuer (created in `.aap-dev/` on first use). Prints the token alone on stdout (for
 * `$(…)`), and how to trust it on stderr; `--json` prints both as one JSON object. Resolves with the exit code.
 *
 * @example
 * process.exitCode = await devToken(['--action', 'search.web'], io);
 */
export async function devToken(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parsed(() => parseArgs({ args: [...args], options: OPTIONS, strict: true }));
  const actions = values.action ?? [];
  if (actions.length === 0) throw new UsageError('dev-token needs at least one --action (e.g. --action search.web)');
  const lifetime = values.ttl ?? '1h';
  const ttl = seconds(lifetime, '--ttl');
  const constraints = values.constraints === undefined ? undefined : jsonObject(values.constraints, '--constraints');
  const claims = values.claims === undefined ? {} : jsonObject(values.claims, '--claims');
  const store = await openDevStore(io.cwd, values.dir ?? '.aap-dev');
  if (store.created) io.stderr.write(createdNotice(store));
  const key = values.dpop ? await store.dpopKey() : undefined;
  const audience = values.audience ?? DEV_AUDIENCE;
  const agentId = values.agent ?? 'dev-agent';
  const token = await store.signer.mint({
    agentId,
    operator: 'org:dev',
    taskId: 'dev-task',
    purpose: 'development',
    capabilities: actions.map((action) => (constraints ? { action, constraints } : { action })),
    ttl,
    ...(key ? { jkt: key.jkt } : {}),
    claims: { aud: audience, ...claims },
  });
  const env = { AAP_ISSUER: store.issuer, AAP_AUDIENCE: audience };
  const scheme = key ? 'DPoP' : 'Bearer';
  if (values.json) {
    const out = {
      token,
      token_type: scheme,
      expires_in: ttl,
      issuer: store.issuer,
      audience,
      agent: agentId,
      actions,
      env,
      jwks_file: join(store.dir, 'jwks.json'),
    };
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  io.stdout.write(`${token}\n`);
  if (!values.quiet) {
    const dpop = key ? '; send it as `Authorization: DPoP <token>` with a proof from `aap-guard dev-proof`' : '';
    io.stderr.write(
      `aap-guard: a ${scheme} token of ${agentId} for ${actions.join(', ')}, valid ${lifetime}${dpop}. ` +
        `Trust it: ${envLine(env)}\n`,
    );
  }
  return 0;
}
