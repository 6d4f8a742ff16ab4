import { createReadStream } from 'node:fs';
import { GENESIS_HEAD, readChainLine, type ChainHead } from './chain.js';
import { MAX_LINE_BYTES } from './log-tail.js';

/** Options of `verifyAuditLog()` / `verifyAuditFile()`. */
export interface VerifyAuditOptions {
  /** The head the log's first line chains to (a rotated log's predecessor); default the genesis, seq 0. */
  readonly after?: ChainHead | undefined;
  /** A head recorded elsewhere earlier: the line with its `seq` must exist and have its `hash` (detects truncation). */
  readonly anchor?: ChainHead | undefined;
}

/** The outcome of a verification: the whole chain holds, or the first line where it breaks (1-based). */
export type AuditVerification =
  | { readonly ok: true; readonly lines: number; readonly head: ChainHead }
  | { readonly ok: false; readonly line: number; readonly problem: string };

/**
 * Check a hash-chained audit log held in memory (see `chainLine` for the format): every line intact,
 * each chained to the one before, numbered without gaps, from `after` (default the genesis). Names the
 * first line where the chain breaks: an altered line, a removed, inserted or reordered one.
 *
 * @example
 * import { readFileSync } from 'node:fs';
 * const result = verifyAuditLog(readFileSync('audit.jsonl'));
 * if (!result.ok) console.error(`line ${result.line}: ${result.problem}`);
 */
export function verifyAuditLog(log: string | Uint8Array, options: VerifyAuditOptions = {}): AuditVerification {
  const bytes =
    typeof log === 'string' ? Buffer.from(log, 'utf8') : Buffer.from(log.buffer, log.byteOffset, log.byteLength);
  const verifier = new ChainVerifier(options);
  let start = 0;
  for (let end = bytes.indexOf(0x0a); end >= 0; start = end + 1, end = bytes.indexOf(0x0a, start)) {
    const failure = verifier.push(bytes.subarray(start, end));
    if (failure) return failure;
  }
  return verifier.end(start < bytes.length);
}

/**
 * `verifyAuditLog` for a file of any size, read as a stream.
 *
 * @example
 * const result = await verifyAuditFile('/var/log/aap/audit.jsonl', { anchor: { seq: 1200, hash: 'Xk2…' } });
 */
export async function verifyAuditFile(path: string, options: VerifyAuditOptions = {}): Promise<AuditVerification> {
  const verifier = new ChainVerifier(options);
  const stream = createReadStream(path);
  let rest: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let bytes = rest.length > 0 ? Buffer.concat([rest, chunk]) : chunk;
      for (let end = bytes.indexOf(0x0a); end >= 0; end = bytes.indexOf(0x0a)) {
        const failure = verifier.push(bytes.subarray(0, end));
        if (failure) return failure;
        bytes = bytes.subarray(end + 1);
      }
      if (bytes.length > MAX_LINE_BYTES)
        return verifier.failNext(`longer than ${MAX_LINE_BYTES} bytes: not an audit record`);
      rest = bytes;
    }
  } finally {
    stream.destroy();
  }
  return verifier.end(rest.length > 0);
}

/** Follows a chain line by line; the first failure is final. */
class ChainVerifier {
  #expected: ChainHead;
  #line = 0;
  readonly #anchor: ChainHead | undefined;

  constructor(options: VerifyAuditOptions) {
    this.#expected = options.after ?? GENESIS_HEAD;
    this.#anchor = options.anchor;
  }

  /** Check the next line (its bytes without `\n`); a failure names it. */
  push(line: Buffer): AuditVerification | undefined {
    this.#line += 1;
    const record = readChainLine(line);
    if (!record.ok) return this.fail(record.problem);
    const { seq, hash } = this.#expected;
    if (record.prev !== hash) return this.fail(brokenLink(record.seq, seq + 1, this.#line));
    if (record.seq !== seq + 1) return this.fail(`numbered ${record.seq} where ${seq + 1} was expected`);
    if (this.#anchor?.seq === record.seq && this.#anchor.hash !== record.hash)
      return this.fail(`differs from the anchored line ${record.seq}: the log was rewritten`);
    this.#expected = { seq: record.seq, hash: record.hash };
    return undefined;
  }

  /** The verdict at the end of the input; `incomplete` when bytes follow the last `\n`. */
  end(incomplete: boolean): AuditVerification {
    if (incomplete) return this.failNext('incomplete: no newline at its end (a write cut short, or an edit)');
    if (this.#anchor && this.#anchor.seq > this.#expected.seq) {
      return this.failNext(
        `missing: the log ends at seq ${this.#expected.seq}, before the anchored seq ${this.#anchor.seq} (lines were cut from the end)`,
      );
    }
    return { ok: true, lines: this.#line, head: this.#expected };
  }

  /** A failure of the line just pushed. */
  fail(problem: string): AuditVerification {
    return { ok: false, line: this.#line, problem };
  }

  /** A failure of the line after the last one pushed (an incomplete or missing line). */
  failNext(problem: string): AuditVerification {
    this.#line += 1;
    return this.fail(problem);
  }
}

/** Why a line does not chain to the one before it, as far as the numbering tells. */
function brokenLink(found: number, expected: number, line: number): string {
  const previous = line === 1 ? 'the start of the log' : `line ${line - 1}`;
  if (found > expected)
    return `does not follow ${previous}: seq ${found} where ${expected} was expected (${found - expected} line(s) removed before it, or lines reordered)`;
  if (found < expected)
    return `does not follow ${previous}: seq ${found} where ${expected} was expected (lines reordered or duplicated)`;
  return `does not follow ${previous}: its "prev" is not the hash of ${previous} (a line replaced, or logs spliced)`;
}
