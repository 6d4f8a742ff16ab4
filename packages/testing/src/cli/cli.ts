import { UsageError } from './args.js';
import { devIssuer } from './dev-issuer.js';
import { devProof } from './dev-proof.js';
import { devToken } from './dev-token.js';
import type { CliIo } from './io.js';

const USAGE = `usage: aap-guard <command> [options]

Development only: a local issuer whose private key is a file in .aap-dev/ (created on first use,
git-ignored). Never trust it outside your machine.

  dev-issuer [--port 4455]
      Serve the dev issuer's metadata and keys on 127.0.0.1 until interrupted, and print the
      environment that makes aapGuard() trust it: AAP_ISSUER=http://127.0.0.1:4455 AAP_AUDIENCE=…
  dev-token --action ACTION [--action …] [--agent dev-agent] [--audience http://localhost:3000]
            [--ttl 1h] [--dpop] [--constraints JSON] [--claims JSON] [--json] [--quiet]
      Print an access token granting each action (constraints apply to each; claims are merged over
      the token's). --dpop binds it to the dev DPoP key: send it as \`Authorization: DPoP <token>\`.
  dev-proof --url URL [--method GET] [--token TOKEN] [--nonce NONCE]
      Print a DPoP proof for one request, made with the dev DPoP key.

Every command takes --dir DIR (default .aap-dev). Exit 0: done; 1: failed; 2: bad usage.
To verify a tamper-evident audit log, use \`aap-guard-audit\` from @aap-guard/core.`;

const COMMANDS: Readonly<Record<string, (args: readonly string[], io: CliIo) => Promise<number>>> = {
  'dev-issuer': devIssuer,
  'dev-token': devToken,
  'dev-proof': devProof,
};

/**
 * The `aap-guard` command of @aap-guard/testing: `dev-issuer`, `dev-token`, `dev-proof`. Resolves with
 * the exit code: 0 done, 1 failed (the reason on stderr), 2 bad usage (with the usage text).
 *
 * @example
 * process.exitCode = await runCli(['dev-token', '--action', 'search.web'], { ...process, cwd: process.cwd() });
 */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = args;
  if (name === 'help' || name === '--help' || name === '-h') return (io.stdout.write(`${USAGE}\n`), 0);
  if (name === undefined) return (io.stderr.write(`${USAGE}\n`), 2);
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  try {
    if (!command)
      throw new UsageError(
        name === 'audit'
          ? 'the audit log verifier is `aap-guard-audit` (@aap-guard/core)'
          : `unknown command "${name}"`,
      );
    return await command(rest, io);
  } catch (error) {
    if (error instanceof UsageError) return (io.stderr.write(`aap-guard: ${error.message}\n\n${USAGE}\n`), 2);
    io.stderr.write(`aap-guard ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
