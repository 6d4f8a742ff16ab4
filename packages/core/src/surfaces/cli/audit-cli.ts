import { parseArgs } from 'node:util';
import type { ChainHead } from '../../base/audit/chain.js';
import { verifyAuditFile } from '../../base/audit/verify-log.js';

const USAGE = `usage: aap-guard-audit verify <file> [--after SEQ:HASH] [--anchor SEQ:HASH]

Checks a hash-chained audit log written by chainedAuditLog(): every line intact and chained to the
one before. Exit 0: intact (prints the number of lines and the head SEQ:HASH to anchor elsewhere);
1: the chain breaks (prints the first broken line); 2: bad usage or unreadable file.
  --after SEQ:HASH   the head of the previous log this one continues (rotation); default: genesis
  --anchor SEQ:HASH  a head recorded earlier: that line must still be there, unchanged`;

/** Where the CLI writes. */
export interface CliOutput {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/**
 * The `aap-guard-audit` command: `verify <file>`. Resolves with the exit code.
 */
export async function runAuditCli(args: readonly string[], output: CliOutput): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { after: { type: 'string' }, anchor: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    return usage(output, (error as Error).message);
  }
  const { positionals, values } = parsed;
  if (values.help) return (output.stdout.write(`${USAGE}\n`), 0);
  if (positionals[0] !== 'verify' || positionals.length !== 2) return usage(output, 'expected: verify <file>');
  const file = positionals[1]!;
  const after = values.after === undefined ? undefined : head(values.after);
  const anchor = values.anchor === undefined ? undefined : head(values.anchor);
  if (after === null || anchor === null)
    return usage(output, 'SEQ:HASH must be a line number and a 43-character base64url hash');
  try {
    const result = await verifyAuditFile(file, { after, anchor });
    if (!result.ok) return (output.stderr.write(`${file}: line ${result.line}: ${result.problem}\n`), 1);
    output.stdout.write(`${file}: ok, ${result.lines} line(s), head ${result.head.seq}:${result.head.hash}\n`);
    return 0;
  } catch (error) {
    output.stderr.write(`${file}: cannot read: ${(error as Error).message}\n`);
    return 2;
  }
}

function usage(output: CliOutput, problem: string): number {
  output.stderr.write(`aap-guard-audit: ${problem}\n${USAGE}\n`);
  return 2;
}

/** `SEQ:HASH` → a chain head, or `null` when malformed. */
function head(text: string): ChainHead | null {
  const match = /^(\d{1,15}):([\w-]{43})$/.exec(text);
  return match ? { seq: Number(match[1]), hash: match[2]! } : null;
}
